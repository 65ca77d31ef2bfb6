import Foundation
import Logging
import ServiceLifecycle

/// Re-queues jobs whose lease expired (their worker died or hung) and fails the ones that used
/// their last attempt. Runs next to the HTTP server and the worker pool.
public struct Reaper: Service {
    let store: any QueueStore
    let interval: Duration
    let logger: Logger
    let startGate: StartGate

    public init(store: any QueueStore, interval: Duration, logger: Logger = Logger(label: "orchard.reaper"),
                startGate: StartGate = StartGate(open: true)) {
        self.store = store; self.interval = interval; self.logger = logger; self.startGate = startGate
    }

    public func run() async throws {
        let store = store, logger = logger
        try await runPeriodically(every: interval, after: startGate, logger: logger, failure: "reaper failed") {
            let n = try await store.offload { try store.reapExpiredLeases(isDead: ProcessLiveness.isDeadLocalOwner) }
            if n > 0 {
                QueueMetrics.shared.leaseExpiries.increment(by: Int64(n))
                logger.notice("reclaimed expired leases", metadata: ["jobs": "\(n)"])
            }
        }
    }
}
