import Foundation
import OrchardJobs
import OrchardQueue

/// The PostgreSQL side of the deletion workflow: snapshots for the coordinator and its conditional writes. Several
/// API servers run a coordinator each against one database: every write is conditional on the state it moves from
/// (or SERIALIZABLE where it decides on several rows), so two coordinators never both act.
extension PostgresStore {
    public func openDeletionRequestIDs() throws -> [String] {
        try read { db in
            try db.values(String.self, sql: "SELECT id FROM deletion_requests WHERE status IN ('pending','running') ORDER BY seq")
        }
    }

    public func deletionProgress(id: String) throws -> DeletionProgress? {
        try read { db in
            guard let row = try db.row(sql: "SELECT tenant, seq, dataset_id FROM deletion_requests WHERE id = ?", arguments: [id]),
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
                    m.blocked = try Self.modelBusy(db, root: root, request: id, requestSeq: seq)
                    if let rootJob = try db.row(sql: "SELECT status, latest_checkpoint_id FROM jobs WHERE id = ?", arguments: [root]) {
                        m.rootStatus = JobStatus(rawValue: rootJob["status"])
                        m.newestCheckpoint = try db.value(String.self, sql: """
                            SELECT checkpoint_id FROM model_versions WHERE root_job_id = ? ORDER BY version DESC LIMIT 1
                            """, arguments: [root]) ?? (rootJob["latest_checkpoint_id"] as String?)
                    }
                    m.forget = try db.rows(sql: """
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

    /// True when another request holds the model: its unlearning job is queued, or it is waiting and older.
    static func modelBusy(_ db: PostgresSession, root: String, request: String, requestSeq: Int64) throws -> Bool {
        try db.value(Int.self, sql: """
            SELECT 1 FROM deletion_actions a JOIN deletion_requests r ON r.id = a.request_id
            WHERE a.root_job_id = ? AND a.request_id != ? AND (a.status = 'queued' OR (a.status = 'waiting' AND r.seq < ?))
            LIMIT 1
            """, arguments: [root, request, requestSeq]) != nil
    }

    /// Queues `submission` for a waiting model through the same insert as `submit`, unless another writer moved the
    /// action on or the model became busy since the snapshot (SERIALIZABLE). Returns the job id, or nil.
    public func queueUnlearning(request id: String, model root: String, inputCheckpoint: String, submission: JobSubmission,
                                note: DeletionNote) throws -> String? {
        try serializableWrite { db in
            let now = now()
            guard let seq = try db.value(Int64.self, sql: "SELECT seq FROM deletion_requests WHERE id = ? AND status IN ('pending','running')",
                                         arguments: [id]),
                  try db.value(String.self, sql: "SELECT status FROM deletion_actions WHERE request_id = ? AND root_job_id = ?",
                               arguments: [id, root]) == "waiting" else { return nil }
            if try Self.modelBusy(db, root: root, request: id, requestSeq: seq) { return nil }
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
    /// and its new model version; `redactedParams` replaces the job's stored params. A new version purges the model's
    /// earlier checkpoints that carry the request's documents (`purgeSuperseded`); their files are deleted after commit.
    @discardableResult
    public func recordUnlearningEnd(request id: String, model root: String, jobID: String, end: ModelUnlearningEnd,
                                    redactedParams: JSONValue?) throws -> Bool {
        let (recorded, purgedPaths): (Bool, [String]) = try serializableWrite { db in
            let now = now()
            try db.execute(sql: """
                UPDATE deletion_actions SET status = ?, result = ?, updated_at = ? WHERE request_id = ? AND root_job_id = ? AND status = 'queued' AND job_id = ?
                """, arguments: [end.status, end.result.jsonText, now, id, root, jobID])
            guard db.changesCount > 0 else { return (false, []) }
            try Self.appendDeletionEvent(db, id: id, type: end.note.type, message: end.note.message, data: end.note.data, at: now)
            var paths: [String] = []
            if let v = end.newVersion {
                try db.execute(sql: """
                    INSERT INTO model_versions (root_job_id, version, checkpoint_id, job_id, request_id, created_at)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                    """, arguments: [root, v.version, v.checkpoint, jobID, id, now])
                let purged = try Self.purgeSuperseded(db, request: id, root: root, newVersionJob: jobID, at: now)
                paths = purged.map(\.path)
                if !purged.isEmpty {
                    let ids = JSONValue.array(purged.map { .string($0.id) })
                    try db.execute(sql: "UPDATE deletion_actions SET purged = ? WHERE request_id = ? AND root_job_id = ?",
                                   arguments: [ids.jsonText, id, root])
                    try Self.appendDeletionEvent(db, id: id, type: "checkpoints_purged",
                                                 message: "\(purged.count) earlier checkpoints of \(root) carried the documents: files deleted",
                                                 data: ["model": .string(root), "checkpoints": ids], at: now)
                }
            }
            if let redactedParams {
                try db.execute(sql: "UPDATE jobs SET params = ? WHERE id = ?", arguments: [redactedParams.jsonText, jobID])
            }
            return (true, paths)
        }
        for p in purgedPaths { checkpointStorage.remove(path: p) }
        return recorded
    }

    /// Marks (in the caller's transaction) every earlier checkpoint of the model that carries one of the request's
    /// documents as purged by it, and returns them; the same rule as the SQLite store's `purgeSuperseded`.
    static func purgeSuperseded(_ db: PostgresSession, request: String, root: String, newVersionJob: String,
                                at now: Int64) throws -> [(id: String, path: String)] {
        let first = try db.row(sql: """
            SELECT COUNT(*) AS n, MIN(COALESCE(l.first_step, -1)) AS m FROM lineage l
            JOIN deletion_requests r ON r.id = ? AND l.dataset_id = r.dataset_id
            JOIN deletion_request_documents d ON d.request_id = r.id AND d.document_id = l.document_id
            WHERE l.job_id = ?
            """, arguments: [request, root])
        var rows: [PostgresStoreRow] = []
        if let first, (first["n"] as Int) > 0, let m = first["m"] as Int? {
            rows += try db.rows(sql: "SELECT id, path FROM checkpoints WHERE job_id = ? AND purged_by IS NULL AND step > ?",
                                arguments: [root, m])
        }
        rows += try db.rows(sql: """
            SELECT id, path FROM checkpoints WHERE purged_by IS NULL AND job_id != ?1 AND job_id != ?2
              AND (job_id IN (SELECT job_id FROM model_versions WHERE root_job_id = ?2)
                   OR job_id IN (SELECT job_id FROM deletion_actions WHERE root_job_id = ?2 AND job_id IS NOT NULL))
            """, arguments: [newVersionJob, root])
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
        try write { db in
            let now = now()
            try db.execute(sql: "UPDATE deletion_actions SET status = ?, updated_at = ? WHERE request_id = ? AND root_job_id = ? AND status = 'waiting'",
                           arguments: [status, now, id, root])
            if db.changesCount > 0 { try Self.appendDeletionEvent(db, id: id, type: note.type, message: note.message, data: note.data, at: now) }
        }
    }

    /// pending → running, once.
    public func markDeletionRunning(id: String) throws {
        try write { db in
            let now = now()
            try db.execute(sql: "UPDATE deletion_requests SET status = 'running', started_at = ? WHERE id = ? AND status = 'pending'", arguments: [now, id])
            if db.changesCount > 0 {
                try Self.appendDeletionEvent(db, id: id, type: "status", message: "running", data: ["status": "running"], at: now)
            }
        }
    }

    /// Ends a request with its receipt (once), then the purge: the private snapshot and the tombstoned rows lose their
    /// text, so only hashes remain.
    public func finishDeletionRequest(id: String, failed: Bool, receipt: JSONValue, error: JSONValue?) throws {
        try write { db in
            let now = now()
            let status = failed ? "failed" : "completed"
            try db.execute(sql: """
                UPDATE deletion_requests SET status = ?1, completed_at = ?2, started_at = COALESCE(started_at, ?2), receipt = ?3, error = ?4
                WHERE id = ?5 AND status IN ('pending','running')
                """, arguments: [status, now, receipt.jsonText, error?.jsonText, id])
            guard db.changesCount > 0 else { return }
            let dataset = try db.value(String.self, sql: "SELECT dataset_id FROM deletion_requests WHERE id = ?", arguments: [id]) ?? ""
            let kind = try db.value(String.self, sql: "SELECT kind FROM datasets WHERE id = ?", arguments: [dataset]).flatMap(DatasetKind.init(rawValue:))
            let records = DeletableRecordsSQL.of(kind ?? .documents)
            for doc in try db.rows(sql: "SELECT document_id FROM deletion_request_documents WHERE request_id = ?", arguments: [id]) {
                try db.execute(sql: records.purge, arguments: [dataset, doc["document_id"] as String])
            }
            try db.execute(sql: "UPDATE deletion_request_documents SET text = NULL WHERE request_id = ?", arguments: [id])
            try Self.appendDeletionEvent(db, id: id, type: "status", message: status,
                                         data: ["status": .string(status), "manifest_sha256": receipt["manifest_sha256"] ?? .null], at: now)
        }
    }
}
