import Foundation
import OrchardJobs
import OrchardQueue

/// What inserting a submission writes, prepared outside the write transaction: the new job's id and its JSON
/// columns (params, metadata, the `job.queued` event's data). `job(at:)` is the row as inserted.
struct QueuedJobRow {
    let submission: JobSubmission
    let id: String
    let paramsJSON: String
    let metadataJSON: String
    let queuedEventJSON: String

    init(_ s: JobSubmission) {
        submission = s
        id = Identifiers.make("job")
        paramsJSON = s.params.columnText
        metadataJSON = JSONValue.object(s.metadata.mapValues(JSONValue.string)).columnText
        queuedEventJSON = JSONValue.object(["type": .string(s.type)]).columnText
    }

    /// The job exactly as `OrchardStore.insertJob` stored it at `now` (the columns it leaves to their defaults included).
    func job(at now: Int64) -> Job {
        let s = submission
        return Job(id: id, tenant: s.tenant, type: s.type, status: .queued, priority: s.priority, paramsJSON: paramsJSON,
                   metadataJSON: metadataJSON, resultJSON: nil, errorJSON: nil, seed: s.seed, attempt: 0, maxAttempts: s.maxAttempts,
                   scheduledAt: now, leaseOwner: nil, leaseExpiresAt: nil, heartbeatAt: nil, cancelRequestedAt: nil,
                   pauseRequestedAt: nil, progress: JobProgress(step: nil, totalSteps: nil, tokens: nil), latestCheckpointID: nil,
                   createdAt: now, startedAt: nil, finishedAt: nil)
    }
}
