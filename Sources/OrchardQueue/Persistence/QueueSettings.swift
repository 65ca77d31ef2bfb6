import Foundation

/// The queue's settings that every store honours the same way: checkpoint retention, retry backoff and the bound on
/// lost leases. Both stores' configurations hold this value (`settings`).
public struct QueueSettings: Sendable, Equatable {
    /// Checkpoints kept per job besides the best: the newest `keepLastCheckpoints` by step.
    public var keepLastCheckpoints: Int = 3
    /// The metric whose lowest value marks a job's best checkpoint (kept regardless of age).
    public var bestCheckpointMetric: String = "loss"
    /// Base and cap of the exponential retry backoff; ±`retryJitter` (fraction) is applied.
    public var retryBaseSeconds: Double = 2
    public var retryCapSeconds: Double = 300
    public var retryJitter: Double = 0.2
    /// Lease losses after which the job fails `max_interruptions_exceeded` (they do not spend `max_attempts`).
    public var maxInterruptions: Int = 10

    public init() {}

    public var retryBackoff: RetryBackoff { RetryBackoff(baseSeconds: retryBaseSeconds, capSeconds: retryCapSeconds, jitter: retryJitter) }
    public var checkpointRetention: CheckpointRetention { CheckpointRetention(keepLast: keepLastCheckpoints, metric: bestCheckpointMetric) }
}
