import Foundation
import OrchardJobs

/// The events both stores write for a job's back-end submissions (type, level, message, data), built in one place.
public enum BackendEvents {
    public struct Event {
        public let type: String
        public let level: String
        public let message: String
        public let data: JSONValue
    }

    /// `job.backend_submitted`: the back end accepted submission `submission` as `ref`.
    public static func submitted(backend: String, ref: String, submission: Int) -> Event {
        Event(type: QueueEventType.backendSubmitted, level: "info", message: "submitted to \(backend) as \(ref)",
              data: ["backend": .string(backend), "ref": .string(ref), "submission": .number(Double(submission))])
    }

    /// `job.backend_ended`: the job's submission `ref` (nil: one that never got an id) ended in `state`; a warning
    /// unless the job had already finished.
    public static func ended(_ job: Job, ref: String?, state: String, reason: String?) -> Event {
        var data: [String: JSONValue] = ["backend": .string(job.backend), "ref": ref.map(JSONValue.string) ?? .null, "state": .string(state)]
        if let reason { data["reason"] = .string(reason) }
        return Event(type: QueueEventType.backendEnded, level: job.status.isTerminal ? "info" : "warn",
                     message: "\(job.backend) submission \(ref ?? "(none)") ended \(state)" + (reason.map { ": \($0)" } ?? ""),
                     data: .object(data))
    }
}
