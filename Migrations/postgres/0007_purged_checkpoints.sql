-- 0007 (PostgreSQL): superseded checkpoints that still carry deleted documents, as Migrations/0007_purged_checkpoints.sql.
-- checkpoints.purged_by: the deletion request; purged_at: when (milliseconds).
-- deletion_actions.purged: the checkpoint ids the action purged, a JSON array (NULL: none).
ALTER TABLE checkpoints ADD COLUMN purged_by TEXT;
ALTER TABLE checkpoints ADD COLUMN purged_at BIGINT;
CREATE INDEX checkpoints_purged ON checkpoints (purged_by) WHERE purged_by IS NOT NULL;
ALTER TABLE deletion_actions ADD COLUMN purged TEXT;
