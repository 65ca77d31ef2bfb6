-- 0005 (PostgreSQL): exact unlearning by replay (issue 17), as Migrations/0005_replay_lineage.sql: documents.bytes,
-- lineage.first_step and lineage.model_root, checkpoints.pinned, and deletion_requests gains mode 'approximate'
-- and options (PostgreSQL replaces the CHECK constraint in place; SQLite rebuilds the table).
ALTER TABLE documents ADD COLUMN bytes BIGINT;
UPDATE documents SET bytes = CASE WHEN tombstoned_at IS NOT NULL AND text = '' THEN NULL ELSE octet_length(text) END;
ALTER TABLE lineage ADD COLUMN first_step BIGINT;
ALTER TABLE lineage ADD COLUMN model_root TEXT;
CREATE INDEX lineage_model_root ON lineage (model_root) WHERE model_root IS NOT NULL;
ALTER TABLE checkpoints ADD COLUMN pinned BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deletion_requests DROP CONSTRAINT deletion_requests_mode;
ALTER TABLE deletion_requests ADD CONSTRAINT deletion_requests_mode CHECK (mode IN ('exact','certified','approximate'));
ALTER TABLE deletion_requests ADD COLUMN options TEXT;
