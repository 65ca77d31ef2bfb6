import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension Job {
    /// The `jobs` columns that `init(row:)` reads, in its order: select (or return) exactly these, first.
    /// Reading by position skips GRDB's case-insensitive name lookup (a lowercased compare per column per field).
    static let columns = """
        id, tenant, type, status, priority, params, metadata, result, error, seed, attempt, max_attempts, scheduled_at, \
        lease_owner, lease_expires_at, heartbeat_at, cancel_requested_at, pause_requested_at, progress_step, progress_total, \
        progress_tokens, latest_checkpoint_id, created_at, started_at, finished_at, failures, interruptions
        """
    /// How many columns `columns` names: the position of the first column a query selects after them.
    static let columnCount = columns.split(separator: ",").count

    /// A `jobs` row whose first columns are `Job.columns`.
    init(row: Row) {
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
