import Foundation
import OrchardJobs
import OrchardQueue
import Testing
@testable import OrchardStore

/// `orchard backup` (issue 19 item 9): an online copy while a writer keeps submitting jobs is consistent (integrity
/// check, current schema), holds every job committed before it started, and opens as a store.
@Suite struct BackupTests {
    @Test func onlineBackupIsConsistentWhileWritesContinue() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-backup-\(UUID().uuidString)")
        let store = try OrchardStore(configuration: StoreConfiguration(dataDirectory: dir))
        for i in 0..<200 { _ = try store.submit(JobSubmission(tenant: "acme", type: "test_counter", params: ["n": .number(Double(i))], seed: 1)) }
        let before = try store.queueDepth()[.queued] ?? 0
        // A writer keeps committing while the backup runs.
        let done = ManagedFlag()
        let writer = Thread {
            var i = 0
            while !done.value { _ = try? store.submit(JobSubmission(tenant: "acme", type: "test_counter", params: ["w": .number(Double(i))], seed: 1)); i += 1 }
        }
        writer.start()
        let out = dir.appendingPathComponent("backup.sqlite")
        let report = try StoreBackup.run(dataDirectory: dir, destination: out)
        done.value = true
        #expect(before == 200 && report.jobs >= 200 && report.migrations == SchemaMigrations.names, "\(report)")
        // The copy opens as a store with nothing to migrate and every job of the snapshot.
        let restored = dir.appendingPathComponent("restored")
        try FileManager.default.createDirectory(at: restored, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: out, to: StoreConfiguration(dataDirectory: restored).databaseURL)
        let copy = try OrchardStore(configuration: StoreConfiguration(dataDirectory: restored))
        #expect(try copy.appliedMigrations() == SchemaMigrations.names)
        #expect(try copy.queueDepth()[.queued] == report.jobs)
        #expect(throws: StoreBackup.BackupError.self) {
            try StoreBackup.run(dataDirectory: dir.appendingPathComponent("nothing"), destination: dir.appendingPathComponent("x.sqlite"))
        }
    }
}

final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var v = false
    var value: Bool {
        get { lock.withLock { v } }
        set { lock.withLock { v = newValue } }
    }
}
