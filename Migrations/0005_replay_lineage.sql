-- Exact unlearning by replay (issue 17).
-- documents.bytes: the UTF-8 length of a document's text, kept after a deletion request purges the text, so a
--   training catalog (and its natural mixture weights) can be built over the dataset as uploaded, tombstones
--   included; NULL where the text was purged before this migration (the length is lost).
-- lineage.first_step: the training step at which the job first read the document (NULL: not recorded).
-- lineage.model_root: the model the rows belong to when the job is a new version of another job's model (an
--   unlearning job queued by a deletion request); NULL: the job is its own model. Affected models are
--   COALESCE(model_root, job_id).
-- checkpoints.pinned: kept by retention (replay anchors of a model), besides the newest and the best.
ALTER TABLE documents ADD COLUMN bytes INTEGER;
UPDATE documents SET bytes = CASE WHEN tombstoned_at IS NOT NULL AND text = '' THEN NULL ELSE length(CAST(text AS BLOB)) END;
ALTER TABLE lineage ADD COLUMN first_step INTEGER;
ALTER TABLE lineage ADD COLUMN model_root TEXT;
CREATE INDEX lineage_model_root ON lineage (model_root) WHERE model_root IS NOT NULL;
ALTER TABLE checkpoints ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
