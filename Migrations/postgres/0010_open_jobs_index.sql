-- The counterpart of SQLite's 0010 (issue 19 item 2): jobs_claim (status, priority, scheduled_at, seq) and
-- jobs_lease (status, lease_expires_at), which held every job, become one partial index over the unfinished jobs, read
-- by the claim (status = 'queued'), the reaper (status = 'running') and the queue depth; a finished job leaves it.
-- PostgreSQL proves `status = 'queued'` implies the IN list, so its queries need not repeat the index's WHERE (SQLite's
-- `finished_at IS NULL` form is not needed here). `seq` is an identity column: no AUTOINCREMENT to drop.
DROP INDEX jobs_claim;
DROP INDEX jobs_lease;
CREATE INDEX jobs_open ON jobs (status, priority, scheduled_at, seq) WHERE status IN ('queued', 'running', 'paused');
