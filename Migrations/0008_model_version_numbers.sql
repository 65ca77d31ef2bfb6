-- Version numbers unique per model (issue 19 item 10). A job that releases a new version of a model (an unlearning
-- job, queued by a deletion request or submitted directly) reserves its number here before it writes the version:
-- one past the root's own number and every number reserved for the model so far. A job keeps its number when it
-- resumes (UNIQUE (root_job_id, job_id)); a number whose job failed is not reused, so numbers can skip.
CREATE TABLE model_version_numbers (
    root_job_id TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    job_id      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (root_job_id, version),
    UNIQUE (root_job_id, job_id)
) STRICT;
INSERT OR IGNORE INTO model_version_numbers (root_job_id, version, job_id, created_at)
    SELECT root_job_id, version, job_id, created_at FROM model_versions;
