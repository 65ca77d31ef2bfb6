import Foundation
import OrchardJobs
import OrchardQueue

extension Job {
    /// The `jobs` columns that `init(postgresRow:)` reads, in its order: select (or return) exactly these, first.
    static let postgresColumns = """
        id, tenant, type, status, priority, params, metadata, result, error, seed, attempt, max_attempts, scheduled_at, \
        lease_owner, lease_expires_at, heartbeat_at, cancel_requested_at, pause_requested_at, progress_step, progress_total, \
        progress_tokens, latest_checkpoint_id, created_at, started_at, finished_at, failures, interruptions
        """
    /// How many columns `postgresColumns` names: the position of the first column a query selects after them.
    static let postgresColumnCount = postgresColumns.split(separator: ",").count

    /// A `jobs` row whose first columns are `Job.postgresColumns`.
    init(postgresRow row: PostgresStoreRow) {
        self.init(id: row[0], tenant: row[1], type: row[2], status: JobStatus(rawValue: row[3]) ?? .failed,
                  priority: row[4], paramsJSON: row[5], metadataJSON: row[6], resultJSON: row[7],
                  errorJSON: row[8], seed: UInt64(bitPattern: row[9] as Int64), attempt: row[10],
                  maxAttempts: row[11], scheduledAt: row[12], leaseOwner: row[13],
                  leaseExpiresAt: row[14], heartbeatAt: row[15], cancelRequestedAt: row[16],
                  pauseRequestedAt: row[17],
                  progress: JobProgress(step: row[18], totalSteps: row[19], tokens: row[20]),
                  latestCheckpointID: row[21], createdAt: row[22], startedAt: row[23],
                  finishedAt: row[24])
        failures = row[25]
        interruptions = row[26]
    }
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
