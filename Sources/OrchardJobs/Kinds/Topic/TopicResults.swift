import Foundation
import OrchardMethods

/// A certified model's deletion capacity as the topic results report it.
public struct CapacityReport: Codable, Sendable, Equatable {
    public var capacity: Int
    public var used: Int
    public var remaining: Int
    public var retrains: Int
    public var sigma: Double
    public var epsilon: Double
    public var delta: Double
    public var sensitivity_per_deletion: Double
    /// (σ√D + Δ)/‖f‖_F: a value of the data, so null under a supplied bound (certified releases carry none).
    @Nullable public var predicted_relative_loss: Double?

    init?(_ c: DeletionCapacity?) {
        guard let c else { return nil }
        capacity = c.capacity; used = c.used; remaining = c.remaining; retrains = c.retrains; sigma = c.sigma
        epsilon = c.config.epsilon; delta = c.config.delta; sensitivity_per_deletion = c.sensitivityPerDeletion
        predicted_relative_loss = c.guarantee == .certifiedGivenSuppliedBound ? nil : c.predictedRelativeLoss
    }
}

/// What a certified model may publish besides its noised release: inputs (params, ε, δ, the supplied bound and
/// what follows from them: σ, the capacity and its use by deletion requests). Counts, anchors, accuracies, norms
/// and timings are values of the data and are withheld (docs/methods.md, "What certified mode releases").
enum CertifiedSurface {
    static let modelMetrics: Set<String> = ["topics", "vocabulary_size", "sigma", "capacity", "capacity_remaining"]
    static let headMetrics: Set<String> = ["classes", "sigma", "capacity", "capacity_remaining"]
    /// Files of a certified checkpoint that hold un-noised state: never served, hashed or sized by the API.
    static let privateFiles: Set<String> = ["model.json", "head.json", "report.json"]

    static func metrics(_ m: [String: Double], certified: Bool, allowed: Set<String>) -> [String: Double] {
        certified ? m.filter { allowed.contains($0.key) } : m
    }
}

/// Checkpoint metrics as results show them: a value that is not finite is null.
func finiteMetrics(_ m: [String: Double]) -> [String: Double?] {
    m.mapValues { $0.isFinite ? $0 : nil }
}

/// The result of a `topic_model` job.
public struct TopicModelResult: Codable, Sendable, Equatable {
    public var checkpoint: String
    public var kind = "topic_model"
    public var model_version: Int
    public var dataset: String
    /// Live training documents (null in certified mode: a count of the data).
    @Nullable public var documents: Int?
    public var vocabulary_size: Int
    public var topics: Int
    /// The anchor word of each topic (null in certified mode), and each topic's 8 most probable words in the
    /// released matrix (certified: the noised one).
    @Nullable public var anchors: [String]?
    public var top_words: [[String]]
    @Nullable public var certification: CapacityReport?
    public var guarantee: String
    public var metrics: [String: Double?]

    init(checkpoint: CheckpointRef, meta: TopicCheckpointMeta, model: TopicModel, release: TopicModelRelease) {
        let certified = release.mode == .certified
        self.checkpoint = checkpoint.id; model_version = meta.version; dataset = meta.dataset
        documents = certified ? nil : model.documentCount
        vocabulary_size = model.vocabularySize; topics = model.topicCount
        anchors = certified ? nil : model.anchors.map { model.vocabulary.words[$0] }
        top_words = (0..<release.topicCount).map { release.topWords(topic: $0, count: 8) }
        certification = CapacityReport(model.certification)
        guarantee = release.guarantee.rawValue
        metrics = finiteMetrics(checkpoint.metrics)
    }
}

/// The result of a `topic_head` job.
public struct TopicHeadResult: Codable, Sendable, Equatable {
    public var checkpoint: String
    public var kind = "topic_head"
    public var model_version: Int
    /// The labelled dataset the head was trained on, and the base model's dataset.
    public var dataset: String
    public var base_dataset: String
    public var classes: [String]
    @Nullable public var certification: CapacityReport?
    public var metrics: [String: Double?]

    init(checkpoint: CheckpointRef, meta: TopicCheckpointMeta, head: TopicHead, metrics: [String: Double]) {
        self.checkpoint = checkpoint.id; model_version = meta.version
        dataset = meta.headDataset ?? meta.dataset; base_dataset = meta.dataset
        classes = head.classes; certification = CapacityReport(head.certification)
        self.metrics = finiteMetrics(metrics)
    }
}

/// The result of a `topic_unlearn` job: a new model version (U_base or U_head), or `unchanged` when the
/// model no longer contained any of the documents.
public struct TopicUnlearnResult: UnlearningResult, Equatable {
    /// "topic_model" | "topic_head": the kind of model edited.
    public var kind: String
    /// "U_base" | "U_head".
    public var method: String?
    public var mode: String?
    /// The new version's checkpoint (unchanged: the input checkpoint).
    public var checkpoint: String?
    public var input_checkpoint: String
    public var root_job: String
    public var model_version: Int
    public var forgotten_documents: Int
    public var skipped_documents: Int
    @Nullable public var capacity: CapacityReport?
    /// `GuaranteeKind` raw value (`exact_retrain_equivalent` only for a supplied vocabulary) and its statement.
    public var guarantee: String?
    public var guarantee_statement: String?
    public var retrained: Bool?
    public var evaluation: [String: JSONValue]?
    @Nullable public var deletion_request: String?
    public var unchanged: Bool?

    /// What a deletion request records: the receipt spells out what is proven and what is empirical.
    public var outcome: UnlearningOutcome {
        var g: UnlearningGuarantee? = nil
        if let kind = guarantee {
            var u = UnlearningGuarantee(kind: kind, statement: guarantee_statement, summary: Self.summary(kind))
            if let c = capacity {
                u.epsilon = c.epsilon; u.delta = c.delta; u.capacity = c.capacity; u.capacity_remaining = c.remaining; u.retrains = c.retrains
            }
            if retrained == true { u.retrained = true }
            g = u
        }
        return UnlearningOutcome(checkpoint: checkpoint, model_version: model_version, unchanged: unchanged, method: method, mode: mode,
                                 retrained: retrained, guarantee: g, evaluation: evaluation.map(JSONValue.object))
    }

    static func summary(_ kind: String) -> String? {
        switch GuaranteeKind(rawValue: kind) {
        case .exactRetrainEquivalent?:
            return "exact: equals a retrain from scratch through the API without the documents, same params and seed ((0,0)-unlearning; the vocabulary was supplied, so the retrain uses the same one; checked bit for bit through the server in the tests)"
        case .exactGivenVocabulary?:
            return "exact over the model's vocabulary: equals retraining without the documents on the vocabulary fixed at first training ((0,0)-unlearning given that vocabulary); the vocabulary was chosen from data that included the documents and is not re-chosen, so a retrain from scratch can differ"
        case .certifiedGivenSuppliedBound?:
            return "certified: (ε, δ)-unlearning is proven by the Gaussian-mechanism theorem provided the caller-supplied per-deletion sensitivity bound holds; that bound is the caller's claim, not proven here"
        case .empiricalNotCertified?:
            return "empirical, not certified: the noise follows the Gaussian mechanism for (ε, δ), but the sensitivity Δ was measured on random forget sets, so the (ε, δ) bound is empirical, not proven"
        case nil:
            return nil
        }
    }

    /// Nothing of the model was left to forget: no new version.
    static func unchanged(checkpoint: String, meta: TopicCheckpointMeta, skipped: Int) -> TopicUnlearnResult {
        TopicUnlearnResult(kind: meta.kind.rawValue, method: nil, mode: nil, checkpoint: checkpoint, input_checkpoint: checkpoint,
                           root_job: meta.rootJob, model_version: meta.version, forgotten_documents: 0, skipped_documents: skipped,
                           capacity: nil, guarantee: nil, guarantee_statement: nil, retrained: nil, evaluation: nil,
                           deletion_request: nil, unchanged: true)
    }
}
