-- 0002: datasets of documents or preference pairs, tombstones for deleted records, and lineage
-- (which job trained on which documents) so that a deletion request knows the models it touches.

CREATE TABLE datasets (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT    NOT NULL UNIQUE,  -- ds_...
    tenant        TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('documents','preference_pairs')),
    record_count  INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,         -- of the uploaded JSONL bytes
    created_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX datasets_tenant ON datasets (tenant, seq);

CREATE TABLE documents (
    dataset_id     TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    domain         TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    line           INTEGER NOT NULL,
    tombstoned_at  INTEGER,               -- set by a deletion request; never read into a mixture again
    PRIMARY KEY (dataset_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE preference_pairs (
    dataset_id     TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    prompt         TEXT    NOT NULL,
    chosen         TEXT    NOT NULL,
    rejected       TEXT    NOT NULL,
    line           INTEGER NOT NULL,
    tombstoned_at  INTEGER,
    PRIMARY KEY (dataset_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE lineage (
    job_id       TEXT    NOT NULL,
    dataset_id   TEXT    NOT NULL,
    document_id  TEXT    NOT NULL,
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (job_id, dataset_id, document_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX lineage_document ON lineage (dataset_id, document_id);
