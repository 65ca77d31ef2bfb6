import Foundation
import OrchardJobs

/// What a worker learns at a heartbeat: whether the client asked the job to stop.
public struct JobControl: Sendable, Equatable {
    public var cancelRequested: Bool
    public var pauseRequested: Bool
    public var stopRequested: Bool { cancelRequested || pauseRequested }
    public init(cancelRequested: Bool, pauseRequested: Bool) { self.cancelRequested = cancelRequested; self.pauseRequested = pauseRequested }
}

/// How a stopped job ended, decided by the queue from what was requested.
public enum StopOutcome: String, Sendable {
    case cancelled, paused, requeued
}

/// The client actions on a job. Each is idempotent (repeating it on a job already in the target
/// state returns the job unchanged); an impossible transition throws `invalidTransition`.
/// Running jobs are stopped cooperatively: the action records a request the worker sees within
/// a second, and the worker's runner checkpoints and stops.
public enum JobAction: String, Sendable {
    case cancel, pause, resume
}

