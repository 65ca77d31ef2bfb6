-- 0009 (PostgreSQL): per-key limits (issue 19 item 8), as Migrations/0009_tenant_limits.sql. NULL: the server's default.
ALTER TABLE api_keys ADD COLUMN requests_per_second DOUBLE PRECISION;
ALTER TABLE api_keys ADD COLUMN max_queued_jobs BIGINT;
ALTER TABLE api_keys ADD COLUMN max_dataset_bytes BIGINT;
