-- 0003: data-deletion requests (docs/api.md "Deletion requests"), their per-model actions, an append-only
-- event trail, the private snapshot of the forgotten documents (purged to hashes once the request ends),
-- and the version chain of models edited by unlearning.

CREATE TABLE deletion_requests (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,  -- dr_...
    tenant          TEXT    NOT NULL,
    dataset_id      TEXT    NOT NULL,
    mode            TEXT    NOT NULL CHECK (mode IN ('exact','certified')),
    reason          TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending','running','completed','failed')),
    document_count  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    completed_at    INTEGER,
    error           TEXT,                     -- JSON {code, message} when failed
    receipt         TEXT                      -- JSON, set when the request ends
) STRICT;

CREATE INDEX deletion_requests_tenant ON deletion_requests (tenant, seq);
CREATE INDEX deletion_requests_open ON deletion_requests (status) WHERE status IN ('pending','running');

-- The forget set. `text` is a private snapshot handed to the unlearning jobs (the method checks each
-- document's fingerprint); it is set to NULL, together with the tombstoned row's text, when the request ends.
CREATE TABLE deletion_request_documents (
    request_id      TEXT    NOT NULL,
    position        INTEGER NOT NULL,
    document_id     TEXT    NOT NULL,
    content_sha256  TEXT    NOT NULL,         -- SHA-256 of the document's text
    text            TEXT,
    PRIMARY KEY (request_id, position)
) STRICT, WITHOUT ROWID;

-- One row per affected model (a lineage root job): what was done to it.
CREATE TABLE deletion_actions (
    request_id        TEXT    NOT NULL,
    root_job_id       TEXT    NOT NULL,
    job_type          TEXT    NOT NULL,
    action            TEXT    NOT NULL CHECK (action IN ('unlearn','unsupported')),
    status            TEXT    NOT NULL CHECK (status IN ('waiting','queued','completed','failed','skipped')),
    job_id            TEXT,                   -- the topic_unlearn job, once enqueued
    input_checkpoint  TEXT,
    result            TEXT,                   -- JSON result of the unlearning job
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (request_id, root_job_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX deletion_actions_job ON deletion_actions (job_id);

CREATE TABLE deletion_request_events (
    request_id  TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (request_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE deletion_idempotency_keys (
    tenant       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    request_id   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant, key)
) STRICT, WITHOUT ROWID;

-- Model versions made by unlearning: version 0 is the root job's own latest checkpoint.
CREATE TABLE model_versions (
    root_job_id    TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    checkpoint_id  TEXT    NOT NULL,
    job_id         TEXT    NOT NULL,
    request_id     TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (root_job_id, version)
) STRICT, WITHOUT ROWID;
