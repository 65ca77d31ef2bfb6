import Foundation
import OrchardJobs

/// What inserting a submission writes, prepared outside the write transaction: the new job's id and its JSON
/// columns (params, metadata, the `job.queued` event's data), shared by both stores' insert paths. `job(at:)` is the row as inserted.
public struct QueuedJobRow: Sendable {
    public let submission: JobSubmission
    public let id: String
    public let paramsJSON: String
    public let metadataJSON: String
    public let queuedEventJSON: String

    public init(_ s: JobSubmission) {
        submission = s
        id = Identifiers.make("job")
        paramsJSON = s.params.jsonText
        metadataJSON = JSONValue.object(s.metadata.mapValues(JSONValue.string)).jsonText
        queuedEventJSON = JSONValue.object(["type": .string(s.type)]).jsonText
    }

    /// The job exactly as a store's insert (SQLite's `OrchardStore.insertJob`, PostgreSQL's `PostgresStore.insertJob`) stored it at `now` (the columns it leaves to their defaults included).
    public func job(at now: Int64) -> Job {
        let s = submission
        var job = Job(id: id, tenant: s.tenant, type: s.type, status: .queued, priority: s.priority, paramsJSON: paramsJSON,
                   metadataJSON: metadataJSON, resultJSON: nil, errorJSON: nil, seed: s.seed, attempt: 0, maxAttempts: s.maxAttempts,
                   scheduledAt: now, leaseOwner: nil, leaseExpiresAt: nil, heartbeatAt: nil, cancelRequestedAt: nil,
                   pauseRequestedAt: nil, progress: JobProgress(step: nil, totalSteps: nil, tokens: nil), latestCheckpointID: nil,
                   createdAt: now, startedAt: nil, finishedAt: nil)
        job.backend = s.backend
        job.threads = s.threads
        return job
    }
}
