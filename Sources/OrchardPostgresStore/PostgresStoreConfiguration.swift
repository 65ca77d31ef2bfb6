import Foundation
import OrchardQueue

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
    /// Checkpoint retention, retry backoff, the bound on lost leases: the same settings as the SQLite store's.
    public var settings = QueueSettings()

    public init(database: PostgresDatabaseURL, checkpointDirectory: URL, schema: String? = nil) {
        self.database = database
        self.checkpointDirectory = checkpointDirectory
        self.schema = schema
    }
}
