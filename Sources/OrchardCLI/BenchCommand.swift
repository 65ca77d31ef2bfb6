import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OrchardJobs
import OrchardQueue
import OrchardStore

/// `orchard bench ...`: measurements reported in docs/performance.md. Add new benchmarks as subcommands.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks (see docs/performance.md).",
                                                    subcommands: [QueueBench.self, TrainBench.self, MomentumBench.self])
}

/// End-to-end queue throughput through the store: one producer enqueues (one transaction per job,
/// as `POST /v1/jobs` does) while `--workers` threads claim and complete (one transaction each).
struct QueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "enqueue -> claim -> complete jobs per second.")

    @Option(help: "Jobs to push through.") var jobs: Int = 20_000
    @Option(help: "Claiming threads.") var workers: Int = 2
    @Option(help: "Scratch data directory (deleted afterwards).") var dataDir: String?

    func run() async throws {
        guard jobs > 0, workers > 0 else { throw ValidationError("--jobs and --workers must be positive") }
        let dir = URL(fileURLWithPath: dataDir ?? NSTemporaryDirectory() + "orchard-bench-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try OrchardStore(configuration: StoreConfiguration(dataDirectory: dir))
        let total = jobs, type = "bench"
        let done = Counter()
        let start = DispatchTime.now().uptimeNanoseconds
        let group = DispatchGroup()
        let errors = Counter()
        group.enter()
        Thread {
            for i in 0..<total {
                do {
                    _ = try store.submit(JobSubmission(tenant: "bench", type: type, params: ["i": .number(Double(i))], seed: UInt64(i)))
                } catch { errors.add() }
            }
            group.leave()
        }.start()
        for w in 0..<workers {
            group.enter()
            Thread {
                let owner = "bench-\(w)"
                while done.value < total && errors.value == 0 {
                    do {
                        guard let c = try store.claim(owner: owner, types: [type], leaseMillis: 60_000).first else { usleep(200); continue }
                        try store.complete(c.lease, result: ["ok": true])
                        done.add()
                    } catch { errors.add() }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard errors.value == 0 else { throw ValidationError("\(errors.value) store operations failed") }
        print(String(format: "queue: %d jobs enqueued, claimed and completed in %.2f s with %d workers = %.0f jobs/s",
                     total, seconds, workers, Double(total) / seconds))
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        var value: Int { lock.withLock { n } }
        func add() { lock.withLock { n += 1 } }
    }
}
