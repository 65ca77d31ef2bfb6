import Foundation
import OrchardJobs
import OrchardQueue
import Testing
@testable import OrchardPostgresStore
@testable import OrchardStore

/// The PostgreSQL schema: embedded migrations, their numbering beside the SQLite ones, in-place upgrade, and
/// several processes migrating one database at once. Needs the test server (see `StoreBackend.all`).
@Suite(.enabled(if: StoreBackend.all.contains(.postgres))) struct PostgresMigrationTests {
    @Test func embeddedMigrationsMatchTheSQLFilesByteForByte() throws {
        let dir = repositoryRoot.appendingPathComponent("Migrations/postgres")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == PostgresSchemaMigrations.names, "run `make embed` after editing Migrations/postgres/")
        for (file, embedded) in zip(files, PostgresSchemaMigrations.sources) {
            let onDisk = try Data(contentsOf: dir.appendingPathComponent(file))
            #expect(onDisk == Data(embedded.sql.utf8), "\(file) differs from its embedded copy: run `make embed`")
        }
    }

    /// Every SQLite migration has its PostgreSQL counterpart of the same name: one schema history, two dialects.
    @Test func theMigrationsAreNumberedLikeTheSQLiteOnesAndApplyInOrder() throws {
        #expect(PostgresSchemaMigrations.names == SchemaMigrations.names)
        let store = try makePostgresStore()
        #expect(try store.appliedMigrations() == PostgresSchemaMigrations.names)
        #expect(store.isReady())
    }

    @Test func anOlderDatabaseUpgradesInPlace() throws {
        let schema = PostgresTestServer.freshSchema()
        var jobID = ""
        do {
            var config = PostgresStoreConfiguration(database: try PostgresTestServer.require(), checkpointDirectory:
                FileManager.default.temporaryDirectory.appendingPathComponent("orchard-pg-\(UUID().uuidString)"), schema: schema)
            config.poolSize = 2
            let old = try PostgresStore(configuration: config, clock: ManualClock(), migrate: false)
            try old.migrate(upTo: "0001_init")
            #expect(try old.appliedMigrations() == ["0001_init"])
            #expect(!old.isReady())
            // 0001's jobs table lacks 0004's columns: insert the way a 0001-era binary did.
            try old.write { db in
                try db.execute(sql: """
                    INSERT INTO jobs (id, tenant, type, status, priority, params, seed, metadata, max_attempts, scheduled_at, created_at)
                    VALUES ('job_old', 'acme', 'test_counter', 'queued', 5, '{}', 7, '{}', 3, 0, 0)
                    """)
            }
            jobID = "job_old"
        }
        let upgraded = try makePostgresStore(schema: schema)
        #expect(try upgraded.appliedMigrations() == PostgresSchemaMigrations.names)
        let job = try #require(try upgraded.job(id: jobID, tenant: "acme"))
        #expect(job.status == .queued && job.failures == 0 && job.interruptions == 0)
        var upload = DatasetImport()
        try upload.feed(Array(#"{"id":"d1","domain":"web","text":"hello"}"#.utf8))
        let sha = try upload.finish()
        #expect(try upgraded.createDataset(tenant: "acme", name: "x", from: upload, sha256: sha).recordCount == 1)
    }

    /// Processes that start together against a new database: one applies the migrations, the others wait on its
    /// advisory lock and find them applied.
    @Test func processesStartingTogetherMigrateOnce() async throws {
        let schema = PostgresTestServer.freshSchema()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<4 { group.addTask { try makePostgresStore(schema: schema) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for s in stores { #expect(s.isReady()) }
        let recorded = try inspect(stores[0], "SELECT identifier FROM orchard_migrations ORDER BY identifier")
        #expect(recorded == PostgresSchemaMigrations.names)
    }

    @Test func databaseURLsParseAndBadOnesSayWhatIsWrong() throws {
        let u = try PostgresDatabaseURL(parsing: "postgres://orchard:s%40cret@db.example:6543/orchard_prod")
        #expect(u == PostgresDatabaseURL(host: "db.example", port: 6543, user: "orchard", password: "s@cret", database: "orchard_prod"))
        #expect(u.description == "postgres://orchard:***@db.example:6543/orchard_prod")
        #expect(try PostgresDatabaseURL(parsing: "postgresql://me@localhost/db").port == 5432)
        for bad in ["mysql://me@h/db", "postgres://h/db", "postgres://me@/db", "postgres://me@h", "postgres://me@h:99999/db", "postgres://me@h/"] {
            #expect(throws: PostgresDatabaseURL.Invalid.self, "\(bad)") { try PostgresDatabaseURL(parsing: bad) }
        }
    }

    @Test func anUnreachableServerIsAnErrorNamingIt() throws {
        var config = PostgresStoreConfiguration(database: PostgresDatabaseURL(host: "127.0.0.1", port: 1, user: "nobody", database: "none"),
                                                checkpointDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("orchard-pg-\(UUID().uuidString)"))
        config.poolSize = 1
        #expect { _ = try PostgresStore(configuration: config) } throws: { error in
            "\(error)".contains("cannot connect to PostgreSQL at postgres://nobody@127.0.0.1:1/none")
        }
    }

    @Test func migrationFilesSplitIntoStatementsOutsideQuotesAndComments() {
        let sql = """
            -- a comment; with a semicolon and an apostrophe's
            CREATE TABLE t (a TEXT DEFAULT ';'); -- trailing; comment
            INSERT INTO t VALUES ('it''s; fine');

            """
        #expect(PostgresSchemaMigrations.statements(of: sql) == ["CREATE TABLE t (a TEXT DEFAULT ';')", "INSERT INTO t VALUES ('it''s; fine')"])
        #expect(PostgresSchemaMigrations.statements(of: PostgresSchemaMigrations.sources[0].sql).count == 9)
    }

    @Test func placeholdersAreNumberedOutsideQuotes() {
        #expect(PostgresSession.numberedPlaceholders("SELECT ? , '?', \"a?\" FROM t WHERE x = ?2 AND y = ?") == "SELECT $1 , '?', \"a?\" FROM t WHERE x = $2 AND y = $2")
    }
}
