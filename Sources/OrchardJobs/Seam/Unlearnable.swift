import Foundation
import OrchardTensor

/// A job kind whose models can be unlearned: how a deletion request is answered for the models it trains.
/// The deletion workflow asks the registry, never a hard-coded list: a kind is unlearnable exactly when
/// it conforms, and several unlearnable families coexist (each names its own unlearning kind).
public protocol Unlearnable: JobKind {
    associatedtype Unlearner: UnlearningKind
    /// The kind of job a deletion request queues for this kind's models.
    var unlearner: Unlearner { get }
    /// The unlearning job's params for one model version. `request.forget` holds only documents the model
    /// was trained on (lineage); `request.mode` is the deletion request's mode.
    func unlearningParams(for request: UnlearningRequest) throws -> Unlearner.Params
    /// The models this kind's models were derived from (a DPO base checkpoint, a distillation teacher), read from the
    /// stored params and result. A deletion request that affects both unlearns the parent first and passes its new
    /// version in `UnlearningRequest.parents`; the child is then re-derived from it. Default: none (trained from scratch).
    func parentModels(_ params: Params, result: Output?) -> [ParentModelReference]
}

extension Unlearnable {
    public func parentModels(_ params: Params, result: Output?) -> [ParentModelReference] { [] }
}

/// A model another model was derived from: one checkpoint of it (a DPO base) or its whole checkpoint series (a
/// distillation teacher, named by its job).
public enum ParentModelReference: Sendable, Hashable {
    case checkpoint(String)
    case series(job: String)

    /// The checkpoint or job id named.
    public var id: String {
        switch self {
        case .checkpoint(let id), .series(job: let id): return id
        }
    }
}

/// A parent model's state when its child is unlearned: its root job, its current version's checkpoint (after this
/// request's unlearning of it, when the request affected it), and, for a checkpoint reference, the step of the
/// checkpoint the child was derived from.
public struct ParentVersion: Sendable, Hashable, Codable {
    /// The parent model's root job.
    public var model: String
    /// The checkpoint of the parent's current version (its newest release).
    public var checkpoint: String
    /// The step of the checkpoint the child was derived from; nil for a series reference.
    public var step: Int?
    /// The checkpoint or job the child's params named.
    public var derived_from: String
    public init(model: String, checkpoint: String, step: Int?, derived_from: String) {
        self.model = model; self.checkpoint = checkpoint; self.step = step; self.derived_from = derived_from
    }
}

/// A job kind that edits an existing model to forget documents. Its output reports, typed, what a
/// deletion request records: the new version, the guarantee, the evaluation.
public protocol UnlearningKind: JobKind where Output: UnlearningResult {
    /// The params as kept after the job ended: the forgotten text replaced by its hash (the deletion
    /// request's private snapshot is purged; a finished job must not keep a copy).
    func redacted(_ params: Params) -> Params
    /// The models (root jobs) the job reads besides the one it edits — a re-derivation reads its parent's version. A
    /// deletion request holds the next unlearning of those models until the job ends (it would purge what is read).
    func readsModels(_ params: Params) -> [String]
}

extension UnlearningKind {
    public func readsModels(_ params: Params) -> [String] { [] }
}

/// What an unlearning job's result must report.
public protocol UnlearningResult: Codable, Sendable {
    var outcome: UnlearningOutcome { get }
}

/// One model's unlearning for a deletion request.
public struct UnlearningRequest: Sendable, Hashable {
    /// The checkpoint to edit: the model's newest version.
    public var inputCheckpoint: String
    /// The model's root job (the job whose lineage holds the documents).
    public var model: String
    /// The deleted documents this model was trained on, with their text (private snapshot).
    public var forget: [ForgetDocument]
    /// The deletion request's mode (`exact`, `certified`, …).
    public var mode: String
    /// The dataset the documents belong to.
    public var dataset: String
    public var deletionRequest: String
    /// The request's options (approximate mode: `{"method", …, "bar"}`); nil otherwise.
    public var options: JSONValue?
    /// The current versions of the models this one was derived from (`Unlearnable.parentModels`), in that order.
    public var parents: [ParentVersion]
    public init(inputCheckpoint: String, model: String, forget: [ForgetDocument], mode: String, dataset: String, deletionRequest: String,
                options: JSONValue? = nil, parents: [ParentVersion] = []) {
        self.inputCheckpoint = inputCheckpoint; self.model = model; self.forget = forget; self.mode = mode
        self.dataset = dataset; self.deletionRequest = deletionRequest; self.options = options; self.parents = parents
    }
}

/// A document to forget: `{id, text}` (plus `domain` when known); after the job, `text` is replaced by `text_sha256`.
public struct ForgetDocument: Codable, Sendable, Hashable {
    public var id: String
    public var text: String?
    public var domain: String?
    public var text_sha256: String?
    public init(id: String, text: String?, domain: String? = nil, text_sha256: String? = nil) {
        self.id = id; self.text = text; self.domain = domain; self.text_sha256 = text_sha256
    }
    /// An unlearning job's `forget_documents`: non-empty, each with an id (unique) and its text or the text's hash.
    public static func validate(_ docs: [ForgetDocument], param: String = "forget_documents") throws {
        guard !docs.isEmpty else { throw JobError.invalid(param: param, message: "\(param) must be a non-empty array of {id, text}") }
        var seen = Set<String>()
        for (i, d) in docs.enumerated() {
            let p = "\(param)[\(i)]"
            guard !d.id.isEmpty else { throw JobError.invalid(param: p + ".id", message: "\(p).id must be a non-empty string") }
            guard d.text != nil || d.text_sha256 != nil else { throw JobError.invalid(param: p + ".text", message: "\(p).text is required") }
            guard seen.insert(d.id).inserted else { throw JobError.invalid(param: p + ".id", message: "document \(d.id) appears twice") }
        }
    }

    /// The same document with its text replaced by the text's SHA-256.
    public var redacted: ForgetDocument {
        guard let t = text else { return self }
        return ForgetDocument(id: id, text: nil, domain: domain, text_sha256: SHA256Hasher.hexDigest(t))
    }
}

/// What a deletion request records of one unlearning job (receipt, model versions, evaluation).
/// Keys are the ones the topic unlearning result has always carried, so actions recorded before this
/// type existed decode as it.
public struct UnlearningOutcome: Codable, Sendable, Hashable {
    /// The new model version's checkpoint; nil when nothing changed (`unchanged`).
    public var checkpoint: String?
    public var model_version: Int?
    public var unchanged: Bool?
    public var method: String?
    public var mode: String?
    public var retrained: Bool?
    /// The guarantee stated on the receipt.
    public var guarantee: UnlearningGuarantee?
    /// Method-specific evaluation of the new version (forget quality, utility, …).
    public var evaluation: JSONValue?
    /// Set when the result missed the request's forget-quality bar: the version is not released as the model's new
    /// version and the request fails (with this reason and the evaluation).
    public var rejected: String? = nil

    public init(checkpoint: String?, model_version: Int?, unchanged: Bool? = nil, method: String? = nil, mode: String? = nil,
                retrained: Bool? = nil, guarantee: UnlearningGuarantee? = nil, evaluation: JSONValue? = nil) {
        self.checkpoint = checkpoint; self.model_version = model_version; self.unchanged = unchanged; self.method = method
        self.mode = mode; self.retrained = retrained; self.guarantee = guarantee; self.evaluation = evaluation
    }

    /// True when the job wrote a new model version that stands (not rejected by a forget-quality bar).
    public var producedVersion: Bool { unchanged != true && checkpoint != nil && rejected == nil }
}

/// The guarantee on a receipt: what is proven and what is empirical, spelled out.
public struct UnlearningGuarantee: Codable, Sendable, Hashable {
    public var kind: String
    public var statement: String?
    public var summary: String?
    public var epsilon: Double?
    public var delta: Double?
    public var capacity: Int?
    public var capacity_remaining: Int?
    public var retrains: Int?
    public var retrained: Bool?
    public init(kind: String, statement: String?, summary: String? = nil) {
        self.kind = kind; self.statement = statement; self.summary = summary
    }
}
