import ArgumentParser
import Foundation
import OrchardJobs
import OrchardQueue
import OrchardStore

/// End-to-end queue throughput through the store: one producer enqueues (one transaction per job, as
/// `POST /v1/jobs` with an `Idempotency-Key` does) while `--workers` threads claim and complete (one transaction
/// each). Each round also runs the same transactions straight on the SQLite C API (`RawSQLiteQueue`), with the
/// same schema, pragmas and threads, so the store's distance from the floor is measured side by side.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "enqueue -> claim -> complete jobs per second.")

    @Option(help: "Jobs to push through per run.") var jobs: Int = 20_000
    @Option(help: "Claiming threads.") var workers: Int = 2
    @Option(help: "Rounds of (store, raw SQLite) runs; the order alternates between rounds.") var rounds: Int = 1
    @Option(help: "Scratch directory (deleted afterwards).") var dataDir: String?

    static let jobType = "bench", tenant = "bench"
    /// A request-body SHA-256 as `POST /v1/jobs` stores with an idempotency key (the same for every job here).
    static let fingerprint = String(repeating: "ab", count: 32)

    func run() async throws {
        guard jobs > 0, workers > 0, rounds > 0 else { throw ValidationError("--jobs, --workers and --rounds must be positive") }
        let root = URL(fileURLWithPath: dataDir ?? NSTemporaryDirectory() + "orchard-bench-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = QueueLoopLayout(jobs: jobs, workers: workers)
        var storeRates: [Double] = [], rawRates: [Double] = []
        for round in 1...rounds {
            let storeFirst = round % 2 == 1
            for variant in storeFirst ? ["store", "raw"] : ["raw", "store"] {
                let dir = root.appendingPathComponent("\(variant)-\(round)", isDirectory: true)
                let seconds = variant == "store" ? try runStore(layout, in: dir) : try runRaw(layout, in: dir)
                let rate = Double(jobs) / seconds
                if variant == "store" { storeRates.append(rate) } else { rawRates.append(rate) }
                let name = variant == "store" ? "store     " : "raw SQLite"
                print("round \(round) \(name): " + String(format: "%d jobs enqueued, claimed and completed in %.2f s with %d workers = %.0f jobs/s",
                                                           jobs, seconds, workers, rate))
                try? FileManager.default.removeItem(at: dir)
            }
        }
        let store = median(storeRates), raw = median(rawRates)
        print(String(format: "queue: store %.0f jobs/s, raw SQLite floor %.0f jobs/s, store/raw = %.2f", store, raw, store / raw)
              + " (median of \(rounds) round\(rounds == 1 ? "" : "s"))")
    }

    /// Through `OrchardStore`: `submit`, `claim`, `complete`.
    private func runStore(_ layout: QueueLoopLayout, in dir: URL) throws -> Double {
        let store = try OrchardStore(configuration: StoreConfiguration(dataDirectory: dir))
        return try layout.run(enqueue: { i in
            _ = try store.submit(JobSubmission(tenant: Self.tenant, type: Self.jobType, params: ["i": .number(Double(i))],
                                               seed: UInt64(i), idempotencyKey: "bench-\(i)", fingerprint: Self.fingerprint))
        }, claimAndComplete: { w in
            guard let c = try store.claim(owner: "bench-\(w)", types: [Self.jobType], leaseMillis: 60_000).first else { return false }
            try store.complete(c.lease, result: ["ok": true])
            return true
        })
    }

    /// The same transactions on the SQLite C API, on a database that `OrchardStore` created (same schema).
    private func runRaw(_ layout: QueueLoopLayout, in dir: URL) throws -> Double {
        let configuration = StoreConfiguration(dataDirectory: dir)
        _ = try OrchardStore(configuration: configuration)
        let queue = try RawSQLiteQueue(path: configuration.databaseURL.path)
        // Checkpoints off the writer's path, as the store runs them.
        let checkpointer = WALCheckpointer(databasePath: configuration.databaseURL.path)
        defer { checkpointer.stop() }
        let clock = SystemClock()
        return try layout.run(enqueue: { i in
            try queue.enqueue(id: Identifiers.make("job"), tenant: Self.tenant, type: Self.jobType, params: "{\"i\":\(i)}",
                              seed: Int64(i), key: "bench-\(i)", fingerprint: Self.fingerprint, now: clock.nowMillis())
        }, claimAndComplete: { w in
            let owner = "bench-\(w)"
            guard let c = try queue.claim(owner: owner, type: Self.jobType, leaseMillis: 60_000, now: clock.nowMillis()) else { return false }
            try queue.complete(id: c.id, attempt: c.attempt, owner: owner, result: "{\"ok\":true}", now: clock.nowMillis())
            return true
        })
    }

    private func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
