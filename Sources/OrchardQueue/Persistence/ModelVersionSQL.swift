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
    /// 1 when an open deletion request has unlearning of model `?` waiting or queued.
    public static let unlearningOpen = """
        SELECT 1 FROM deletion_actions a JOIN deletion_requests r ON r.id = a.request_id
        WHERE a.root_job_id = ? AND a.status IN ('waiting', 'queued') AND r.status IN ('pending', 'running') LIMIT 1
        """
}
