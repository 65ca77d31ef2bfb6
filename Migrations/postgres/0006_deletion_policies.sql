-- 0006 (PostgreSQL): tenant deletion policies and deletion_requests.mode_source, as Migrations/0006_deletion_policies.sql.
CREATE TABLE deletion_policies (
    tenant      TEXT   PRIMARY KEY,
    mode        TEXT   NOT NULL CHECK (mode IN ('exact','certified','approximate')),
    options     TEXT,
    updated_at  BIGINT NOT NULL
);
ALTER TABLE deletion_requests ADD COLUMN mode_source TEXT NOT NULL DEFAULT 'request'
    CHECK (mode_source IN ('request','tenant_policy','default'));
