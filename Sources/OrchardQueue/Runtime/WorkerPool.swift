import Foundation
import Logging
import OrchardJobs
import ServiceLifecycle

/// Runs queued jobs: `count` slots, each claiming one job at a time and running its kind on a
/// dedicated thread with a `QueueJobContext` (the job's seed handed to the kind, its result encoded once). While a job runs, a monitor task reads stop
/// requests every `controlInterval` and renews the lease every `heartbeatInterval`.
/// On graceful shutdown (SIGTERM) the pool stops claiming, asks every running job to checkpoint
/// and stop, and puts each back in `queued`; a job that has not stopped after `drainTimeout` is
/// released anyway (its thread's later writes are fenced out).
public final class WorkerPool: Service, @unchecked Sendable {
    let store: any QueueStore
    let registry: JobKindRegistry
    let config: WorkerConfiguration
    let drainTimeout: Duration
    let logger: Logger
    let startGate: StartGate
    private let lock = NSLock()
    private var draining = false
    private var running: [String: (QueueJobContext, JobThread<JSONValue>)] = [:]

    struct DrainTimeout: Error {}

    public init(store: any QueueStore, registry: JobKindRegistry, config: WorkerConfiguration,
                drainTimeout: Duration = .seconds(25), logger: Logger = Logger(label: "orchard.workers"),
                startGate: StartGate = StartGate(open: true)) {
        self.store = store; self.registry = registry; self.config = config
        self.drainTimeout = drainTimeout; self.logger = logger; self.startGate = startGate
    }

    var isDraining: Bool { lock.withLock { draining } }

    public func run() async throws {
        let store = store
        await startGate.wait()
        if let only = config.onlyJob {
            // A worker started for one job does not reap others' leases: on a compute node (its own PID namespace,
            // host names that may repeat) a pid that looks dead here may be a live worker elsewhere.
            try await withGracefulShutdownHandler { try await self.runOnce(only) } onGracefulShutdown: { self.beginDrain() }
            return
        }
        // Jobs leased by a crashed process on this host are reclaimed now, not after their lease expires.
        let reclaimed = (try? await store.offload { try store.reapExpiredLeases(isDead: ProcessLiveness.isDeadLocalOwner) }) ?? 0
        if reclaimed > 0 { logger.notice("reclaimed jobs of a previous process", metadata: ["jobs": "\(reclaimed)"]) }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for slot in 0..<max(0, config.count) { group.addTask { await self.slotLoop(slot) } }
            }
        } onGracefulShutdown: {
            self.beginDrain()
        }
    }

    /// Stops claiming and asks running jobs to checkpoint and stop (SIGTERM, or a test).
    public func beginDrain() {
        let contexts: [(QueueJobContext, JobThread<JSONValue>)] = lock.withLock {
            draining = true
            return Array(running.values)
        }
        logger.notice("draining", metadata: ["running": "\(contexts.count)"])
        for (c, _) in contexts { c.requestStop(.draining) }
        let timeout = drainTimeout
        Task {
            try? await Task.sleep(for: timeout)
            for (_, thread) in contexts { thread.abandon(with: DrainTimeout()) }
        }
    }

    private func slotLoop(_ slot: Int) async {
        let store = store
        while !isDraining && !Task.isCancelled {
            let owner = ProcessLiveness.makeOwner()
            LiveOwners.insert(owner)
            let types = registry.types
            let leaseMillis = config.leaseDuration.millis
            let claimed: ClaimedJob?
            do {
                claimed = try await store.offload { try store.claim(owner: owner, types: types, leaseMillis: leaseMillis, limit: 1).first }
            } catch {
                logger.error("claim failed", metadata: ["error": "\(error)"])
                claimed = nil
            }
            if let claimed {
                QueueMetrics.shared.claims.increment()
                await execute(claimed)
            } else {
                try? await Task.sleep(for: config.pollInterval)
            }
            LiveOwners.remove(owner)
        }
    }

    /// `onlyJob`: claims that job for its back end's submission and runs it; returns when it stopped, or at once
    /// when the job is not queued for this submission (finished, paused, cancelled, or running elsewhere). A store
    /// error while claiming is thrown (the process exits non-zero, so the back end reports the submission failed).
    private func runOnce(_ only: WorkerConfiguration.OnlyJob) async throws {
        let store = store, owner = ProcessLiveness.makeOwner(), leaseMillis = config.leaseDuration.millis
        LiveOwners.insert(owner)
        defer { LiveOwners.remove(owner) }
        guard !isDraining else { return }
        guard let claimed = try await store.offload({
            try store.claim(jobID: only.jobID, backendRef: only.backendRef, owner: owner, leaseMillis: leaseMillis)
        }) else {
            logger.notice("job is not queued for this submission; nothing to run",
                          metadata: ["job_id": "\(only.jobID)", "backend_ref": "\(only.backendRef ?? "-")"])
            return
        }
        QueueMetrics.shared.claims.increment()
        await execute(claimed)
    }

    private func execute(_ claimed: ClaimedJob) async {
        let lease = claimed.lease
        var log = logger
        log[metadataKey: "job_id"] = "\(lease.jobID)"
        log[metadataKey: "attempt"] = "\(lease.attempt)"
        let context = QueueJobContext(store: store, lease: lease, tenant: claimed.job.tenant, threads: claimed.job.threads ?? config.resolvedThreadsPerJob)
        guard let kind = registry.kind(claimed.job.type) else {
            _ = try? store.fail(lease, failure: JobFailure(code: "unknown_job_type", message: "no runner for \(claimed.job.type)"))
            return
        }
        let params = claimed.job.params, seed = claimed.job.seed
        let thread = JobThread<JSONValue>(name: "job \(lease.jobID)", nice: config.jobNice) { try kind.run(params, seed, context) }
        let drainingNow: Bool = lock.withLock {
            running[lease.jobID] = (context, thread)
            return draining
        }
        if drainingNow { context.requestStop(.draining) }
        log.info("job started", metadata: ["type": "\(claimed.job.type)"])
        let monitor = Task { await self.monitor(context) }
        let outcome = await thread.result()
        monitor.cancel()
        _ = lock.withLock { running.removeValue(forKey: lease.jobID) }
        await finalize(claimed, context: context, outcome: outcome, logger: log)
    }

    /// Reads stop requests and renews the lease until the job ends; a lost lease stops the job.
    private func monitor(_ context: QueueJobContext) async {
        let store = store, lease = context.lease, leaseMillis = config.leaseDuration.millis
        let clock = ContinuousClock()
        var lastHeartbeat = clock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: config.controlInterval)
            if Task.isCancelled { break }
            do {
                let control: JobControl
                if clock.now - lastHeartbeat >= config.heartbeatInterval {
                    control = try await store.offload { try store.heartbeat(lease, leaseMillis: leaseMillis) }
                    lastHeartbeat = clock.now
                } else {
                    control = try await store.offload { try store.control(lease) }
                }
                if control.stopRequested { context.requestStop(.requested) }
            } catch StoreError.leaseLost {
                context.requestStop(.leaseLost)
                logger.warning("lease lost; stopping job", metadata: ["job_id": "\(lease.jobID)"])
                break
            } catch {
                logger.error("heartbeat failed", metadata: ["job_id": "\(lease.jobID)", "error": "\(error)"])
            }
        }
    }

    private func finalize(_ claimed: ClaimedJob, context: QueueJobContext, outcome: Result<JSONValue, any Error>, logger log: Logger) async {
        let store = store, lease = claimed.lease
        let metrics = QueueMetrics.shared
        do {
            if context.stopReason == .leaseLost {
                log.warning("job lost its lease; another worker owns it now")
                return
            }
            switch outcome {
            case .success(let result):
                let seconds = try await store.offload { try store.complete(lease, result: result) }
                metrics.jobDuration.record(seconds)
                metrics.finished(status: .succeeded).increment()
                log.info("job succeeded", metadata: ["seconds": "\(seconds)"])
                await redact(claimed.job)
            case .failure(let error as DrainTimeout):
                _ = error
                try await store.offload { try store.release(lease) }
                log.warning("job did not stop within the drain timeout; lease released")
            case .failure(let error) where Self.isStop(error) || (context.shouldStop && Self.isStoreStop(error)):
                let result = try await store.offload { try store.stopped(lease) }
                if result == .cancelled { metrics.finished(status: .cancelled).increment(); await redact(claimed.job) }
                log.info("job stopped", metadata: ["outcome": "\(result.rawValue)"])
            case .failure(JobError.invalid(let param, let message)):
                try await failPermanently(lease, JobFailure(code: "invalid_params", message: message, param: param), log)
                await redact(claimed.job)
            case .failure(JobError.permanent(let code, let message)):
                try await failPermanently(lease, JobFailure(code: code, message: message), log)
                await redact(claimed.job)
            case .failure(let error):
                let failure: JobFailure
                if case JobError.transient(let code, let message) = error { failure = JobFailure(code: code, message: message) }
                else { failure = JobFailure(code: "runner_error", message: String(describing: error)) }
                let retrying = try await store.offload { try store.retryOrFail(lease, failure: failure) }
                if retrying { metrics.retries.increment() } else { metrics.finished(status: .failed).increment(); await redact(claimed.job) }
                log.warning("job failed", metadata: ["error": "\(failure.code): \(failure.message)", "retrying": "\(retrying)"])
            }
        } catch StoreError.leaseLost {
            log.warning("job lost its lease before it could finish")
        } catch {
            log.error("could not record the job's outcome", metadata: ["error": "\(error)"])
        }
    }

    /// A finished job keeps only what its kind lets outlive it (an unlearning kind replaces the forgotten text
    /// by its hash), whether a deletion request queued it or a client did.
    private func redact(_ job: Job) async {
        guard let kind = registry.kind(job.type) else { return }
        let params = job.params, redacted = kind.redact(params)
        guard redacted != params else { return }
        let store = store, id = job.id
        do { try await store.offload { try store.replaceParams(jobID: id, params: redacted) } } catch {
            logger.error("could not redact a finished job's params", metadata: ["job_id": "\(id)", "error": "\(error)"])
        }
    }

    private func failPermanently(_ lease: Lease, _ failure: JobFailure, _ log: Logger) async throws {
        let store = store
        try await store.offload { _ = try store.fail(lease, failure: failure) }
        QueueMetrics.shared.finished(status: .failed).increment()
        log.warning("job failed permanently", metadata: ["error": "\(failure.code): \(failure.message)"])
    }

    static func isStop(_ error: any Error) -> Bool {
        if case JobError.stopped = error { return true }
        return false
    }
    static func isStoreStop(_ error: any Error) -> Bool {
        if case StoreError.leaseLost = error { return true }
        return false
    }
}
