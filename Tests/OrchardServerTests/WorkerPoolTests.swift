import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OrchardJobs
import OrchardQueue
import OrchardServer
import OrchardStore
import OrchardTestSupport
import ServiceLifecycle
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs a worker pool against the server's store while `body` runs, then drains it.
func withWorkers<T>(_ server: TestServer, count: Int = 1, drainTimeout: Duration = .seconds(10),
                    _ body: (WorkerPool) async throws -> T) async throws -> T {
    var logger = Logger(label: "test.workers")
    logger.logLevel = .warning
    var config = server.config.workers
    config.count = count
    let pool = WorkerPool(store: server.store, registry: server.registry, config: config, drainTimeout: drainTimeout, logger: logger)
    let task = Task { try await pool.run() }
    defer { pool.beginDrain(); task.cancel() }
    let result = try await body(pool)
    pool.beginDrain()
    _ = try? await task.value
    return result
}

func submit(_ server: TestServer, _ params: JSONValue, seed: UInt64 = 11, maxAttempts: Int = 3) throws -> String {
    let registry = server.registry
    let resolved = try registry.kind(TestCounterKind.type)!.validate(params)
    return try server.store.submit(JobSubmission(tenant: "acme", type: TestCounterKind.type, params: resolved, seed: seed,
                                                 maxAttempts: maxAttempts)).job.id
}

func status(_ server: TestServer, _ id: String) throws -> Job { try server.store.job(id: id, tenant: nil)! }

@Suite struct WorkerPoolTests {
    @Test func aJobRunsToItsDeterministicResult() async throws {
        let server = try TestServer()
        let id = try submit(server, ["steps": 12, "checkpoint_every": 4])
        try await withWorkers(server) { _ in
            let ok41 = try await eventually { try status(server, id).status == .succeeded }
            #expect(ok41)
        }
        let job = try status(server, id)
        #expect(job.result?["value"]?.stringValue == String(TestCounterKind.expectedValue(seed: 11, steps: 12)))
        #expect(job.progress.step == 12 && job.progress.totalSteps == 12 && job.attempt == 1)
        #expect(try server.store.checkpoints(jobID: id, tenant: "acme").map(\.step).first == 12)
        let events = try server.store.events(jobID: id, tenant: "acme", after: 0, limit: 1000).events
        #expect(events.map(\.seq) == Array(1...events.count))
        #expect(events.filter { $0.type == "metrics" }.count == 12 && events.last?.type == QueueEventType.succeeded)
    }

    @Test func jobsRunOnDedicatedThreadsWithAThreadBudget() async throws {
        struct Probe: JobKind {
            static let type = "probe"
            struct Params: JobParams {}
            struct Output: Codable { var main: Bool; var threads: Int; var nice: Int32 }
            func resolve(_ p: Params) throws -> Params { p }
            func run(_ p: Params, seed: UInt64, context: JobContext) throws -> Output {
                Output(main: Thread.isMainThread, threads: context.threads, nice: getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0))
            }
        }
        let server = try TestServer { $0.workers.threadsPerJob = 3 }
        server.registry.register(Probe())
        let id = try server.store.submit(JobSubmission(tenant: "acme", type: "probe", params: [:], seed: 1)).job.id
        try await withWorkers(server) { _ in
            let ok = try await eventually { try status(server, id).status == .succeeded }
            #expect(ok)
        }
        let r = try status(server, id).result
        #expect(r?["main"] == false && r?["threads"] == 3)
        #expect(r?["nice"] == 10, "job threads run below the API's priority")
    }

    /// A client's own unlearning job keeps no forgotten text once it ends (here it fails: no such checkpoint).
    @Test func aFinishedUnlearningJobKeepsOnlyTheHashOfTheForgottenText() async throws {
        let server = try TestServer()
        let params = try server.registry.kind(TestForgetKind.type)!.validate(
            ["checkpoint": "ckpt_missing", "forget": [["id": "d1", "text": "secret words"]]])
        let id = try server.store.submit(JobSubmission(tenant: "acme", type: TestForgetKind.type, params: params, seed: 1)).job.id
        #expect(try status(server, id).params["forget"]?.arrayValue?.first?["text"] == "secret words")
        try await withWorkers(server) { _ in
            let ended = try await eventually {
                let job = try status(server, id)
                return job.status == .failed && job.params["forget"]?.arrayValue?.first?["text"] == nil
            }
            #expect(ended)
        }
        #expect(try status(server, id).error?.param == "checkpoint")
        let kept = try #require(try status(server, id).params["forget"]?.arrayValue?.first)
        #expect(kept["text"] == nil && kept["text_sha256"] == .string(Fingerprint.sha256(Data("secret words".utf8))), "\(kept)")
    }

    @Test func transientFailuresAreRetriedAndPermanentOnesAreNot() async throws {
        let server = try TestServer()
        let flaky = try submit(server, ["steps": 3, "fail_attempts": 2], maxAttempts: 3)
        let broken = try submit(server, ["steps": 3, "fail_permanently": true], maxAttempts: 3)
        let hopeless = try submit(server, ["steps": 3, "fail_attempts": 5], maxAttempts: 2)
        try await withWorkers(server, count: 2) { _ in
            let ok79 = try await eventually {
                try [flaky, broken, hopeless].allSatisfy { try status(server, $0).status.isTerminal }
            }
            #expect(ok79)
        }
        let f = try status(server, flaky)
        #expect(f.status == .succeeded && f.attempt == 3)
        let b = try status(server, broken)
        #expect(b.status == .failed && b.attempt == 1 && b.error?.code == "test_permanent")
        let h = try status(server, hopeless)
        #expect(h.status == .failed && h.attempt == 2 && h.error?.code == "max_attempts_exceeded")
        let retries = try server.store.events(jobID: flaky, tenant: "acme", after: 0, limit: 100).events.filter { $0.type == QueueEventType.retrying }
        #expect(retries.count == 2)
    }

    @Test func cancelAndPauseStopARunningJobCooperativelyAndResumeContinuesIt() async throws {
        let server = try TestServer()
        let cancelled = try submit(server, ["steps": 400, "checkpoint_every": 1000, "step_ms": 5])
        let paused = try submit(server, ["steps": 60, "checkpoint_every": 1000, "step_ms": 5])
        try await withWorkers(server, count: 2) { _ in
            let ok96 = try await eventually { try status(server, cancelled).progress.step ?? 0 > 2 && status(server, paused).progress.step ?? 0 > 2 }
            #expect(ok96)
            _ = try server.store.perform(.cancel, jobID: cancelled, tenant: "acme")
            _ = try server.store.perform(.pause, jobID: paused, tenant: "acme")
            let ok99 = try await eventually { try status(server, cancelled).status == .cancelled && status(server, paused).status == .paused }
            #expect(ok99)
            let stoppedAt = try #require(try server.store.latestCheckpoint(jobID: paused)?.step)
            #expect(stoppedAt > 0 && stoppedAt < 60, "pause checkpoints where it stopped")
            _ = try server.store.perform(.resume, jobID: paused, tenant: "acme")
            let ok103 = try await eventually { try status(server, paused).status == .succeeded }
            #expect(ok103)
            let resumed = try server.store.events(jobID: paused, tenant: "acme", after: 0, limit: 1000).events.first { $0.type == "resumed" }
            #expect(resumed?.data["step"]?.intValue == stoppedAt)
        }
        #expect(try status(server, cancelled).latestCheckpointID != nil, "cancel checkpoints first")
        #expect(try status(server, paused).result?["value"]?.stringValue == String(TestCounterKind.expectedValue(seed: 11, steps: 60)))
    }

    @Test func drainCheckpointsAndRequeuesRunningJobsThenAnotherPoolFinishesThem() async throws {
        let server = try TestServer()
        let id = try submit(server, ["steps": 200, "checkpoint_every": 1000, "step_ms": 5])
        try await withWorkers(server) { pool in
            let ok115 = try await eventually { try status(server, id).progress.step ?? 0 > 3 }
            #expect(ok115)
            let clock = ContinuousClock()
            let start = clock.now
            pool.beginDrain()
            let ok119 = try await eventually { try status(server, id).status == .queued }
            #expect(ok119)
            #expect(clock.now - start < .seconds(30))
        }
        let requeued = try status(server, id)
        #expect(requeued.attempt == 0, "a drain does not spend an attempt")
        let checkpointStep = try #require(try server.store.latestCheckpoint(jobID: id)?.step)
        #expect(checkpointStep > 3)
        try await withWorkers(server) { _ in
            let ok = try await eventually { try status(server, id).status == .succeeded }
            #expect(ok)
        }
        #expect(try status(server, id).result?["value"]?.stringValue == String(TestCounterKind.expectedValue(seed: 11, steps: 200)))
    }

    @Test func aWorkerThatLosesItsLeaseStopsWriting() async throws {
        let clock = ManualClock()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-fence-\(UUID().uuidString)")
        let store = try OrchardStore(configuration: StoreConfiguration(dataDirectory: dir), clock: clock)
        let runner = try #require(TestKinds.registry().kind(TestCounterKind.type))
        let params = try runner.validate(["steps": 5, "checkpoint_every": 1])
        let id = try store.submit(JobSubmission(tenant: "acme", type: runner.type, params: params, seed: 3)).job.id
        let first = try #require(try store.claim(owner: "old", types: [runner.type], leaseMillis: 1000).first)
        clock.advance(millis: 5000)
        try store.reapExpiredLeases()
        let second = try #require(try store.claim(owner: "new", types: [runner.type], leaseMillis: 60_000).first)
        let stale = QueueJobContext(store: store, lease: first.lease, tenant: "acme", threads: 1)
        #expect(throws: StoreError.leaseLost(jobID: id)) { try runner.run(params, 3, stale) }
        #expect(stale.stopReason == .leaseLost)
        let fresh = QueueJobContext(store: store, lease: second.lease, tenant: "acme", threads: 1)
        let result = try runner.run(params, 3, fresh)
        try store.complete(second.lease, result: result)
        #expect(try store.job(id: id, tenant: nil)?.result?["value"]?.stringValue == String(TestCounterKind.expectedValue(seed: 3, steps: 5)))
    }
}
