-- Tenant deletion policies (issue 17 item 5): the mode (and approximate mode's method, hyperparameters and
-- forget-quality bar, canonical JSON) a deletion request runs when it names no mode. No row: the service default,
-- exact.
-- deletion_requests.mode_source: where a request's mode came from: 'request' (it named one), 'tenant_policy',
--   'default' (no policy). Requests filed before this migration named their mode or took the default: 'request'.
CREATE TABLE deletion_policies (
    tenant      TEXT    PRIMARY KEY,
    mode        TEXT    NOT NULL CHECK (mode IN ('exact','certified','approximate')),
    options     TEXT,
    updated_at  INTEGER NOT NULL
) STRICT;
ALTER TABLE deletion_requests ADD COLUMN mode_source TEXT NOT NULL DEFAULT 'request'
    CHECK (mode_source IN ('request','tenant_policy','default'));
