-- 0001: API keys, the job queue, per-job events, idempotency keys and the checkpoint index.
-- Timestamps are integer milliseconds since 1970 passed in from Swift (an injectable clock):
-- Debian 12's SQLite 3.40 has no 'subsec' modifier.

CREATE TABLE api_keys (
    id          TEXT    NOT NULL PRIMARY KEY,
    tenant      TEXT    NOT NULL,
    key_hash    TEXT    NOT NULL UNIQUE,   -- hex SHA-256 of the bearer key; the key itself is never stored
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE jobs (
    seq                  INTEGER PRIMARY KEY AUTOINCREMENT,  -- insertion order: cursor paging
    id                   TEXT    NOT NULL UNIQUE,            -- job_...
    tenant               TEXT    NOT NULL,
    type                 TEXT    NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('queued','running','paused','succeeded','failed','cancelled')),
    priority             INTEGER NOT NULL,                   -- 0 runs first
    params               TEXT    NOT NULL,                   -- resolved params (JSON)
    seed                 INTEGER NOT NULL,
    metadata             TEXT    NOT NULL,                   -- JSON object of strings
    attempt              INTEGER NOT NULL DEFAULT 0,
    max_attempts         INTEGER NOT NULL,
    scheduled_at         INTEGER NOT NULL,                   -- not claimable before (retry backoff)
    lease_owner          TEXT,
    lease_expires_at     INTEGER,
    heartbeat_at         INTEGER,
    cancel_requested_at  INTEGER,
    pause_requested_at   INTEGER,
    progress_step        INTEGER,
    progress_total       INTEGER,
    progress_tokens      INTEGER,
    result               TEXT,
    error                TEXT,
    latest_checkpoint_id TEXT,
    created_at           INTEGER NOT NULL,
    started_at           INTEGER,
    finished_at          INTEGER,
    CHECK ((finished_at IS NOT NULL) = (status IN ('succeeded','failed','cancelled'))),
    CHECK ((lease_owner IS NOT NULL) = (status = 'running'))
) STRICT;

CREATE INDEX jobs_claim  ON jobs (status, priority, scheduled_at, seq);
CREATE INDEX jobs_tenant ON jobs (tenant, seq);
CREATE INDEX jobs_lease  ON jobs (status, lease_expires_at);

CREATE TABLE job_events (
    job_id      TEXT    NOT NULL,
    seq         INTEGER NOT NULL,   -- 1, 2, 3, ... per job, no gaps
    type        TEXT    NOT NULL,
    level       TEXT    NOT NULL CHECK (level IN ('info','warn','error')),
    message     TEXT    NOT NULL,
    data        TEXT    NOT NULL,   -- JSON
    attempt     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE idempotency_keys (
    tenant       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,  -- SHA-256 of the canonical request body
    job_id       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE checkpoints (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,  -- ckpt_...
    job_id      TEXT    NOT NULL,
    tenant      TEXT    NOT NULL,
    step        INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,
    metrics     TEXT    NOT NULL,         -- JSON object name -> number
    files       TEXT    NOT NULL,         -- JSON array of {name, bytes, sha256}
    path        TEXT    NOT NULL,         -- directory, relative to the checkpoint root
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX checkpoints_job ON checkpoints (job_id, step);
