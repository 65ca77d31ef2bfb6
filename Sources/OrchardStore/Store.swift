import Foundation
import GRDB
import Logging
import OrchardJobs
import OrchardQueue

/// Settings of one store (one data directory).
public struct StoreConfiguration: Sendable {
    /// The data directory: `orchard.sqlite` (+ WAL) and `checkpoints/`.
    public var dataDirectory: URL
    /// Checkpoint retention, retry backoff and the lost-lease bound: the settings every store honours alike.
    public var settings = QueueSettings()

    public init(dataDirectory: URL) { self.dataDirectory = dataDirectory }

    public var databaseURL: URL { dataDirectory.appendingPathComponent("orchard.sqlite") }
    public var checkpointsURL: URL { dataDirectory.appendingPathComponent("checkpoints", isDirectory: true) }
}

/// The SQLite store behind the service: one `DatabasePool` in WAL mode (concurrent readers, one
/// serialized writer whose transactions start with `BEGIN IMMEDIATE`). Concerns live in extensions,
/// one file each: jobs, leases, events, checkpoints, datasets, lineage, API keys.
public final class OrchardStore: QueueStore {
    public let configuration: StoreConfiguration
    public let clock: any StoreClock
    /// Checkpoint files: a local directory under the data directory.
    public let checkpointStorage: any CheckpointStorage
    let pool: DatabasePool
    let logger: Logger
    private let offloadQueue = DispatchQueue(label: "orchard.store", attributes: .concurrent)
    /// WAL checkpoints off the writer's path, on a thread of their own (stopped when the store is released).
    private let checkpointer: WALCheckpointer
    /// `job(id:tenant:)` on plain SQLite read connections (the API's most frequent read).
    let pointReader: JobPointReader

    /// Opens (creating if needed) the data directory and database, and applies pending migrations.
    public init(configuration: StoreConfiguration, clock: any StoreClock = SystemClock(),
                logger: Logger = Logger(label: "orchard.store"), migrate: Bool = true) throws {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        let fm = FileManager.default
        try fm.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let storage = try LocalCheckpointStorage(root: configuration.checkpointsURL)
        checkpointStorage = storage
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.maximumReaderCount = 8
        config.prepareDatabase { db in
            // WAL keeps readers off the writer's back; NORMAL is durable across process crashes.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Checkpoints run on `checkpointer`'s thread; the writer checkpoints itself only far behind.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.backstopPages)")
        }
        pool = try DatabasePool(path: configuration.databaseURL.path, configuration: config)
        checkpointer = WALCheckpointer(databasePath: configuration.databaseURL.path)
        pointReader = JobPointReader(databasePath: configuration.databaseURL.path)
        if migrate { try SchemaMigrations.apply(to: pool) }
        storage.removeOrphans()
        // Files of purged checkpoints whose deletion a crash interrupted (the rows were marked first).
        if migrate, let purged = try? pool.read({ db in try String.fetchAll(db, sql: "SELECT path FROM checkpoints WHERE purged_by IS NOT NULL") }) {
            for p in purged where FileManager.default.fileExists(atPath: storage.url(of: p).path) { storage.remove(path: p) }
        }
    }

    /// Applies migrations up to (and including) `name` only: used to build older databases in tests.
    public func migrate(upTo name: String? = nil) throws {
        try SchemaMigrations.apply(to: pool, upTo: name)
    }

    /// The migrations recorded in this database.
    public func appliedMigrations() throws -> [String] { try SchemaMigrations.applied(in: pool) }

    /// True when the database answers and every known migration is applied (`/readyz`).
    public func isReady() -> Bool {
        guard let applied = try? appliedMigrations() else { return false }
        return applied == SchemaMigrations.names
    }

    /// Runs blocking store work off the caller's executor (HTTP handlers must not block NIO threads
    /// or Swift's cooperative pool on SQLite).
    public func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            offloadQueue.async { cont.resume(with: Result { try body() }) }
        }
    }

    /// Inline: a WAL reader takes no lock a writer holds, and `job(id:tenant:)` reads one row by an index. It can
    /// wait only when all `maximumReaderCount` (8) reader connections are busy with other reads, which run
    /// offloaded; the cooperative pool, with one thread per core, holds at most that many of them itself.
    public func pointRead<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T { try body() }

    func now() -> Int64 { clock.nowMillis() }

    /// The queue's hot write transactions (submit, claim, heartbeat, progress, finish, events): `body` runs between
    /// `BEGIN IMMEDIATE` and `COMMIT` on the single writer connection, rolled back if it throws, as `pool.write` does,
    /// but with the three statements prepared once (`pool.write` prepares `BEGIN` and `COMMIT` anew each time).
    func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            do {
                let value = try body(db)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                return value
            } catch {
                // SQLite may have rolled the transaction back itself (SQLITE_FULL, SQLITE_IOERR, …).
                if db.isInsideTransaction { try? db.cachedStatement(sql: "ROLLBACK TRANSACTION").execute() }
                throw error
            }
        }
    }

}

// MARK: JSON columns

extension JSONValue {
    /// Compact, key-sorted JSON text for a TEXT column.
    var columnText: String { jsonText }
    /// Parses a TEXT column written by `columnText`.
    init?(columnText: String?) { self.init(jsonText: columnText) }
}
