/// SQL both stores run for a model's versions (portable between SQLite and PostgreSQL; `?` placeholders).
public enum ModelVersionSQL {
    /// The model root of job `?` (bind the job id twice): the root it reserved a version number of, else itself.
    public static let rootOfJob = "COALESCE((SELECT root_job_id FROM model_version_numbers WHERE job_id = ? LIMIT 1), ?)"
    /// The checkpoint of model `?`'s newest released version, else its root job's newest checkpoint (bind the root twice).
    public static let newestCheckpoint = """
        SELECT COALESCE((SELECT checkpoint_id FROM model_versions WHERE root_job_id = ? ORDER BY version DESC LIMIT 1),
                        (SELECT latest_checkpoint_id FROM jobs WHERE id = ?))
        """
    /// A `lineage l` row whose record (a document or a preference pair) is not tombstoned.
    public static let notTombstoned = """
        NOT EXISTS (SELECT 1 FROM documents d WHERE d.dataset_id = l.dataset_id AND d.id = l.document_id AND d.tombstoned_at IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM preference_pairs p WHERE p.dataset_id = l.dataset_id AND p.id = l.document_id AND p.tombstoned_at IS NOT NULL)
        """
    /// 1 when unlearning of model `?` is queued in an open request, or waiting in request `?` or an older open one.
    public static let unlearningOpen = """
        SELECT 1 FROM deletion_actions a JOIN deletion_requests r ON r.id = a.request_id
        WHERE a.root_job_id = ? AND r.status IN ('pending', 'running')
          AND (a.status = 'queued' OR (a.status = 'waiting' AND r.seq <= (SELECT seq FROM deletion_requests WHERE id = ?)))
        LIMIT 1
        """
    /// 1 when a request after the one that released model `?`'s newest version (bind the root twice) ended its action on
    /// the model `failed` or `skipped` (requests reach a model in order, so an earlier one's records are excluded by
    /// the later release).
    public static let carriesDeletedRecords = """
        SELECT 1 FROM deletion_actions a JOIN deletion_requests r ON r.id = a.request_id
        WHERE a.root_job_id = ? AND a.status IN ('failed', 'skipped')
          AND r.seq > COALESCE((SELECT MAX(r2.seq) FROM model_versions v JOIN deletion_requests r2 ON r2.id = v.request_id
                                WHERE v.root_job_id = ?), -1)
        LIMIT 1
        """
}
