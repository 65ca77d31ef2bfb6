import ArgumentParser
import Foundation
import Logging
import OrchardPostgresStore
import OrchardQueue
import OrchardStore

/// Where the store lives, shared by `serve`, `worker`, `migrate`, `keys create` and `bench queue`: SQLite under
/// `--data-dir` (the embedded default), or a shared PostgreSQL database (`--database postgres://…`) with checkpoint
/// files under `--checkpoint-dir`, a directory every process of the deployment mounts at the same path.
/// A malformed URL or an unreachable server is a usage error naming the flag.
public struct DatabaseOptions: ParsableArguments {
    public init() {}

    @Option(help: "Data directory: the SQLite database and checkpoints (with --database: only local scratch such as upload spools).")
    public var dataDir: String = "./.orchard"

    @Option(help: "A shared PostgreSQL database instead of SQLite: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (docs/scale-out.md).")
    public var database: String?

    @Option(help: "Checkpoint directory with --database, shared by every process (default: DATA_DIR/checkpoints).")
    public var checkpointDir: String?

    public var dataDirectory: URL { URL(fileURLWithPath: dataDir, isDirectory: true) }

    /// The PostgreSQL database `--database` names, or nil for SQLite.
    public func postgresURL() throws -> PostgresDatabaseURL? {
        guard let database else {
            if checkpointDir != nil {
                throw ValidationError("--checkpoint-dir needs --database: with SQLite, checkpoints live in DATA_DIR/checkpoints")
            }
            return nil
        }
        do { return try PostgresDatabaseURL(parsing: database) } catch let e as PostgresDatabaseURL.Invalid {
            throw ValidationError("--database: \(e.description)")
        }
    }

    /// The checkpoint directory of a PostgreSQL deployment.
    public var checkpointDirectory: URL {
        checkpointDir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? dataDirectory.appendingPathComponent("checkpoints", isDirectory: true)
    }

    /// Opens (and migrates) the store; `settings` carries the queue's settings (checkpoint retention, …), which
    /// both back ends take. Connection failures become a usage error naming `--database`.
    public func openStore(settings: StoreConfiguration? = nil, logger: Logger = Logger(label: "orchard.store")) throws -> any QueueStore {
        var sqlite = settings ?? StoreConfiguration(dataDirectory: dataDirectory)
        sqlite.dataDirectory = dataDirectory
        guard let url = try postgresURL() else { return try OrchardStore(configuration: sqlite, logger: logger) }
        var config = PostgresStoreConfiguration(database: url, checkpointDirectory: checkpointDirectory)
        config.settings = sqlite.settings
        do { return try PostgresStore(configuration: config, logger: logger) } catch let e as PostgresStoreError {
            throw ValidationError("--database: \(e.description)")
        }
    }

    /// Applies pending migrations and returns the applied ones, in order.
    public func migrate() throws -> [String] {
        switch try openStore() {
        case let s as OrchardStore: return try s.appliedMigrations()
        case let s as PostgresStore: return try s.appliedMigrations()
        case let s: throw ValidationError("no migrations for \(type(of: s))")
        }
    }
}
