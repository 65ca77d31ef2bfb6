import Foundation
import OrchardJobs

/// One open deletion request as the coordinator advances it: for each affected model, what the queue knows.
/// Read in one snapshot; every write the coordinator makes from it is conditional on the state it read,
/// so two coordinators (two processes) never queue a job twice or record an outcome twice.
public struct DeletionProgress: Sendable {
    public var request: DeletionRequest
    public var models: [ModelProgress]

    public init(request: DeletionRequest, models: [ModelProgress]) { self.request = request; self.models = models }

    public struct ModelProgress: Sendable {
        public var action: DeletionAction
        /// `queued`: the unlearning job as it stands.
        public var unlearningJob: Job?
        /// `waiting`: the model's root job status (nil if the job is gone).
        public var rootStatus: JobStatus?
        /// `waiting`: another request's unlearning of this model is queued, or an older request still waits on it.
        public var blocked: Bool
        /// `waiting`: the model's newest version (the latest unlearned version, else the root job's latest checkpoint).
        public var newestCheckpoint: String?
        /// `waiting`: the request's documents that this model was trained on (lineage), with the private text snapshot.
        public var forget: [ForgetDocument]

        public init(action: DeletionAction, unlearningJob: Job?, rootStatus: JobStatus?, blocked: Bool, newestCheckpoint: String?,
                    forget: [ForgetDocument]) {
            self.action = action; self.unlearningJob = unlearningJob; self.rootStatus = rootStatus; self.blocked = blocked
            self.newestCheckpoint = newestCheckpoint; self.forget = forget
        }
    }
}

/// An entry of a deletion request's timeline.
public struct DeletionNote: Sendable {
    public var type: String
    public var message: String
    public var data: JSONValue
    public init(_ type: String, _ message: String, data: JSONValue = .null) { self.type = type; self.message = message; self.data = data }
}

/// How one model's unlearning ended, as the request records it.
public struct ModelUnlearningEnd: Sendable {
    /// `completed` | `failed`.
    public var status: String
    /// Stored on the action: the job's result (completed) or `{"error": …}` (failed).
    public var result: JSONValue
    /// The new model version, when the job wrote one.
    public var newVersion: (version: Int, checkpoint: String)?
    public var note: DeletionNote
    public init(status: String, result: JSONValue, newVersion: (version: Int, checkpoint: String)?, note: DeletionNote) {
        self.status = status; self.result = result; self.newVersion = newVersion; self.note = note
    }
}
