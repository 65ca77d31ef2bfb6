-- Fewer pages written per job (issue 19 item 2): every write of the queue's hot path (submit, claim, finish)
-- dirtied about 21 pages; with this schema about 15 (measured on the bench's transactions, docs/performance.md).
-- 1. jobs.seq without AUTOINCREMENT: SQLite then numbers a row max(seq) + 1 instead of also updating
--    sqlite_sequence on every insert. seq still grows with insertion order (rows are only deleted by retention,
--    oldest first, so a reused seq can only follow the newest row having been deleted); cursors are job ids.
-- 2. jobs_claim (status, priority, scheduled_at, seq) and jobs_lease (status, lease_expires_at), which held
--    every job, become one partial index over the unfinished jobs (finished_at IS NULL, i.e. queued, running or
--    paused, by the CHECK below): the claim (status = 'queued', in claim order), the reaper (status = 'running'),
--    the per-tenant limit and the queue depth read it; a finished job leaves it, so finishing writes one index page
--    instead of two and the index stays as small as the queue. Its WHERE is `finished_at IS NULL`, not
--    `status IN (…)`, because SQLite uses a partial index only when the query repeats its WHERE term: every query
--    meant for it says `finished_at IS NULL`.
-- The table is rebuilt (no foreign key names it); rows, ids and seq values are kept.
CREATE TABLE jobs_v10 (
    seq                  INTEGER PRIMARY KEY,                -- insertion order: cursor paging
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
    failures             INTEGER NOT NULL DEFAULT 0,         -- attempts that failed (spend max_attempts)
    interruptions        INTEGER NOT NULL DEFAULT 0,         -- leases lost (bounded by max interruptions)
    CHECK ((finished_at IS NOT NULL) = (status IN ('succeeded','failed','cancelled'))),
    CHECK ((lease_owner IS NOT NULL) = (status = 'running'))
) STRICT;
INSERT INTO jobs_v10 (seq, id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts, scheduled_at,
                      lease_owner, lease_expires_at, heartbeat_at, cancel_requested_at, pause_requested_at, progress_step,
                      progress_total, progress_tokens, result, error, latest_checkpoint_id, created_at, started_at,
                      finished_at, failures, interruptions)
    SELECT seq, id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts, scheduled_at,
           lease_owner, lease_expires_at, heartbeat_at, cancel_requested_at, pause_requested_at, progress_step,
           progress_total, progress_tokens, result, error, latest_checkpoint_id, created_at, started_at,
           finished_at, failures, interruptions
    FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v10 RENAME TO jobs;
CREATE INDEX jobs_tenant ON jobs (tenant, seq);
CREATE INDEX jobs_open ON jobs (status, priority, scheduled_at, seq) WHERE finished_at IS NULL;
