import Foundation
import OrchardJobs

/// The decisions of a submission's life (`BackendDispatchStore`), made on the job row as read — and, on PostgreSQL,
/// locked — inside the store's transaction. Both stores take them from here and only write them in their own SQL.
public enum BackendSubmissionRules {
    /// What `reserveSubmission` does.
    public enum Reservation: Equatable {
        /// Not a non-local job that is queued, due and without a live submission: nothing.
        case none
        /// Mark submission number `submission` live (`SUBMITTING`) and count it as unstarted.
        case reserve(submission: Int)
        /// `maxUnstarted` submissions in a row ended before their worker claimed the job: fail it with this.
        case fail(JobFailure)
    }

    public static func reservation(_ job: Job?, now: Int64, maxUnstarted: Int) -> Reservation {
        guard let job, job.backend != ExecutionBackendName.local, job.status == .queued, job.scheduledAt <= now,
              !job.backendLive else { return .none }
        guard job.backendUnstarted < maxUnstarted else {
            var message = "\(job.backendUnstarted) submissions in a row to \(job.backend) ended before their worker started the job (limit \(maxUnstarted))"
            if let state = job.backendState {
                message += "; the last (\(job.backendRef ?? "no id")) ended \(state)" + (job.backendReason.map { ": \($0)" } ?? "")
            }
            return .fail(JobFailure(code: "backend_submissions_exceeded", message: message))
        }
        return .reserve(submission: job.backendSubmissions + 1)
    }

    /// What `recordBackendState` writes, or nil for nothing (not the job's live submission, or no change).
    public struct StateChange {
        /// Take this submission back off the unstarted count.
        public let refund: Bool
        /// The `job.backend_ended` event, when the submission ended.
        public let ended: BackendEvents.Event?
    }

    public static func stateChange(_ job: Job?, ref: String?, state: String, reason: String?, live: Bool) -> StateChange? {
        guard let job, job.backendLive, job.backendRef == ref || (ref == nil && job.backendState == "SUBMITTING"),
              !live || job.backendState != state || job.backendReason != reason else { return nil }
        // A submission that ended unclaimed because the job no longer wanted it (paused or finished meanwhile), or that
        // never reached the back end (sbatch failed: the cluster's problem, not the job's), is not held against the
        // job's bound on unstarted submissions.
        let refund = !live && (job.status == .paused || job.status.isTerminal || ref == nil)
        return StateChange(refund: refund, ended: live ? nil : BackendEvents.ended(job, ref: ref, state: state, reason: reason))
    }
}
