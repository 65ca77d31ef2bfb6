import Foundation
import Logging
import ServiceLifecycle

/// Applies the `RetentionPolicy` every `policy.interval`: deletes old runner events and old unreferenced jobs
/// (their checkpoint files after the rows), and checkpoint directories that no row names (after a grace period).
public struct RetentionService: Service {
    let store: any QueueStore
    let policy: RetentionPolicy
    let logger: Logger
    let startGate: StartGate

    public init(store: any QueueStore, policy: RetentionPolicy, logger: Logger, startGate: StartGate = StartGate(open: true)) {
        self.store = store; self.policy = policy; self.logger = logger; self.startGate = startGate
    }

    public func run() async throws {
        let store = store, policy = policy, logger = logger
        try await runPeriodically(every: policy.interval, after: startGate, logger: logger, failure: "retention sweep failed") {
            let (report, orphans) = try await store.offload { try Self.sweep(store: store, policy: policy, now: Date()) }
            if report.events > 0 || report.jobs > 0 || orphans > 0 {
                logger.notice("retention", metadata: ["events_deleted": "\(report.events)", "jobs_deleted": "\(report.jobs)",
                                                      "checkpoints_deleted": "\(report.checkpointPaths.count)", "orphans_deleted": "\(orphans)"])
            }
        }
    }

    /// One sweep: rows first (one transaction), then the files they named, then unindexed directories.
    /// Returns the report and the number of orphaned directories removed.
    public static func sweep(store: any QueueStore, policy: RetentionPolicy, now: Date) throws -> (RetentionReport, Int) {
        let report = try store.applyRetention(policy, nowMillis: Int64(now.timeIntervalSince1970 * 1000))
        let storage = store.checkpointStorage
        for path in report.checkpointPaths { storage.remove(path: path) }
        let graceSeconds = Double(policy.orphanGrace.components.seconds) + Double(policy.orphanGrace.components.attoseconds) / 1e18
        let candidates = storage.publishedPaths(modifiedBefore: now.addingTimeInterval(-graceSeconds))
        guard !candidates.isEmpty else { return (report, 0) }
        let indexed = try store.indexedCheckpointPaths()
        var removed = 0
        for path in candidates where !indexed.contains(path) {
            storage.remove(path: path)
            removed += 1
        }
        return (report, removed)
    }
}
