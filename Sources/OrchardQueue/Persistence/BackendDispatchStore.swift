import Foundation

/// What the dispatcher of an execution back end (`SlurmDispatcher`) needs from the store: the jobs it follows and the
/// conditional writes that keep at most one live submission per job, also when several dispatchers (one per API
/// server) share a database. A job of a non-local back end is never claimed by the local worker pools; only
/// `claim(jobID:backendRef:…)`, from a worker the back end started for that job, runs it.
///
/// A submission's life: `reserveSubmission` (live, state `SUBMITTING`) → the back end's submit call →
/// `recordSubmission` (its id in `backend_ref`) → `recordBackendState` with each state change the dispatcher
/// observes → `recordBackendState(live: false)` when it ended. A reservation whose submit call failed ends the same
/// way, with a retry delay.
public protocol BackendDispatchStore: Sendable {
    /// Jobs of `backend` that are unfinished or still have a live submission, oldest first.
    func backendJobs(backend: String) throws -> [Job]
    /// Reserves the job's next submission if it is queued, due (`scheduled_at` ≤ now) and has no live submission;
    /// when `maxSubmissions` submissions in a row ended before their worker claimed the job, fails it instead
    /// (`backend_submissions_exceeded`, naming the last submission's state and reason). A claim resets the count:
    /// pauses, drains and lost nodes, whose worker did start, do not spend it.
    func reserveSubmission(jobID: String, maxSubmissions: Int) throws -> SubmissionReservation
    /// Records the back end's id of the job's reserved submission (and a `job.backend_submitted` event); false when
    /// the reservation is gone.
    @discardableResult
    func recordSubmission(jobID: String, submission: Int, ref: String, state: String) throws -> Bool
    /// Records the state (and reason) the back end reports for the job's submission `ref` (nil: the reservation that
    /// never got an id). `live: false` ends the submission and writes a `job.backend_ended` event; with
    /// `retryAfterMillis`, a queued job is not submitted again before then. An ended submission that never reached the
    /// back end (`ref` nil) or that the job no longer wanted (it is paused or finished) does not count as unstarted.
    func recordBackendState(jobID: String, ref: String?, state: String, reason: String?, live: Bool,
                            retryAfterMillis: Int64?) throws
    /// Claims the queued job `jobID` for the worker that submission `backendRef` started (nil: any submission), with a
    /// lease and attempt + 1 as `claim` does; nil when the job is not queued or `backendRef` is not its current, live
    /// submission (a reservation clears the previous id, so a late worker of an ended submission cannot claim).
    func claim(jobID: String, backendRef: String?, owner: String, leaseMillis: Int64) throws -> ClaimedJob?
}

/// The outcome of `reserveSubmission`.
public enum SubmissionReservation: Sendable, Equatable {
    /// Reserved: submit it as submission number `submission` (1, 2, …) of the job.
    case reserved(submission: Int)
    /// Not queued, not due, or a submission is live (another dispatcher may hold it): nothing to do now.
    case notReady
    /// The job had used every submission and is now failed.
    case failed
}
