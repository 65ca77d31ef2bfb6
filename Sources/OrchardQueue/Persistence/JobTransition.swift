import Foundation

/// What `perform(action, job)` does to a job in its current state: the state machine of cancel, pause and resume,
/// decided once for every store (each store then writes it in its own SQL). Idempotent: an action that already holds
/// is `.none`; an impossible one throws `StoreError.invalidTransition`.
public enum JobTransition: Sendable, Equatable {
    /// Nothing to write (already cancelled / paused / queued, or the request is already recorded).
    case none
    /// queued or paused → cancelled at once (`job.cancelled`).
    case cancelNow
    /// running: record the cancel request (`job.cancel_requested`); the runner stops and `stopped` ends it.
    case requestCancel
    /// queued → paused (`job.paused`).
    case pauseNow
    /// running: record the pause request (`job.pause_requested`).
    case requestPause
    /// paused → queued, scheduled now (`job.resumed`).
    case resumeNow
    /// running with a pause requested that the worker has not honoured yet: withdraw it (`job.resumed`).
    case withdrawPause

    public static func plan(_ action: JobAction, for job: Job) throws -> JobTransition {
        let refuse = StoreError.invalidTransition(id: job.id, from: job.status.rawValue, action: action.rawValue)
        switch (action, job.status) {
        case (.cancel, .cancelled), (.pause, .paused), (.resume, .queued):
            return .none
        case (.cancel, .queued), (.cancel, .paused):
            return .cancelNow
        case (.cancel, .running):
            return job.cancelRequestedAt == nil ? .requestCancel : .none
        case (.pause, .queued):
            return .pauseNow
        case (.pause, .running):
            if job.cancelRequestedAt != nil { throw refuse }
            return job.pauseRequestedAt == nil ? .requestPause : .none
        case (.resume, .paused):
            return .resumeNow
        case (.resume, .running):
            return job.pauseRequestedAt != nil ? .withdrawPause : .none
        case (_, .succeeded), (_, .failed), (.pause, .cancelled), (.resume, .cancelled):
            throw refuse
        }
    }
}
