import Foundation
import GRDB
import OrchardJobs
import OrchardQueue
import Testing
@testable import OrchardStore

/// The store's write path after issue 19 item 2 (the partial index of unfinished jobs, WAL checkpoints on their own
/// thread), on a real SQLite file.
@Suite struct WALCheckpointerTests {
    @Test func concurrentSubmitsClaimsAndCompletionsLoseNothing() throws {
        // The bench's shape (one producer, two claimers) through the real store, while the checkpointer copies the WAL.
        let store = try makeSQLiteStore()
        let jobs = 300
        let group = DispatchGroup()
        group.enter()
        Thread {
            for i in 0..<jobs { _ = try? store.submit(submission(key: "k\(i)", fingerprint: "f")) }
            group.leave()
        }.start()
        let completed = Counter()
        for w in 0..<2 {
            group.enter()
            Thread {
                let deadline = Date().addingTimeInterval(60)
                while completed.value < jobs && Date() < deadline {
                    guard let c = try? store.claim(owner: "w\(w)", types: ["test_counter"], leaseMillis: 60_000).first else {
                        usleep(200)
                        continue
                    }
                    if (try? store.complete(c.lease, result: ["ok": true])) != nil { completed.increment() }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(completed.value == jobs)
        let depth = try store.queueDepth()
        #expect(depth[.queued] == 0 && depth[.running] == 0)
        // Every job succeeded once, with its three events numbered 1, 2, 3.
        let rows = try store.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT j.status, COUNT(e.seq) AS n, MIN(e.seq) AS lo, MAX(e.seq) AS hi
                FROM jobs j JOIN job_events e ON e.job_id = j.id GROUP BY j.id
                """)
        }
        #expect(rows.count == jobs)
        #expect(rows.allSatisfy { ($0["status"] as String) == "succeeded" && ($0["n"] as Int) == 3 && ($0["lo"] as Int) == 1 && ($0["hi"] as Int) == 3 })
    }

    @Test func theCheckpointerCopiesTheWALIntoTheDatabaseWithoutTheWriter() throws {
        let store = try makeSQLiteStore()
        let file = store.configuration.databaseURL.path
        func size() throws -> Int { (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0 }
        let before = try size()
        // New pages reach the database file only through a checkpoint. The writer's own starts at the backstop
        // (16,384 pages), far above what 200 jobs write, so the file grows only if the checkpointer's thread ran.
        for i in 0..<200 { _ = try store.submit(submission(key: "c\(i)", fingerprint: "f")) }
        let deadline = Date().addingTimeInterval(10)
        while try size() <= before && Date() < deadline { usleep(20_000) }
        #expect(try size() > before)
        let autocheckpoint = try store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(autocheckpoint == WALCheckpointer.backstopPages)
    }
}

/// A count shared by the worker threads.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
