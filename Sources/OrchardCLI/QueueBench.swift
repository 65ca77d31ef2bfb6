import ArgumentParser
import Foundation
import OrchardJobs
import OrchardPostgresStore
import OrchardQueue
import OrchardStore

/// End-to-end queue throughput through the store: one producer enqueues (one transaction per job, as
/// `POST /v1/jobs` with an `Idempotency-Key` does) while `--workers` threads claim and complete (one transaction
/// each). Each round also runs the same transactions straight on the SQLite C API (`RawSQLiteQueue`), with the
/// same schema, pragmas and threads, so the store's distance from the floor is measured side by side. With
/// `--database postgres://…` each round also runs the PostgreSQL store (a fresh schema of that database, dropped
/// afterwards), so both back ends are measured in the same run.
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "enqueue -> claim -> complete jobs per second.")

    @Option(help: "Jobs to push through per run.") var jobs: Int = 20_000
    @Option(help: "Claiming threads.") var workers: Int = 2
    @Option(help: "Rounds of (store, raw SQLite) runs; the order alternates between rounds.") var rounds: Int = 1
    @Option(help: "Scratch directory (deleted afterwards).") var dataDir: String?
    @Option(help: "Also measure the PostgreSQL store on this database: postgres://USER@HOST:PORT/DB (a scratch schema per round).")
    var database: String?

    static let jobType = "bench", tenant = "bench"
    /// A request-body SHA-256 as `POST /v1/jobs` stores with an idempotency key (the same for every job here).
    static let fingerprint = String(repeating: "ab", count: 32)

    func run() async throws {
        guard jobs > 0, workers > 0, rounds > 0 else { throw ValidationError("--jobs, --workers and --rounds must be positive") }
        let root = URL(fileURLWithPath: dataDir ?? NSTemporaryDirectory() + "orchard-bench-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let postgres: PostgresDatabaseURL?
        do { postgres = try database.map(PostgresDatabaseURL.init(parsing:)) } catch let e as PostgresDatabaseURL.Invalid {
            throw ValidationError("--database: \(e.description)")
        }
        let layout = QueueLoopLayout(jobs: jobs, workers: workers)
        var rates: [String: [Double]] = [:]
        let variants = ["store", "raw"] + (postgres == nil ? [] : ["postgres"])
        for round in 1...rounds {
            // The order rotates between rounds, so no variant always runs first (or last) on a warming machine.
            let shift = (round - 1) % variants.count
            for variant in variants[shift...] + variants[..<shift] {
                let dir = root.appendingPathComponent("\(variant)-\(round)", isDirectory: true)
                let seconds: Double
                switch variant {
                case "store": seconds = try runStore(layout, in: dir)
                case "raw": seconds = try runRaw(layout, in: dir)
                default: seconds = try runPostgres(layout, database: postgres!, in: dir)
                }
                let rate = Double(jobs) / seconds
                rates[variant, default: []].append(rate)
                let name = ["store": "store     ", "raw": "raw SQLite", "postgres": "PostgreSQL"][variant]!
                print("round \(round) \(name): " + String(format: "%d jobs enqueued, claimed and completed in %.2f s with %d workers = %.0f jobs/s",
                                                           jobs, seconds, workers, rate))
                try? FileManager.default.removeItem(at: dir)
            }
        }
        let store = median(rates["store"]!), raw = median(rates["raw"]!)
        var summary = String(format: "queue: store %.0f jobs/s, raw SQLite floor %.0f jobs/s, store/raw = %.2f", store, raw, store / raw)
        if let pg = rates["postgres"] { summary += String(format: ", PostgreSQL store %.0f jobs/s", median(pg)) }
        print(summary + " (median of \(rounds) round\(rounds == 1 ? "" : "s"))")
    }

    /// Through `PostgresStore`, on a scratch schema of `database` (dropped afterwards): the same calls as `runStore`.
    private func runPostgres(_ layout: QueueLoopLayout, database: PostgresDatabaseURL, in dir: URL) throws -> Double {
        var config = PostgresStoreConfiguration(database: database, checkpointDirectory: dir.appendingPathComponent("checkpoints"),
                                                schema: "orchard_bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))
        config.poolSize = workers + 2
        let store: PostgresStore
        do { store = try PostgresStore(configuration: config) } catch let e as PostgresStoreError {
            throw ValidationError("--database: \(e.description)")
        }
        defer { try? store.dropSchema() }
        return try run(layout, through: store)
    }

    /// Through `OrchardStore`: `submit`, `claim`, `complete`.
    private func runStore(_ layout: QueueLoopLayout, in dir: URL) throws -> Double {
        try run(layout, through: try OrchardStore(configuration: StoreConfiguration(dataDirectory: dir)))
    }

    /// The store's calls, whichever back end: `submit` with an idempotency key, `claim`, `complete`.
    private func run(_ layout: QueueLoopLayout, through store: any JobQueue) throws -> Double {
        try layout.run(enqueue: { i in
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
