-- Exact unlearning by replay (issue 17).
-- documents.bytes: the UTF-8 length of a document's text, kept after a deletion request purges the text, so a
--   training catalog (and its natural mixture weights) can be built over the dataset as uploaded, tombstones
--   included; NULL where the text was purged before this migration (the length is lost).
-- lineage.first_step: the training step at which the job first read the document (NULL: not recorded).
-- lineage.model_root: the model the rows belong to when the job is a new version of another job's model (an
--   unlearning job queued by a deletion request); NULL: the job is its own model. Affected models are
--   COALESCE(model_root, job_id).
-- checkpoints.pinned: kept by retention (replay anchors of a model), besides the newest and the best.
-- deletion_requests.options: the request's unlearning options (approximate mode: method, hyperparameters and the
--   forget-quality bar), canonical JSON; NULL for exact and certified requests.
ALTER TABLE documents ADD COLUMN bytes INTEGER;
UPDATE documents SET bytes = CASE WHEN tombstoned_at IS NOT NULL AND text = '' THEN NULL ELSE length(CAST(text AS BLOB)) END;
ALTER TABLE lineage ADD COLUMN first_step INTEGER;
ALTER TABLE lineage ADD COLUMN model_root TEXT;
CREATE INDEX lineage_model_root ON lineage (model_root) WHERE model_root IS NOT NULL;
ALTER TABLE checkpoints ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
-- deletion_requests gains mode 'approximate' (a CHECK constraint: the table is rebuilt, rows and seq kept) and options.
CREATE TABLE deletion_requests_v5 (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    tenant          TEXT    NOT NULL,
    dataset_id      TEXT    NOT NULL,
    mode            TEXT    NOT NULL CHECK (mode IN ('exact','certified','approximate')),
    reason          TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending','running','completed','failed')),
    document_count  INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    completed_at    INTEGER,
    error           TEXT,
    receipt         TEXT,
    options         TEXT
) STRICT;
INSERT INTO deletion_requests_v5 (seq, id, tenant, dataset_id, mode, reason, status, document_count, created_at, started_at,
                                  completed_at, error, receipt)
    SELECT seq, id, tenant, dataset_id, mode, reason, status, document_count, created_at, started_at, completed_at, error, receipt
    FROM deletion_requests;
DROP TABLE deletion_requests;
ALTER TABLE deletion_requests_v5 RENAME TO deletion_requests;
CREATE INDEX deletion_requests_tenant ON deletion_requests (tenant, seq);
CREATE INDEX deletion_requests_open ON deletion_requests (status) WHERE status IN ('pending','running');
