import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

/// The SQLite side of the deletion workflow: snapshots for the coordinator and its conditional writes.
/// Nothing here knows a job kind: which job unlearns a model, and what its result means, is the
/// coordinator's business (it asks the job-kind registry).
extension OrchardStore {
    public func openDeletionRequestIDs() throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM deletion_requests WHERE status IN ('pending','running') ORDER BY seq")
        }
    }

    public func deletionProgress(id: String) throws -> DeletionProgress? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT tenant, seq, dataset_id FROM deletion_requests WHERE id = ?", arguments: [id]),
                  let request = try Self.fetchDeletionRequest(db, id: id, tenant: row["tenant"]) else { return nil }
            let seq: Int64 = row["seq"], dataset: String = row["dataset_id"]
            var models: [DeletionProgress.ModelProgress] = []
            for action in request.actions {
                var m = DeletionProgress.ModelProgress(action: action, unlearningJob: nil, rootStatus: nil, blocked: false,
                                                       newestCheckpoint: nil, forget: [])
                switch action.status {
                case "queued":
                    if let job = action.jobID { m.unlearningJob = try Self.fetchJob(db, id: job, tenant: nil) }
                case "waiting":
                    let root = action.rootJob
                    // One unlearning job per model at a time, oldest request first: each version builds on the last.
                    m.blocked = try Bool.fetchOne(db, sql: """
                        SELECT 1 FROM deletion_actions a JOIN deletion_requests r ON r.id = a.request_id
                        WHERE a.root_job_id = ? AND a.request_id != ? AND (a.status = 'queued' OR (a.status = 'waiting' AND r.seq < ?))
                        """, arguments: [root, id, seq]) != nil
                    if let rootJob = try Row.fetchOne(db, sql: "SELECT status, latest_checkpoint_id FROM jobs WHERE id = ?", arguments: [root]) {
                        m.rootStatus = JobStatus(rawValue: rootJob["status"])
                        m.newestCheckpoint = try String.fetchOne(db, sql: """
                            SELECT checkpoint_id FROM model_versions WHERE root_job_id = ? ORDER BY version DESC LIMIT 1
                            """, arguments: [root]) ?? (rootJob["latest_checkpoint_id"] as String?)
                    }
                    m.forget = try Row.fetchAll(db, sql: """
                        SELECT d.document_id, d.text FROM deletion_request_documents d
                        WHERE d.request_id = ? AND EXISTS (SELECT 1 FROM lineage l WHERE COALESCE(l.model_root, l.job_id) = ? AND l.dataset_id = ? AND l.document_id = d.document_id)
                        ORDER BY d.position
                        """, arguments: [id, root, dataset]).map { ForgetDocument(id: $0["document_id"], text: ($0["text"] as String?) ?? "") }
                default:
                    break
                }
                models.append(m)
            }
            return DeletionProgress(request: request, models: models)
        }
    }

    /// Queues `submission` for a waiting model through the same insert as `submit`, unless another writer
    /// moved the action on or the model became busy since the snapshot. Returns the job id, or nil.
    public func queueUnlearning(request id: String, model root: String, inputCheckpoint: String, submission: JobSubmission,
                                note: DeletionNote) throws -> String? {
        try pool.write { db in
            let now = now()
            guard let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM deletion_requests WHERE id = ? AND status IN ('pending','running')",
                                               arguments: [id]),
                  try String.fetchOne(db, sql: "SELECT status FROM deletion_actions WHERE request_id = ? AND root_job_id = ?",
                                      arguments: [id, root]) == "waiting" else { return nil }
            let busy = try Bool.fetchOne(db, sql: """
                SELECT 1 FROM deletion_actions a JOIN deletion_requests r ON r.id = a.request_id
                WHERE a.root_job_id = ? AND a.request_id != ? AND (a.status = 'queued' OR (a.status = 'waiting' AND r.seq < ?))
                """, arguments: [root, id, seq]) != nil
            if busy { return nil }
            let jobID = try Self.insertJob(db, submission, at: now)
            try db.execute(sql: """
                UPDATE deletion_actions SET status = 'queued', job_id = ?, input_checkpoint = ?, updated_at = ? WHERE request_id = ? AND root_job_id = ?
                """, arguments: [jobID, inputCheckpoint, now, id, root])
            var data = note.data.objectValue ?? [:]
            data["job"] = .string(jobID)
            try Self.appendDeletionEvent(db, id: id, type: note.type, message: note.message.replacingOccurrences(of: "{job}", with: jobID),
                                         data: .object(data), at: now)
            return jobID
        }
    }

    /// Records how a model's unlearning job ended (once: conditional on the action still being queued on that job)
    /// and its new model version; `redactedParams` replaces the job's stored params (the forgotten text is purged).
    @discardableResult
    /// When the end releases a new version, the model's earlier checkpoints that carry the request's documents are
    /// purged in the same transaction (`purgeSuperseded`) and their files deleted after it commits.
    public func recordUnlearningEnd(request id: String, model root: String, jobID: String, end: ModelUnlearningEnd,
                                    redactedParams: JSONValue?) throws -> Bool {
        let (recorded, purgedPaths): (Bool, [String]) = try pool.write { db in
            let now = now()
            try db.execute(sql: """
                UPDATE deletion_actions SET status = ?, result = ?, updated_at = ? WHERE request_id = ? AND root_job_id = ? AND status = 'queued' AND job_id = ?
                """, arguments: [end.status, end.result.columnText, now, id, root, jobID])
            guard db.changesCount > 0 else { return (false, []) }
            try Self.appendDeletionEvent(db, id: id, type: end.note.type, message: end.note.message, data: end.note.data, at: now)
            var paths: [String] = []
            if let v = end.newVersion {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO model_versions (root_job_id, version, checkpoint_id, job_id, request_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [root, v.version, v.checkpoint, jobID, id, now])
                let purged = try Self.purgeSuperseded(db, request: id, root: root, newVersionJob: jobID, at: now)
                paths = purged.map(\.path)
                if !purged.isEmpty {
                    let ids = JSONValue.array(purged.map { .string($0.id) })
                    try db.execute(sql: "UPDATE deletion_actions SET purged = ? WHERE request_id = ? AND root_job_id = ?",
                                   arguments: [ids.columnText, id, root])
                    try Self.appendDeletionEvent(db, id: id, type: "checkpoints_purged",
                                                 message: "\(purged.count) earlier checkpoints of \(root) carried the documents: files deleted",
                                                 data: ["model": .string(root), "checkpoints": ids], at: now)
                }
            }
            if let redactedParams {
                try db.execute(sql: "UPDATE jobs SET params = ? WHERE id = ?", arguments: [redactedParams.columnText, jobID])
            }
            return (true, paths)
        }
        for p in purgedPaths { checkpointStorage.remove(path: p) }
        return recorded
    }

    /// Marks (in the caller's transaction) every earlier checkpoint of the model that carries one of the request's
    /// documents as purged by it, and returns them. A checkpoint at step s carries a document its job first read at
    /// step t < s (an unknown step counts as read before every checkpoint). The root job's checkpoints before the
    /// first read stay (replay anchors that never saw the documents); every checkpoint of an earlier version job, or of
    /// an unlearning job of this model whose result was not released, goes (each continues a model that was trained on
    /// them: its own lineage does not say when it saw them).
    /// The new version's checkpoints are not touched.
    static func purgeSuperseded(_ db: Database, request: String, root: String, newVersionJob: String,
                                at now: Int64) throws -> [(id: String, path: String)] {
        let first = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS n, MIN(COALESCE(l.first_step, -1)) AS m FROM lineage l
            JOIN deletion_requests r ON r.id = ? AND l.dataset_id = r.dataset_id
            JOIN deletion_request_documents d ON d.request_id = r.id AND d.document_id = l.document_id
            WHERE l.job_id = ?
            """, arguments: [request, root])
        var rows: [Row] = []
        if let first, (first["n"] as Int) > 0, let m = first["m"] as Int? {
            rows += try Row.fetchAll(db, sql: "SELECT id, path FROM checkpoints WHERE job_id = ? AND purged_by IS NULL AND step > ?",
                                     arguments: [root, m])
        }
        // Every other job that edited this model: earlier versions, and unlearning jobs whose result was not released
        // (a rejected approximate edit, a failed replay) — each started from weights that carried the documents.
        rows += try Row.fetchAll(db, sql: """
            SELECT id, path FROM checkpoints WHERE purged_by IS NULL AND job_id != ? AND job_id != ?
              AND (job_id IN (SELECT job_id FROM model_versions WHERE root_job_id = ?)
                   OR job_id IN (SELECT job_id FROM deletion_actions WHERE root_job_id = ? AND job_id IS NOT NULL))
            """, arguments: [newVersionJob, root, root, root])
        for r in rows {
            try db.execute(sql: "UPDATE checkpoints SET purged_by = ?, purged_at = ? WHERE id = ?", arguments: [request, now, r["id"] as String])
        }
        return rows.map { ($0["id"], $0["path"]) }.sorted { $0.0 < $1.0 }
    }

    /// Marks a waiting model as skipped (nothing to unlearn), once.
    public func skipModel(request id: String, model root: String, note: DeletionNote) throws {
        try settleWaitingModel(request: id, model: root, status: "skipped", note: note)
    }

    public func failModel(request id: String, model root: String, note: DeletionNote) throws {
        try settleWaitingModel(request: id, model: root, status: "failed", note: note)
    }

    func settleWaitingModel(request id: String, model root: String, status: String, note: DeletionNote) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE deletion_actions SET status = ?, updated_at = ? WHERE request_id = ? AND root_job_id = ? AND status = 'waiting'",
                           arguments: [status, now(), id, root])
            if db.changesCount > 0 { try Self.appendDeletionEvent(db, id: id, type: note.type, message: note.message, data: note.data, at: now()) }
        }
    }

    /// pending → running, once.
    public func markDeletionRunning(id: String) throws {
        try pool.write { db in
            let now = now()
            try db.execute(sql: "UPDATE deletion_requests SET status = 'running', started_at = ? WHERE id = ? AND status = 'pending'", arguments: [now, id])
            if db.changesCount > 0 {
                try Self.appendDeletionEvent(db, id: id, type: "status", message: "running", data: ["status": "running"], at: now)
            }
        }
    }

    /// Ends a request with its receipt (once), then the purge: the private snapshot and the tombstoned rows lose
    /// their text, so only hashes remain.
    public func finishDeletionRequest(id: String, failed: Bool, receipt: JSONValue, error: JSONValue?) throws {
        try pool.write { db in
            let now = now()
            let status = failed ? "failed" : "completed"
            try db.execute(sql: """
                UPDATE deletion_requests SET status = ?, completed_at = ?, started_at = COALESCE(started_at, ?), receipt = ?, error = ?
                WHERE id = ? AND status IN ('pending','running')
                """, arguments: [status, now, now, receipt.columnText, error?.columnText, id])
            guard db.changesCount > 0 else { return }
            let dataset = try String.fetchOne(db, sql: "SELECT dataset_id FROM deletion_requests WHERE id = ?", arguments: [id]) ?? ""
            let kind = try String.fetchOne(db, sql: "SELECT kind FROM datasets WHERE id = ?", arguments: [dataset]).flatMap(DatasetKind.init(rawValue:))
            let records = DeletableRecordsSQL.of(kind ?? .documents)
            for doc in try String.fetchAll(db, sql: "SELECT document_id FROM deletion_request_documents WHERE request_id = ?", arguments: [id]) {
                try db.execute(sql: records.purge, arguments: [dataset, doc])
            }
            try db.execute(sql: "UPDATE deletion_request_documents SET text = NULL WHERE request_id = ?", arguments: [id])
            try Self.appendDeletionEvent(db, id: id, type: "status", message: status,
                                         data: ["status": .string(status), "manifest_sha256": receipt["manifest_sha256"] ?? .null], at: now)
        }
    }
}
