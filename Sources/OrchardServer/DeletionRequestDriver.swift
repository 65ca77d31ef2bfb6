import Foundation
import Logging
import OrchardJobs
import OrchardStore
import ServiceLifecycle

/// Drives deletion requests: queues their unlearning jobs (one per model at a time, oldest request first)
/// and moves each request through pending → running → completed | failed as those jobs finish.
/// Every step is a fenced, idempotent store transaction (`advanceDeletionRequests`), so a restart or a
/// second server only repeats work that is already recorded as done.
public struct DeletionRequestDriver: Service {
    let store: OrchardStore
    let registry: RunnerRegistry
    let interval: Duration
    let logger: Logger
    let startGate: StartGate

    public init(store: OrchardStore, registry: RunnerRegistry, interval: Duration,
                logger: Logger = Logger(label: "orchard.deletions"), startGate: StartGate = StartGate(open: true)) {
        self.store = store; self.registry = registry; self.interval = interval; self.logger = logger; self.startGate = startGate
    }

    public func run() async throws {
        let store = store, registry = registry
        await startGate.wait()
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await store.offload {
                        try store.advanceDeletionRequests { type, params in
                            guard let runner = registry.runner(for: type) else {
                                throw JobError.permanent(code: "no_runner", message: "no runner for \(type) is registered")
                            }
                            return try runner.validate(params: params, seed: 0)
                        }
                    }
                } catch {
                    logger.error("deletion driver failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
