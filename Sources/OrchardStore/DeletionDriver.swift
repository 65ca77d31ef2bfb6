import Foundation
import GRDB
import OrchardJobs

extension OrchardStore {
    /// Advances every open deletion request one step; called in a loop by the server's `DeletionRequestDriver`.
    /// Each request is advanced in its own write transaction and every step re-reads the state it acts on,
    /// so running it twice, or from two processes, never enqueues a job twice or skips one (idempotent;
    /// SQLite serialises the writers). `validate` resolves an unlearning job's params through its runner.
    /// Returns how many requests changed.
    @discardableResult
    public func advanceDeletionRequests(validate: (String, JSONValue) throws -> JSONValue) throws -> Int {
        let open = try pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM deletion_requests WHERE status IN ('pending','running') ORDER BY seq")
        }
        var changed = 0
        for id in open where try advanceDeletionRequest(id: id, validate: validate) { changed += 1 }
        return changed
    }

    func advanceDeletionRequest(id: String, validate: (String, JSONValue) throws -> JSONValue) throws -> Bool {
        try pool.write { db in
            guard let req = try Row.fetchOne(db, sql: "SELECT * FROM deletion_requests WHERE id = ?", arguments: [id]),
                  let status = DeletionStatus(rawValue: req["status"]), !status.isTerminal else { return false }
            let now = now()
            let tenant: String = req["tenant"], seq: Int64 = req["seq"], mode: String = req["mode"], dataset: String = req["dataset_id"]
            var changed = false
            var anyStarted = false
            for action in try Row.fetchAll(db, sql: "SELECT * FROM deletion_actions WHERE request_id = ? ORDER BY root_job_id", arguments: [id]) {
                let root: String = action["root_job_id"]
                switch action["status"] as String {
                case "queued":
                    let jobID: String = action["job_id"]
                    guard let job = try Row.fetchOne(db, sql: "SELECT status, result, error FROM jobs WHERE id = ?", arguments: [jobID]),
                          let js = JobStatus(rawValue: job["status"]) else { continue }
                    if js != .queued { anyStarted = true }
                    guard js.isTerminal else { continue }
                    let result = JSONValue(columnText: job["result"])
                    if js == .succeeded, let result {
                        if result["unchanged"]?.boolValue != true, let ckpt = result["checkpoint"]?.stringValue,
                           let version = result["model_version"]?.intValue {
                            try db.execute(sql: """
                                INSERT OR IGNORE INTO model_versions (root_job_id, version, checkpoint_id, job_id, request_id, created_at)
                                VALUES (?, ?, ?, ?, ?, ?)
                                """, arguments: [root, version, ckpt, jobID, id, now])
                        }
                        try db.execute(sql: "UPDATE deletion_actions SET status = 'completed', result = ?, updated_at = ? WHERE request_id = ? AND root_job_id = ?",
                                       arguments: [result.columnText, now, id, root])
                        try Self.appendDeletionEvent(db, id: id, type: "unlearning_completed",
                            message: "model \(root): new version \(result["model_version"]?.intValue ?? 0) (\(result["checkpoint"]?.stringValue ?? "unchanged"))",
                            data: ["job": .string(jobID), "model": .string(root), "checkpoint": result["checkpoint"] ?? .null,
                                   "retrained": result["retrained"] ?? .bool(false)], at: now)
                    } else {
                        let err = JSONValue(columnText: job["error"]) ?? .null
                        try db.execute(sql: "UPDATE deletion_actions SET status = 'failed', result = ?, updated_at = ? WHERE request_id = ? AND root_job_id = ?",
                                       arguments: [JSONValue.object(["error": err]).columnText, now, id, root])
                        try Self.appendDeletionEvent(db, id: id, type: "unlearning_failed", message: "unlearning job \(jobID) \(js.rawValue)",
                                                     data: ["job": .string(jobID), "model": .string(root), "error": err], at: now)
                    }
                    try Self.purgeForgetText(db, jobID: jobID)
                    changed = true
                case "waiting":
                    // One unlearning job per model at a time, oldest request first: each version builds on the last.
                    let busy = try Bool.fetchOne(db, sql: """
                        SELECT 1 FROM deletion_actions a JOIN deletion_requests r ON r.id = a.request_id
                        WHERE a.root_job_id = ? AND a.request_id != ? AND (a.status = 'queued' OR (a.status = 'waiting' AND r.seq < ?))
                        """, arguments: [root, id, seq]) != nil
                    guard !busy, let rootJob = try Row.fetchOne(db, sql: "SELECT status, latest_checkpoint_id FROM jobs WHERE id = ?", arguments: [root]),
                          let rs = JobStatus(rawValue: rootJob["status"]) else { continue }
                    if !rs.isTerminal { continue }   // still training on a snapshot taken before the tombstone: unlearn when done
                    let latest = try String.fetchOne(db, sql: "SELECT checkpoint_id FROM model_versions WHERE root_job_id = ? ORDER BY version DESC LIMIT 1",
                                                     arguments: [root]) ?? (rootJob["latest_checkpoint_id"] as String?)
                    guard rs == .succeeded, let input = latest else {
                        try db.execute(sql: "UPDATE deletion_actions SET status = 'skipped', updated_at = ? WHERE request_id = ? AND root_job_id = ?",
                                       arguments: [now, id, root])
                        try Self.appendDeletionEvent(db, id: id, type: "model_skipped", message: "job \(root) \(rs.rawValue) without a model: nothing to unlearn",
                                                     data: ["model": .string(root)], at: now)
                        changed = true
                        continue
                    }
                    let forget = try Row.fetchAll(db, sql: """
                        SELECT d.document_id, d.text FROM deletion_request_documents d
                        WHERE d.request_id = ? AND EXISTS (SELECT 1 FROM lineage l WHERE l.job_id = ? AND l.dataset_id = ? AND l.document_id = d.document_id)
                        ORDER BY d.position
                        """, arguments: [id, root, dataset]).map { r -> JSONValue in
                        let docID: String = r["document_id"], text: String? = r["text"]
                        return ["id": .string(docID), "text": .string(text ?? "")]
                    }
                    let params: JSONValue = ["checkpoint": .string(input), "forget_documents": .array(forget), "mode": .string(mode),
                                             "dataset": .string(dataset), "deletion_request": .string(id)]
                    let resolved = try validate(UnlearningMethods.unlearnJobType, params)
                    let jobID = Identifiers.make("job")
                    try db.execute(sql: """
                        INSERT INTO jobs (id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts, scheduled_at, created_at)
                        VALUES (?, ?, ?, 'queued', 1, ?, 0, ?, 0, 3, ?, ?)
                        """, arguments: [jobID, tenant, UnlearningMethods.unlearnJobType, resolved.columnText,
                                         JSONValue.object(["deletion_request": .string(id), "model": .string(root)]).columnText, now, now])
                    try Self.appendEvent(db, jobID: jobID, type: QueueEventType.queued,
                                         data: ["type": .string(UnlearningMethods.unlearnJobType)], attempt: 0, at: now)
                    try db.execute(sql: """
                        UPDATE deletion_actions SET status = 'queued', job_id = ?, input_checkpoint = ?, updated_at = ? WHERE request_id = ? AND root_job_id = ?
                        """, arguments: [jobID, input, now, id, root])
                    try Self.appendDeletionEvent(db, id: id, type: "unlearning_job_queued",
                                                 message: "topic_unlearn job \(jobID) on \(input) (model \(root))",
                                                 data: ["job": .string(jobID), "model": .string(root), "input_checkpoint": .string(input)], at: now)
                    changed = true
                default:
                    continue
                }
            }
            let statuses = try Self.actionStatuses(db, id)
            // pending: waiting for an affected model to finish training or for an earlier request on it;
            // running: unlearning work has been queued (or there was nothing left to wait for).
            if status == .pending && (anyStarted || changed || Self.allActionsSettled(statuses)) {
                try db.execute(sql: "UPDATE deletion_requests SET status = 'running', started_at = ? WHERE id = ?", arguments: [now, id])
                try Self.appendDeletionEvent(db, id: id, type: "status", message: "running", data: ["status": "running"], at: now)
                changed = true
            }
            if Self.allActionsSettled(try Self.actionStatuses(db, id)) {
                try finishDeletionRequest(db, id: id, failed: statuses.contains("failed"), now: now)
                changed = true
            }
            return changed
        }
    }

    static func actionStatuses(_ db: Database, _ id: String) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT status FROM deletion_actions WHERE request_id = ?", arguments: [id])
    }

    static func allActionsSettled(_ statuses: [String]) -> Bool {
        statuses.allSatisfy { $0 == "completed" || $0 == "failed" || $0 == "skipped" }
    }

    /// Replaces each forgotten document's text in a finished unlearning job's params by its SHA-256.
    static func purgeForgetText(_ db: Database, jobID: String) throws {
        guard let text = try String.fetchOne(db, sql: "SELECT params FROM jobs WHERE id = ?", arguments: [jobID]),
              var params = JSONValue(columnText: text)?.objectValue, let docs = params["forget_documents"]?.arrayValue else { return }
        params["forget_documents"] = .array(docs.map { d in
            guard var o = d.objectValue, let t = o["text"]?.stringValue else { return d }
            o["text"] = nil
            o["text_sha256"] = .string(sha256Hex(t))
            return .object(o)
        })
        try db.execute(sql: "UPDATE jobs SET params = ? WHERE id = ?", arguments: [JSONValue.object(params).columnText, jobID])
    }

    /// Ends a request: the receipt (a SHA-256 over a canonical JSON manifest), then the purge: the private
    /// snapshot and the tombstoned rows lose their text, so only hashes remain.
    func finishDeletionRequest(_ db: Database, id: String, failed: Bool, now: Int64) throws {
        guard let req = try Row.fetchOne(db, sql: "SELECT * FROM deletion_requests WHERE id = ?", arguments: [id]) else { return }
        let docs = try Row.fetchAll(db, sql: "SELECT document_id, content_sha256 FROM deletion_request_documents WHERE request_id = ? ORDER BY position",
                                    arguments: [id])
        var actions: [JSONValue] = []
        for a in try Row.fetchAll(db, sql: "SELECT * FROM deletion_actions WHERE request_id = ? ORDER BY root_job_id", arguments: [id]) {
            let result = JSONValue(columnText: a["result"]) ?? .null
            var o: [String: JSONValue] = ["model": .string(a["root_job_id"]), "type": .string(a["job_type"]),
                                          "action": .string(a["action"]), "status": .string(a["status"])]
            if let ckpt = result["checkpoint"]?.stringValue, result["unchanged"]?.boolValue != true {
                let files = try String.fetchOne(db, sql: "SELECT files FROM checkpoints WHERE id = ?", arguments: [ckpt]) ?? "[]"
                let list = (try? JSONDecoder().decode([CheckpointFile].self, from: Data(files.utf8))) ?? []
                o["checkpoint"] = .string(ckpt)
                o["checkpoint_files"] = .array(list.map { ["name": .string($0.name), "sha256": .string($0.sha256)] })
                o["method"] = result["method"] ?? .null
                o["mode"] = result["mode"] ?? .null
                o["model_version"] = result["model_version"] ?? .null
                o["guarantee"] = Self.guaranteeJSON(result)
            } else if (a["action"] as String) == "unsupported" {
                o["guarantee"] = ["kind": "none", "statement": "no unlearning method exists for this job type: the model still reflects the documents until it is retrained without them (the documents are tombstoned, so a retrain cannot read them)"]
            }
            if let input = a["input_checkpoint"] as String? { o["input_checkpoint"] = .string(input) }
            actions.append(.object(o))
        }
        let manifest: JSONValue = [
            "request": ["id": .string(id), "dataset": .string(req["dataset_id"]), "mode": .string(req["mode"]),
                        "reason_sha256": .string(Self.sha256Hex(req["reason"])), "created_at": .number(Double(req["created_at"] as Int64)),
                        "document_count": .number(Double(req["document_count"] as Int))],
            "documents": .array(docs.map { d -> JSONValue in
                ["id_sha256": .string(Self.sha256Hex(d["document_id"])), "content_sha256": .string(d["content_sha256"])]
            }),
            "actions": .array(actions),
            "status": .string(failed ? "failed" : "completed"),
        ]
        let receipt: JSONValue = ["manifest": manifest, "manifest_sha256": .string(Fingerprint.sha256(manifest.canonicalData())),
                                  "issued_at": .number(Double(now)), "hash": "sha256 over the manifest's canonical JSON (sorted keys, no whitespace)"]
        let error: JSONValue? = failed ? ["code": "unlearning_failed", "message": "an unlearning job failed; see the actions and events"] : nil
        try db.execute(sql: "UPDATE deletion_requests SET status = ?, completed_at = ?, started_at = COALESCE(started_at, ?), receipt = ?, error = ? WHERE id = ?",
                       arguments: [failed ? "failed" : "completed", now, now, receipt.columnText, error?.columnText, id])
        try db.execute(sql: "UPDATE deletion_request_documents SET text = NULL WHERE request_id = ?", arguments: [id])
        for d in docs {
            try db.execute(sql: "UPDATE documents SET text = '' WHERE dataset_id = ? AND id = ? AND tombstoned_at IS NOT NULL",
                           arguments: [req["dataset_id"] as String, d["document_id"] as String])
        }
        try Self.appendDeletionEvent(db, id: id, type: "status", message: failed ? "failed" : "completed",
                                     data: ["status": .string(failed ? "failed" : "completed"),
                                            "manifest_sha256": receipt["manifest_sha256"] ?? .null], at: now)
    }

    /// The guarantee stated in the receipt, with what is proven and what is empirical spelled out.
    static func guaranteeJSON(_ result: JSONValue) -> JSONValue {
        let kind = result["guarantee"]?.stringValue ?? "unknown"
        var o: [String: JSONValue] = ["kind": .string(kind), "statement": result["guarantee_statement"] ?? .null]
        switch kind {
        case "exact_retrain_equivalent":
            o["summary"] = "exact: equals retraining without the documents ((0,0)-unlearning; checked to 1e-6 against a retrain in the tests)"
        case "certified_given_supplied_bound":
            o["summary"] = "certified: (ε, δ)-unlearning is proven by the Gaussian-mechanism theorem provided the caller-supplied per-deletion sensitivity bound holds; that bound is the caller's claim, not proven here"
        case "empirical_not_certified":
            o["summary"] = "empirical, not certified: the noise follows the Gaussian mechanism for (ε, δ), but the sensitivity Δ was measured on random forget sets, so the (ε, δ) bound is empirical, not proven"
        default: break
        }
        if let c = result["capacity"], c != .null {
            o["epsilon"] = c["epsilon"] ?? .null; o["delta"] = c["delta"] ?? .null
            o["capacity"] = c["capacity"] ?? .null; o["capacity_remaining"] = c["remaining"] ?? .null
            o["retrains"] = c["retrains"] ?? .null
        }
        if result["retrained"]?.boolValue == true { o["retrained"] = true }
        return .object(o)
    }
}
