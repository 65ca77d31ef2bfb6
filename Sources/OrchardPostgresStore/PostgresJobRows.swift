import Foundation
import OrchardJobs
import OrchardQueue

/// A PostgreSQL row as `JobColumns`: `Job(columns:)` reads `Job.columns`, selected first, by position.
extension PostgresStoreRow: JobColumns {
    func isNull(_ i: Int) -> Bool { row[i].bytes == nil }
    func int64(_ i: Int) -> Int64 { (self[i] as Int64?) ?? 0 }
    func text(_ i: Int) -> String { (self[i] as String?) ?? "" }
}

extension JobEvent {
    init(postgresRow row: PostgresStoreRow) {
        self.init(jobID: row["job_id"], seq: row["seq"], type: row["type"], level: row["level"], message: row["message"],
                  data: JSONValue(jsonText: row["data"]) ?? .null, attempt: row["attempt"], createdAt: row["created_at"])
    }
}

extension Checkpoint {
    init(postgresRow row: PostgresStoreRow) {
        var m: [String: Double] = [:]
        if case .object(let o)? = JSONValue(jsonText: row["metrics"]) { for (k, v) in o { if let d = v.doubleValue { m[k] = d } } }
        self.init(id: row["id"], jobID: row["job_id"], tenant: row["tenant"], step: row["step"], attempt: row["attempt"], metrics: m,
                  files: (try? JSONDecoder().decode([CheckpointFile].self, from: Data((row["files"] as String).utf8))) ?? [],
                  path: row["path"], createdAt: row["created_at"])
        purgedBy = row["purged_by"]; purgedAt = row["purged_at"]
    }
}

extension DeletionRequest {
    init(postgresRow row: PostgresStoreRow, documents: [JSONValue], actions: [DeletionAction]) {
        self.init(id: row["id"], tenant: row["tenant"], dataset: row["dataset_id"], mode: row["mode"], reason: row["reason"],
                  status: DeletionStatus(rawValue: row["status"]) ?? .failed, documentCount: row["document_count"],
                  createdAt: row["created_at"], startedAt: row["started_at"], completedAt: row["completed_at"],
                  error: JSONValue(jsonText: row["error"]), receipt: JSONValue(jsonText: row["receipt"]),
                  documentHashes: documents, actions: actions)
        options = JSONValue(jsonText: row["options"])
        modeSource = row["mode_source"]
    }
}

extension DeletionAction {
    init(postgresRow row: PostgresStoreRow) {
        self.init(rootJob: row["root_job_id"], jobType: row["job_type"], action: row["action"], status: row["status"],
                  jobID: row["job_id"], inputCheckpoint: row["input_checkpoint"], result: JSONValue(jsonText: row["result"]))
        purgedCheckpoints = JSONValue(jsonText: row["purged"])?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
