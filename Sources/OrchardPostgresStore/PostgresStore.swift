import Foundation
import Logging
import OrchardJobs
import OrchardQueue
import PostgresNIO

/// The PostgreSQL store: the scale-out back end behind the same OrchardQueue protocols as the SQLite store, for
/// several `orchard serve` / `orchard worker` processes (on several machines) sharing one database and one
/// checkpoint directory. Concerns live in extensions, one file each, mirroring the SQLite store's.
///
/// Concurrency: write transactions run at READ COMMITTED, and every guarantee the SQLite store gets from its single
/// serialized writer is made explicit here. Claims lock the rows they take with `FOR UPDATE SKIP LOCKED` (concurrent
/// claimers take disjoint jobs without waiting); fenced worker writes check (job id, attempt, owner, running) in
/// the statement that writes, or lock the job row (`SELECT … FOR UPDATE`) before writing, so a reaper or another
/// worker cannot change the lease between check and write; each job event takes its seq from the job's
/// `event_seq` counter (see `appendEvent`). The rare multi-row decisions (deletion requests, dataset quotas,
/// retention, model version numbers) run at SERIALIZABLE. A transaction that PostgreSQL aborts as a
/// serialization failure or a deadlock is retried from the start.
public final class PostgresStore: QueueStore, @unchecked Sendable {
    public let configuration: PostgresStoreConfiguration
    public let clock: any StoreClock
    public let checkpointStorage: any CheckpointStorage
    let pool: PostgresConnectionPool
    let logger: Logger
    private let offloadQueue = DispatchQueue(label: "orchard.postgres-store", attributes: .concurrent)

    /// Connects (the schema is created when named and missing), applies pending migrations, and opens the
    /// checkpoint directory. Throws `PostgresStoreError.unreachable` when the server cannot be reached.
    public init(configuration: PostgresStoreConfiguration, clock: any StoreClock = SystemClock(),
                logger: Logger = Logger(label: "orchard.postgres-store"), migrate: Bool = true) throws {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        pool = PostgresConnectionPool(url: configuration.database, schema: configuration.schema,
                                      size: configuration.poolSize, logger: logger)
        let storage = try LocalCheckpointStorage(root: configuration.checkpointDirectory)
        checkpointStorage = storage
        if let schema = configuration.schema {
            do {
                try write { db in try db.execute(sql: "CREATE SCHEMA IF NOT EXISTS \(PostgresConnectionPool.quoted(schema))") }
            } catch let e as PostgresStoreError where e.sqlState == "23505" || e.sqlState == "42P06" {
                // Another process created it at the same moment.
            }
        }
        if migrate { try self.migrate() }
        // Files of purged checkpoints whose deletion a crash interrupted (the rows were marked first). Orphan
        // directories are not swept here: on a shared directory another process may be publishing one right now.
        if migrate, let purged = try? read({ db in
            try db.values(String.self, sql: "SELECT path FROM checkpoints WHERE purged_by IS NOT NULL")
        }) {
            for p in purged where FileManager.default.fileExists(atPath: storage.url(of: p).path) { storage.remove(path: p) }
        }
    }

    deinit { pool.close() }

    /// Applies migrations up to (and including) `name` only (nil: all).
    public func migrate(upTo name: String? = nil) throws {
        try write { db in try PostgresSchemaMigrations.apply(db, upTo: name, now: now()) }
    }

    /// Drops this store's schema and everything in it (benchmarks' and tests' scratch schemas). Refuses a store
    /// without a configured schema: it never drops `public`.
    public func dropSchema() throws {
        guard let schema = configuration.schema else {
            throw StoreError.invalid(param: "schema", message: "the store has no schema of its own to drop")
        }
        try write { db in try db.execute(sql: "DROP SCHEMA \(PostgresConnectionPool.quoted(schema)) CASCADE") }
    }

    /// The migrations recorded in this database.
    public func appliedMigrations() throws -> [String] { try read { db in try PostgresSchemaMigrations.applied(db) } }

    /// True when the database answers and every known migration is applied (`/readyz`).
    public func isReady() -> Bool {
        guard let applied = try? appliedMigrations() else { return false }
        return applied == PostgresSchemaMigrations.names
    }

    /// Runs blocking store work off the caller's executor (HTTP handlers must not block NIO threads or Swift's
    /// cooperative pool on the database): a concurrent dispatch queue, whose threads then block on the connection.
    public func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            offloadQueue.async { cont.resume(with: Result { try body() }) }
        }
    }

    func now() -> Int64 { clock.nowMillis() }

    // MARK: Transactions

    /// A write transaction at READ COMMITTED (the row locks its statements take are the isolation).
    func write<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try transaction("BEGIN", body)
    }

    /// A write transaction at SERIALIZABLE: for decisions that read several rows and must not interleave with
    /// another writer (as under SQLite's single writer).
    func serializableWrite<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL SERIALIZABLE", body)
    }

    /// A read-only snapshot (REPEATABLE READ): every statement of `body` sees the same committed state.
    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// One statement outside an explicit transaction: PostgreSQL runs it atomically in a transaction of its own, one
    /// round trip instead of three (BEGIN, statement, COMMIT). For single-statement reads on hot paths (`job(id:)`,
    /// `control`, API-key lookups) and for the claim and the finish, each one statement whose data-modifying CTEs
    /// write the job row and its event together.
    func singleStatement<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        try transaction(nil, body)
    }

    /// SQLSTATEs after which the whole transaction is run again: serialization failure, deadlock detected.
    static let retryableStates: Set<String> = ["40001", "40P01"]

    /// Runs `body` on one connection between `begin` and COMMIT (nil: no explicit transaction), rolling back on error
    /// and running it again after a serialization failure or deadlock.
    private func transaction<T>(_ begin: String?, _ body: (PostgresSession) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try pool.withConnection { connection in
                    let db = PostgresSession(connection: connection, logger: logger)
                    guard let begin else { return try body(db) }
                    try db.execute(sql: begin)
                    do {
                        let result = try body(db)
                        try db.execute(sql: "COMMIT")
                        return result
                    } catch {
                        // A connection whose rollback fails is closed, so the pool drops it.
                        do { try db.execute(sql: "ROLLBACK") } catch { connection.closeInBackground() }
                        throw error
                    }
                }
            } catch let e as PostgresStoreError where e.sqlState.map(Self.retryableStates.contains) == true && attempt < 50 {
                usleep(UInt32.random(in: 500...2_000) * UInt32(min(attempt, 10)))
            }
        }
    }
}
