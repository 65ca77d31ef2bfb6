import Foundation
import OrchardJobs

/// One entry of a job's append-only event stream; `seq` is 1, 2, 3, ... per job without gaps.
public struct JobEvent: Sendable, Hashable {
    public var jobID: String
    public var seq: Int
    public var type: String
    public var level: String
    public var message: String
    public var data: JSONValue
    public var attempt: Int
    public var createdAt: Int64

    public init(jobID: String, seq: Int, type: String, level: String, message: String, data: JSONValue, attempt: Int, createdAt: Int64) {
        self.jobID = jobID; self.seq = seq; self.type = type; self.level = level; self.message = message; self.data = data
        self.attempt = attempt; self.createdAt = createdAt
    }
}

/// Event types the queue itself writes. The last event of a finished job is one of `terminalTypes`.
public enum QueueEventType {
    public static let queued = "job.queued"
    public static let started = "job.started"
    public static let retrying = "job.retrying"
    public static let leaseExpired = "job.lease_expired"
    public static let released = "job.released"
    public static let paused = "job.paused"
    public static let resumed = "job.resumed"
    public static let cancelRequested = "job.cancel_requested"
    public static let pauseRequested = "job.pause_requested"
    public static let succeeded = "job.succeeded"
    public static let failed = "job.failed"
    public static let cancelled = "job.cancelled"
    public static let checkpoint = "checkpoint.saved"
    /// An execution back end accepted a submission of the job (data: backend, ref, submission).
    public static let backendSubmitted = "job.backend_submitted"
    /// A submission ended (data: backend, ref, state, reason); unless the job finished, the dispatcher submits again.
    public static let backendEnded = "job.backend_ended"
    public static let terminalTypes: Set<String> = [succeeded, failed, cancelled]
}

