import Foundation
import OrchardJobs

public enum DeletionStatus: String, Sendable, Codable {
    case pending, running, completed, failed
    public var isTerminal: Bool { self == .completed || self == .failed }
}

/// A data-deletion request (docs/api.md "Deletion requests"). Documents are exposed only as hashes.
public struct DeletionRequest: Sendable, Hashable {
    public var id: String
    public var tenant: String
    public var dataset: String
    public var mode: String
    public var reason: String
    public var status: DeletionStatus
    public var documentCount: Int
    public var createdAt: Int64
    public var startedAt: Int64?
    public var completedAt: Int64?
    public var error: JSONValue?
    public var receipt: JSONValue?
    /// `{id_sha256, content_sha256}` per document, in request order.
    public var documentHashes: [JSONValue]
    public var actions: [DeletionAction]
    /// Approximate mode: `{"method", …hyperparameters, "bar": {…}}` (docs/api.md); nil otherwise.
    public var options: JSONValue? = nil
    /// Where `mode` came from: `request` (the request named it), `tenant_policy` (the tenant's deletion policy),
    /// `default` (neither: exact).
    public var modeSource: String = "request"

    public init(id: String, tenant: String, dataset: String, mode: String, reason: String, status: DeletionStatus, documentCount: Int,
                createdAt: Int64, startedAt: Int64?, completedAt: Int64?, error: JSONValue?, receipt: JSONValue?,
                documentHashes: [JSONValue], actions: [DeletionAction]) {
        self.id = id; self.tenant = tenant; self.dataset = dataset; self.mode = mode; self.reason = reason; self.status = status
        self.documentCount = documentCount; self.createdAt = createdAt; self.startedAt = startedAt; self.completedAt = completedAt
        self.error = error; self.receipt = receipt; self.documentHashes = documentHashes; self.actions = actions
    }
}

/// A tenant's deletion policy: the mode a request that names none runs (`GET/PUT /v1/deletion_policy`).
public struct DeletionPolicy: Sendable, Hashable {
    public static let serviceDefault = DeletionPolicy(mode: "exact", options: nil, updatedAt: nil)
    public var mode: String
    /// Approximate mode's `{"method", …, "bar"}` (validated by the API); nil otherwise.
    public var options: JSONValue?
    /// nil: the tenant set none (the service default).
    public var updatedAt: Int64?
    public init(mode: String, options: JSONValue?, updatedAt: Int64?) { self.mode = mode; self.options = options; self.updatedAt = updatedAt }
}

/// What a deletion request did (or will do) to one affected model.
public struct DeletionAction: Sendable, Hashable {
    public var rootJob: String
    public var jobType: String
    /// `unlearn` (the kind is unlearnable) or `unsupported` (listed as affected; no unlearning method for this kind yet).
    public var action: String
    public var status: String
    public var jobID: String?
    public var inputCheckpoint: String?
    public var result: JSONValue?
    /// The model's earlier checkpoints this action purged when its new version was released.
    public var purgedCheckpoints: [String] = []

    public init(rootJob: String, jobType: String, action: String, status: String, jobID: String?, inputCheckpoint: String?, result: JSONValue?) {
        self.rootJob = rootJob; self.jobType = jobType; self.action = action; self.status = status; self.jobID = jobID
        self.inputCheckpoint = inputCheckpoint; self.result = result
    }
}

public struct DeletionEvent: Sendable, Hashable {
    public var seq: Int
    public var type: String
    public var message: String
    public var data: JSONValue
    public var createdAt: Int64
    public init(seq: Int, type: String, message: String, data: JSONValue, createdAt: Int64) {
        self.seq = seq; self.type = type; self.message = message; self.data = data; self.createdAt = createdAt
    }
}

