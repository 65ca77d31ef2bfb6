-- Per-key limits (issue 19 item 8). NULL: the server's default for that limit (`orchard serve` flags), and no limit
-- when the server sets none. requests_per_second: a token bucket per key (burst: one second's worth, at least 1);
-- max_queued_jobs: the tenant's unfinished jobs (queued, running, paused) a submission with this key may not exceed;
-- max_dataset_bytes: the tenant's stored dataset bytes an upload with this key may not exceed.
ALTER TABLE api_keys ADD COLUMN requests_per_second REAL;
ALTER TABLE api_keys ADD COLUMN max_queued_jobs INTEGER;
ALTER TABLE api_keys ADD COLUMN max_dataset_bytes INTEGER;
