import Foundation

// The positional layout of a `jobs` row, shared by both stores: each selects `Job.columns` first and decodes them
// through `JobColumns`, its own row type.
extension Job {
    /// The `jobs` columns that `init(columns:)` reads, in its order: select (or return) exactly these, first.
    /// Reading by position skips GRDB's case-insensitive name lookup (a lowercased compare per column per field).
    public static let columns = """
        id, tenant, type, status, priority, params, metadata, result, error, seed, attempt, max_attempts, scheduled_at, \
        lease_owner, lease_expires_at, heartbeat_at, cancel_requested_at, pause_requested_at, progress_step, progress_total, \
        progress_tokens, latest_checkpoint_id, created_at, started_at, finished_at, failures, interruptions, backend, backend_ref, \
        backend_state, backend_reason, backend_live, backend_submissions, threads, backend_updated_at, backend_unstarted
        """
    /// How many columns `columns` names: the position of the first column a query selects after them.
    public static let columnCount = columns.split(separator: ",").count

    /// The first columns of a row, in the order of `Job.columns`, from GRDB or straight from SQLite.
    public init(columns c: some JobColumns) {
        func text(_ i: Int) -> String? { c.isNull(i) ? nil : c.text(i) }
        func int(_ i: Int) -> Int? { c.isNull(i) ? nil : Int(c.int64(i)) }
        func int64(_ i: Int) -> Int64? { c.isNull(i) ? nil : c.int64(i) }
        self.init(id: c.text(0), tenant: c.text(1), type: c.text(2), status: JobStatus(rawValue: c.text(3)) ?? .failed,
                  priority: Int(c.int64(4)), paramsJSON: c.text(5), metadataJSON: c.text(6), resultJSON: text(7),
                  errorJSON: text(8), seed: UInt64(bitPattern: c.int64(9)), attempt: Int(c.int64(10)),
                  maxAttempts: Int(c.int64(11)), scheduledAt: c.int64(12), leaseOwner: text(13),
                  leaseExpiresAt: int64(14), heartbeatAt: int64(15), cancelRequestedAt: int64(16),
                  pauseRequestedAt: int64(17),
                  progress: JobProgress(step: int(18), totalSteps: int(19), tokens: int(20)),
                  latestCheckpointID: text(21), createdAt: c.int64(22), startedAt: int64(23),
                  finishedAt: int64(24))
        failures = Int(c.int64(25))
        interruptions = Int(c.int64(26))
        backend = c.text(27)
        backendRef = text(28)
        backendState = text(29)
        backendReason = text(30)
        backendLive = c.int64(31) != 0
        backendSubmissions = Int(c.int64(32))
        threads = int(33)
        backendUpdatedAt = int64(34)
        backendUnstarted = Int(c.int64(35))
    }
}

/// Positional access to the columns of one result row (`Job.init(columns:)`).
public protocol JobColumns {
    func isNull(_ i: Int) -> Bool
    /// The column as an integer (0 when NULL).
    func int64(_ i: Int) -> Int64
    /// The column as UTF-8 text ("" when NULL).
    func text(_ i: Int) -> String
}

