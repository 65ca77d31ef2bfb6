import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension Job {
    /// A `jobs` row.
    init(row: Row) {
        self.init(id: row["id"], tenant: row["tenant"], type: row["type"], status: JobStatus(rawValue: row["status"]) ?? .failed,
                  priority: row["priority"], paramsJSON: row["params"], metadataJSON: row["metadata"], resultJSON: row["result"],
                  errorJSON: row["error"], seed: UInt64(bitPattern: row["seed"] as Int64), attempt: row["attempt"],
                  maxAttempts: row["max_attempts"], scheduledAt: row["scheduled_at"], leaseOwner: row["lease_owner"],
                  leaseExpiresAt: row["lease_expires_at"], heartbeatAt: row["heartbeat_at"], cancelRequestedAt: row["cancel_requested_at"],
                  pauseRequestedAt: row["pause_requested_at"],
                  progress: JobProgress(step: row["progress_step"], totalSteps: row["progress_total"], tokens: row["progress_tokens"]),
                  latestCheckpointID: row["latest_checkpoint_id"], createdAt: row["created_at"], startedAt: row["started_at"],
                  finishedAt: row["finished_at"])
        failures = row["failures"] ?? 0
        interruptions = row["interruptions"] ?? 0
    }
}
