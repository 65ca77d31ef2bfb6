import Foundation

/// The failure of a job whose back-end submissions kept ending without the job finishing (a worker that cannot start
/// on the cluster, a node that keeps dying): both stores write it when `reserveSubmission` finds the bound used up.
public enum BackendSubmissionLimit {
    public static func failure(_ job: Job, unstarted: Int, limit: Int) -> JobFailure {
        var message = "\(unstarted) submissions in a row to \(job.backend) ended before their worker started the job (limit \(limit))"
        if let state = job.backendState {
            message += "; the last (\(job.backendRef ?? "no id")) ended \(state)" + (job.backendReason.map { ": \($0)" } ?? "")
        }
        return JobFailure(code: "backend_submissions_exceeded", message: message)
    }
}
