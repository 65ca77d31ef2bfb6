import Foundation
import OrchardMethods
import OrchardTensor

/// What a topic-model checkpoint directory holds, and how it is read back.
///
/// Files: `meta.json` (this struct), `model.json` (the `TopicModel` with its sufficient statistics T(S):
/// Q_sum with compensation terms, M, df, per-document fingerprints; every number a Float64 written with
/// Swift's shortest round-trip formatting, so reading it back is bit-exact) or `head.json` (a `TopicHead`,
/// which carries its private copy of the base), `release.json` (what is published: noised in certified
/// mode), and `report.json` for versions produced by unlearning.
public struct TopicCheckpointMeta: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case topicModel = "topic_model", topicHead = "topic_head" }
    public var kind: Kind
    /// The job that trained version 0 of this model (the lineage root a deletion request finds).
    public var rootJob: String
    /// 0 for the trained model, +1 per unlearning.
    public var version: Int
    /// The dataset the base model was trained on.
    public var dataset: String
    /// For heads: the labelled downstream dataset and the held-out fraction of its split.
    public var headDataset: String?
    public var heldOutFraction: Double?

    public init(kind: Kind, rootJob: String, version: Int, dataset: String, headDataset: String? = nil, heldOutFraction: Double? = nil) {
        self.kind = kind; self.rootJob = rootJob; self.version = version; self.dataset = dataset
        self.headDataset = headDataset; self.heldOutFraction = heldOutFraction
    }
}

public enum TopicCheckpoint {
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }

    static func write<T: Encodable>(_ value: T, to url: URL) throws {
        try encoder().encode(value).write(to: url)
    }

    public static func save(meta: TopicCheckpointMeta, model: TopicModel?, head: TopicHead?, release: some Encodable,
                            report: (some Encodable)?, in dir: URL) throws {
        try write(meta, to: dir.appendingPathComponent("meta.json"))
        if let model { try write(model, to: dir.appendingPathComponent("model.json")) }
        if let head { try write(head, to: dir.appendingPathComponent("head.json")) }
        try write(release, to: dir.appendingPathComponent("release.json"))
        if let report { try write(report, to: dir.appendingPathComponent("report.json")) }
    }

    /// The published release (`release.json`) of a checkpoint: the same draw of noise every reader sees.
    static func release<R: Decodable>(_ type: R.Type, in ref: CheckpointRef) throws -> R {
        do {
            return try JSONDecoder().decode(R.self, from: Data(contentsOf: ref.directory.appendingPathComponent("release.json")))
        } catch {
            throw JobError.permanent(code: "checkpoint_unreadable", message: "checkpoint \(ref.id) has no readable release.json: \(error)")
        }
    }

    /// Reads a topic checkpoint; `param` names the request field for the error.
    public static func load(_ ref: CheckpointRef?, id: String, param: String) throws -> (TopicCheckpointMeta, TopicModel?, TopicHead?) {
        guard let ref else { throw JobError.invalid(param: param, message: "checkpoint \(id) not found") }
        let metaURL = ref.directory.appendingPathComponent("meta.json")
        guard let metaData = try? Data(contentsOf: metaURL),
              let meta = try? JSONDecoder().decode(TopicCheckpointMeta.self, from: metaData) else {
            throw JobError.invalid(param: param, message: "checkpoint \(id) is not a topic-model or topic-head checkpoint")
        }
        do {
            switch meta.kind {
            case .topicModel:
                let model = try JSONDecoder().decode(TopicModel.self, from: Data(contentsOf: ref.directory.appendingPathComponent("model.json")))
                return (meta, model, nil)
            case .topicHead:
                let head = try JSONDecoder().decode(TopicHead.self, from: Data(contentsOf: ref.directory.appendingPathComponent("head.json")))
                return (meta, nil, head)
            }
        } catch {
            throw JobError.permanent(code: "checkpoint_unreadable", message: "checkpoint \(id): \(error)")
        }
    }
}

extension TopicModelError {
    /// Method errors as job errors: bad data is permanent (never retried).
    var jobError: JobError { .permanent(code: "topic_model_error", message: description) }
}
