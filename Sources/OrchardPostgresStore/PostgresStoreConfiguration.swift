import Foundation

/// Settings of one PostgreSQL store: the database, the shared checkpoint directory, and the queue's settings
/// (the same meaning and defaults as the SQLite store's `StoreConfiguration`).
public struct PostgresStoreConfiguration: Sendable {
    public var database: PostgresDatabaseURL
    /// The schema the store's tables live in (nil: the login's default search path, normally `public`). Tests give
    /// each store a fresh schema of one database.
    public var schema: String?
    /// Checkpoint files: a directory every process of the deployment mounts at the same path (the database only
    /// indexes them).
    public var checkpointDirectory: URL
    /// Connections per process: at most this many transactions of this process run at once.
    public var poolSize: Int = 8
    /// Checkpoints kept per job besides the best: the newest `keepLastCheckpoints` by step.
    public var keepLastCheckpoints: Int = 3
    /// The metric whose lowest value marks a job's best checkpoint (kept regardless of age).
    public var bestCheckpointMetric: String = "loss"
    /// Base and cap of the exponential retry backoff; ±`retryJitter` (fraction) is applied.
    public var retryBaseSeconds: Double = 2
    public var retryCapSeconds: Double = 300
    public var retryJitter: Double = 0.2
    /// Lease losses after which the job fails `max_interruptions_exceeded` (they do not spend `max_attempts`).
    public var maxInterruptions: Int = 10

    public init(database: PostgresDatabaseURL, checkpointDirectory: URL, schema: String? = nil) {
        self.database = database
        self.checkpointDirectory = checkpointDirectory
        self.schema = schema
    }
}
