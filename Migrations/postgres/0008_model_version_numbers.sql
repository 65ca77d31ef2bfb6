-- 0008 (PostgreSQL): version numbers unique per model (issue 19 item 10), as Migrations/0008_model_version_numbers.sql.
CREATE TABLE model_version_numbers (
    root_job_id TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    job_id      TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (root_job_id, version),
    UNIQUE (root_job_id, job_id)
);
INSERT INTO model_version_numbers (root_job_id, version, job_id, created_at)
    SELECT root_job_id, version, job_id, created_at FROM model_versions
    ON CONFLICT DO NOTHING;
