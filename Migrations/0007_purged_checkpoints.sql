-- Superseded checkpoints that still carry deleted documents (issue 17): when a deletion request releases a new
-- version of a model, the model's earlier checkpoints that were trained on any of the request's documents are
-- purged: their files are deleted, the rows stay so the API can answer 410 and name the request.
-- checkpoints.purged_by: the deletion request; purged_at: when (milliseconds).
-- deletion_actions.purged: the checkpoint ids the action purged, a JSON array (NULL: none).
ALTER TABLE checkpoints ADD COLUMN purged_by TEXT;
ALTER TABLE checkpoints ADD COLUMN purged_at INTEGER;
CREATE INDEX checkpoints_purged ON checkpoints (purged_by) WHERE purged_by IS NOT NULL;
ALTER TABLE deletion_actions ADD COLUMN purged TEXT;
