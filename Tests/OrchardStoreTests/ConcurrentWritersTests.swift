import Foundation
import OrchardJobs
import OrchardQueue
import Testing
@testable import OrchardStore

/// Several processes on one store: two store instances on the same data (the same SQLite file, or the same
/// PostgreSQL schema), each with several threads, as two `orchard serve` / `orchard worker` processes would be.
@Suite struct ConcurrentWritersTests {
    /// Two stores over the same data.
    func twoProcesses(_ backend: StoreBackend) throws -> (any QueueStore, any QueueStore) {
        switch backend {
        case .sqlite:
            let first = try makeSQLiteStore(clock: SystemClock())
            return (first, try OrchardStore(configuration: first.configuration, clock: SystemClock()))
        case .postgres:
            let schema = PostgresTestServer.freshSchema()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-pg-\(UUID().uuidString)", isDirectory: true)
            return (try makePostgresStore(clock: SystemClock(), schema: schema, checkpoints: dir),
                    try makePostgresStore(clock: SystemClock(), schema: schema, checkpoints: dir))
        }
    }

    /// Runs `body(i)` for i in 0..<n on n threads at once and waits for all; rethrows the first error.
    func onThreads(_ n: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let group = DispatchGroup()
        let errors = LockedErrors()
        for i in 0..<n {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                do { try body(i) } catch { errors.append(error) }
            }
        }
        group.wait()
        if let first = errors.first { throw first }
    }

    @Test(arguments: StoreBackend.all) func workersOfTwoProcessesRunEachJobOnceWithGapFreeEvents(_ backend: StoreBackend) throws {
        let (a, b) = try twoProcesses(backend)
        var ids: [String] = []
        for i in 0..<40 { ids.append(try (i % 2 == 0 ? a : b).submit(submission()).job.id) }
        let ran = LockedStrings()
        try onThreads(6) { w in
            let store = w % 2 == 0 ? a : b
            while let c = try store.claim(owner: "w\(w)", types: ["test_counter"], leaseMillis: 60_000).first {
                ran.append(c.job.id)
                try store.appendEvent(lease: c.lease, type: "log", level: "info", message: "by w\(w)", data: .null)
                try store.complete(c.lease, result: ["by": .string("w\(w)")])
            }
        }
        #expect(ran.values.count == 40 && Set(ran.values) == Set(ids))
        for id in ids {
            let events = try a.events(jobID: id, tenant: "acme", after: 0, limit: 100)
            #expect(events.status == .succeeded)
            #expect(events.events.map(\.seq) == [1, 2, 3, 4])
            #expect(events.events.map(\.type) == [QueueEventType.queued, QueueEventType.started, "log", QueueEventType.succeeded])
        }
    }

    /// A worker's events, API cancels and heartbeats from two processes on one job: one stream, 1…n.
    @Test(arguments: StoreBackend.all) func concurrentEventWritersOnOneJobNeverShareOrSkipASeq(_ backend: StoreBackend) throws {
        let (a, b) = try twoProcesses(backend)
        let job = try a.submit(submission()).job
        let c = try #require(try b.claim(owner: "w", types: ["test_counter"], leaseMillis: 60_000).first)
        try onThreads(8) { t in
            let store = t % 2 == 0 ? a : b
            for i in 0..<15 {
                try store.appendEvent(lease: c.lease, type: "metrics", level: "info", message: "", data: ["t": .number(Double(t)), "i": .number(Double(i))])
                if t == 0 && i == 7 { _ = try store.perform(.cancel, jobID: job.id, tenant: "acme") }
                if t == 1 { _ = try store.heartbeat(c.lease, leaseMillis: 60_000) }
            }
        }
        #expect(try b.stopped(c.lease) == .cancelled)
        let events = try a.events(jobID: job.id, tenant: "acme", after: 0, limit: 1000).events
        // queued, started, 8 × 15 metrics, cancel requested, cancelled.
        #expect(events.map(\.seq) == Array(1...(2 + 8 * 15 + 2)))
        #expect(events.filter { $0.type == "metrics" }.count == 120)
    }

    /// The same Idempotency-Key sent at once through two processes: one job, every caller gets it.
    @Test(arguments: StoreBackend.all) func theSameIdempotencyKeyThroughTwoProcessesMakesOneJob(_ backend: StoreBackend) throws {
        let (a, b) = try twoProcesses(backend)
        let got = LockedStrings()
        try onThreads(8) { t in
            let (job, _) = try (t % 2 == 0 ? a : b).submit(submission(key: "same-key", fingerprint: "body-1"))
            got.append(job.id)
        }
        #expect(Set(got.values).count == 1 && got.values.count == 8)
        #expect(try a.listJobs(JobListQuery(tenant: "acme")).jobs.count == 1)
        #expect(throws: StoreError.idempotencyMismatch(key: "same-key")) { try b.submit(submission(key: "same-key", fingerprint: "body-2")) }
    }
}

/// Values appended from several threads.
final class LockedStrings: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ s: String) { lock.lock(); storage.append(s); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}

final class LockedErrors: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [any Error] = []
    func append(_ e: any Error) { lock.lock(); storage.append(e); lock.unlock() }
    var first: (any Error)? { lock.lock(); defer { lock.unlock() }; return storage.first }
}
