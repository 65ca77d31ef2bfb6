-- 0004 (PostgreSQL): fair attempt accounting, as Migrations/0004_fair_attempts.sql: `max_attempts` bounds the job's
-- own failures (`failures`); lease losses (expired or dead owner) are counted in `interruptions` and bounded
-- separately by the store's `maxInterruptions`.
ALTER TABLE jobs ADD COLUMN failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN interruptions BIGINT NOT NULL DEFAULT 0;
