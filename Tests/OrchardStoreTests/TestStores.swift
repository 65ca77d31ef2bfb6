import Foundation
import OrchardJobs
import GRDB
@testable import OrchardPostgresStore
import OrchardQueue
import OrchardTestSupport
import Testing
@testable import OrchardStore

/// The back ends the store suite runs against: every test that takes a store runs once per back end
/// (`@Test(arguments: StoreBackend.all)`), through the OrchardQueue protocols only.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when a test server is configured (`ORCHARD_TEST_POSTGRES_URL`, set by
    /// scripts/postgres-test-server.sh) or required (`ORCHARD_REQUIRE_POSTGRES=1`, set by `make test`: then a missing
    /// server makes every PostgreSQL case fail instead of vanishing). Without either, the PostgreSQL cases are left
    /// out with a message on stderr.
    static let all: [StoreBackend] = {
        if PostgresTestServer.url != nil || PostgresTestServer.required { return [.sqlite, .postgres] }
        FileHandle.standardError.write(Data("note: store tests run on SQLite only: no ORCHARD_TEST_POSTGRES_URL (run `eval \"$(scripts/postgres-test-server.sh start)\"`)\n".utf8))
        return [.sqlite]
    }()
}

/// The test PostgreSQL server (scripts/postgres-test-server.sh) and fresh places in it.
enum PostgresTestServer {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "ORCHARD_REQUIRE_POSTGRES=1 but ORCHARD_TEST_POSTGRES_URL is not set: start scripts/postgres-test-server.sh" }
    }

    static let url: PostgresDatabaseURL? = ProcessInfo.processInfo.environment["ORCHARD_TEST_POSTGRES_URL"]
        .flatMap { try? PostgresDatabaseURL(parsing: $0) }
    static let required = ProcessInfo.processInfo.environment["ORCHARD_REQUIRE_POSTGRES"] == "1"

    /// The server's URL, or `Missing`.
    static func require() throws -> PostgresDatabaseURL {
        guard let url else { throw Missing() }
        return url
    }

    /// A schema name no other test uses.
    static func freshSchema() -> String { "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "") }
}

/// The store under test, empty: SQLite in a fresh temporary directory, or PostgreSQL in a fresh schema of the test
/// server (checkpoints in a fresh temporary directory). `configure` sets the queue's settings (retention, retry
/// backoff), which both back ends honour.
func makeStore(_ backend: StoreBackend, clock: any StoreClock = ManualClock(),
               configure: (inout StoreConfiguration) -> Void = { _ in }) throws -> any QueueStore {
    switch backend {
    case .sqlite: return try makeSQLiteStore(clock: clock, configure: configure)
    case .postgres: return try makePostgresStore(clock: clock, configure: configure)
    }
}

/// A PostgreSQL store in a fresh schema (or in `schema`: a second store on the same data, as a second process).
func makePostgresStore(clock: any StoreClock = ManualClock(), schema: String = PostgresTestServer.freshSchema(),
                       checkpoints: URL? = nil, configure: (inout StoreConfiguration) -> Void = { _ in }) throws -> PostgresStore {
    let dir = checkpoints ?? FileManager.default.temporaryDirectory.appendingPathComponent("orchard-pg-\(UUID().uuidString)", isDirectory: true)
    var settings = StoreConfiguration(dataDirectory: dir)
    configure(&settings)
    var config = PostgresStoreConfiguration(database: try PostgresTestServer.require(), checkpointDirectory: dir, schema: schema)
    config.poolSize = 4
    config.settings = settings.settings
    return try PostgresStore(configuration: config, clock: clock)
}

/// The SQLite store itself, for the few checks that look inside its database (migrations, purged rows).
func makeSQLiteStore(clock: any StoreClock = ManualClock(), configure: (inout StoreConfiguration) -> Void = { _ in }) throws -> OrchardStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-store-\(UUID().uuidString)", isDirectory: true)
    var config = StoreConfiguration(dataDirectory: dir)
    configure(&config)
    return try OrchardStore(configuration: config, clock: clock)
}

/// The first column of every row of a query, as text (nil: NULL), read straight from either back end's database:
/// for the few checks that look below the protocols (what is stored, what was purged). `?` placeholders.
func inspect(_ store: any QueueStore, _ sql: String, _ arguments: [String] = []) throws -> [String?] {
    switch store {
    case let sqlite as OrchardStore:
        return try sqlite.pool.read { db in try String?.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
    case let postgres as PostgresStore:
        return try postgres.read { db in try db.rows(sql: sql, arguments: PostgresArguments(arguments)).map { $0[0] as String? } }
    default:
        throw StoreError.invalid(param: "store", message: "no inspector for \(type(of: store))")
    }
}

func submission(tenant: String = "acme", type: String = "test_counter", priority: Int = 5, maxAttempts: Int = 3,
                params: JSONValue = ["steps": 3], key: String? = nil, fingerprint: String? = nil) -> JobSubmission {
    JobSubmission(tenant: tenant, type: type, params: params, seed: 7, priority: priority, maxAttempts: maxAttempts,
                  metadata: ["team": "a"], idempotencyKey: key, fingerprint: fingerprint)
}

/// The repository root, found from this file's path (for tests that compare against committed files).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The kinds the store tests run, through the same erased path as the worker runtime (decode once, resolve,
/// run with the job's seed, encode the typed result).
let kinds: JobKindRegistry = TestKinds.registry { r in
    r.register(PretrainKind()); r.register(TopicModelKind()); r.register(TopicHeadKind()); r.register(DPOKind()); r.register(EvaluatePreferencesKind())
    r.register(MLPTrainKind()); r.register(DistillKind())
}

extension JobKindRegistry {
    func validate(_ type: String, _ params: JSONValue) throws -> JSONValue {
        guard let k = kind(type) else { throw JobError.invalid(param: "type", message: "unknown \(type)") }
        return try k.validate(params)
    }
    func run(_ type: String, _ params: JSONValue, seed: UInt64, context: JobContext) throws -> JSONValue {
        guard let k = kind(type) else { throw JobError.invalid(param: "type", message: "unknown \(type)") }
        return try k.run(params, seed, context)
    }
}
