import Foundation
import GRDB
import OrchardQueue
import Testing
@testable import OrchardStore

@Suite struct MigrationTests {
    @Test func embeddedMigrationsMatchTheSQLFilesByteForByte() throws {
        let dir = repositoryRoot.appendingPathComponent("Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(files.map { String($0.dropLast(4)) } == SchemaMigrations.names, "run `make embed` after editing Migrations/")
        for (file, embedded) in zip(files, SchemaMigrations.sources) {
            let onDisk = try Data(contentsOf: dir.appendingPathComponent(file))
            #expect(onDisk == Data(embedded.sql.utf8), "\(file) differs from its embedded copy: run `make embed`")
        }
    }

    @Test func migrationsAreNumberedAndAppliedInOrder() throws {
        let names = SchemaMigrations.names
        #expect(names == names.sorted())
        for (i, n) in names.enumerated() { #expect(n.hasPrefix(String(format: "%04d_", i + 1))) }
        let store = try makeSQLiteStore()
        #expect(try store.appliedMigrations() == names)
        #expect(store.isReady())
    }

    @Test func anOlderDatabaseUpgradesInPlace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-upgrade-\(UUID().uuidString)")
        let config = StoreConfiguration(dataDirectory: dir)
        var jobID = ""
        do {
            let old = try OrchardStore(configuration: config, clock: ManualClock(), migrate: false)
            try old.migrate(upTo: "0001_init")
            #expect(try old.appliedMigrations() == ["0001_init"])
            #expect(!old.isReady())
            // A job as the 0001 schema stored it (today's insert names columns that later migrations added).
            jobID = "job_from_0001"
            try old.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO jobs (id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts,
                                      scheduled_at, created_at)
                    VALUES (?, 'acme', 'test_counter', 'queued', 5, '{}', 7, '{}', 0, 3, 0, 0)
                    """, arguments: [jobID])
            }
        }
        let upgraded = try OrchardStore(configuration: config, clock: ManualClock())
        #expect(try upgraded.appliedMigrations() == SchemaMigrations.names)
        let job = try #require(try upgraded.job(id: jobID, tenant: "acme"))
        #expect(job.status == .queued && job.backend == "local" && job.backendRef == nil && job.threads == nil)
        // The tables of the later migration exist and work.
        var upload = DatasetImport()
        try upload.feed(Array(#"{"id":"d1","domain":"web","text":"hello"}"#.utf8))
        let sha = try upload.finish()
        let ds = try upgraded.createDataset(tenant: "acme", name: "x", from: upload, sha256: sha)
        #expect(ds.recordCount == 1)
    }

    @Test func theDatabaseRunsInWALMode() throws {
        let store = try makeSQLiteStore()
        let mode = try store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
