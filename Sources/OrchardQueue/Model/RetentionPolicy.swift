import Foundation

/// What the service forgets on its own, and when (`orchard serve --retain-events-days --retain-jobs-days`;
/// docs/operations.md, "Retention"). nil: kept forever.
public struct RetentionPolicy: Sendable, Equatable {
    /// Runner events (every type outside `job.*`: metrics, checkpoint.saved, a kind's own) of jobs that finished
    /// longer ago than this are deleted; the job's lifecycle events (`job.queued` … `job.succeeded`) stay.
    public var eventsDays: Int?
    /// Jobs that finished longer ago than this are deleted with their events, checkpoints (rows and files) and
    /// idempotency keys — unless the job carries data lineage (a model trained on tenant documents: a deletion
    /// request must still find it), has a model version or a deletion action, or is named by an unfinished job.
    public var jobsDays: Int?
    /// A checkpoint directory on disk that no checkpoint row names is deleted once it is older than this (a crash
    /// between the rename that publishes it and the row that indexes it).
    public var orphanGrace: Duration = .seconds(3600)
    /// How often the sweep runs.
    public var interval: Duration = .seconds(3600)

    public init(eventsDays: Int? = nil, jobsDays: Int? = nil) { self.eventsDays = eventsDays; self.jobsDays = jobsDays }
}

/// What one sweep removed.
public struct RetentionReport: Sendable, Equatable {
    public var events = 0
    public var jobs = 0
    public var checkpointPaths: [String] = []
    public init() {}
}
