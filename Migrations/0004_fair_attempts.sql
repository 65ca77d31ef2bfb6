-- Fair attempt accounting: `max_attempts` bounds the job's own failures (`failures`); a pause, a drain or the death of
-- the process that held the lease does not spend it. Lease losses (expired or dead owner) are counted in
-- `interruptions` and bounded separately by the store's `maxInterruptions` (a job that kills its worker every time).
ALTER TABLE jobs ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;
