import Foundation
import OrchardMethods

/// `certification` of the topic kinds (spec algorithms-2 §1.6 mode C): makes every release noised and
/// tracks a deletion capacity. `{"epsilon": ε (required), "delta": 1e-5, "capacity": m_U | {"relative_loss_budget": b},
/// "sensitivity": {"per_deletion_bound": b} | {"empirical_trials": k}}`.
public struct CertificationParams: ParamsSection, Equatable {
    /// ε of the (analytic) Gaussian mechanism, > 0 (required).
    public var epsilon: Double? = nil
    /// δ, in (0, 1).
    public var delta: Double = 1e-5
    /// m_U fixed, or the largest m_U whose predicted relative loss stays within the budget.
    public var capacity: CapacitySetting = .relativeLossBudget(0.5)
    /// Where Δ comes from: a caller-supplied bound per deletion (certified if it holds) or measured (empirical).
    public var sensitivity: SensitivitySetting = .empiricalTrials(3)
    public init() {}

    func check() throws {
        guard let e = epsilon else { throw JobError.invalid(param: "certification.epsilon", message: "certification.epsilon is required") }
        guard e.isFinite, e > 0 else {
            throw JobError.invalid(param: "certification.epsilon", message: "certification.epsilon must be a finite number > 0 (analytic Gaussian mechanism)")
        }
        guard delta.isFinite, delta > 0, delta < 1 else {
            throw JobError.invalid(param: "certification.delta", message: "certification.delta must be in (0, 1)")
        }
        if case .perDeletionBound = sensitivity, case .relativeLossBudget = capacity {
            throw JobError.invalid(param: "certification.capacity", message: "with a supplied sensitivity bound the capacity must be a fixed integer: a loss-budget capacity is chosen from the model's norm, a value of the data that certified mode would release un-noised")
        }
    }

    /// The method's configuration; the job's seed drives the empirical calibration.
    func config(seed: UInt64) -> CertifiedUnlearningConfig {
        let capacity: CapacityPolicy
        switch self.capacity {
        case .fixed(let n): capacity = .fixed(n)
        case .relativeLossBudget(let b): capacity = .relativeLossBudget(b)
        }
        let sensitivity: SensitivitySource
        switch self.sensitivity {
        case .perDeletionBound(let b): sensitivity = .suppliedPerDeletionBound(b)
        case .empiricalTrials(let k): sensitivity = .empirical(trials: k, seed: seed)
        }
        return CertifiedUnlearningConfig(epsilon: epsilon ?? 0, delta: delta, capacity: capacity, sensitivity: sensitivity)
    }
}

/// `capacity`: a positive integer m_U, or `{"relative_loss_budget": b > 0}`.
public enum CapacitySetting: Codable, Sendable, Equatable {
    case fixed(Int)
    case relativeLossBudget(Double)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let message = "capacity must be a positive integer or {\"relative_loss_budget\": b > 0}"
        if let n = try? c.decode(Int.self) {
            guard n >= 1 else { throw DecodingError.dataCorruptedError(in: c, debugDescription: message) }
            self = .fixed(n); return
        }
        let o = try decoder.container(keyedBy: WireKey.self)
        guard o.allKeys.map(\.stringValue) == ["relative_loss_budget"],
              let b = try? o.decode(Double.self, forKey: WireKey("relative_loss_budget")), b > 0, b.isFinite else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: message)
        }
        self = .relativeLossBudget(b)
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .fixed(let n): var c = encoder.singleValueContainer(); try c.encode(n)
        case .relativeLossBudget(let b): var c = encoder.container(keyedBy: WireKey.self); try c.encode(b, forKey: WireKey("relative_loss_budget"))
        }
    }
}

/// `sensitivity`: `{"per_deletion_bound": b > 0}` or `{"empirical_trials": k in 1...100}`.
public enum SensitivitySetting: Codable, Sendable, Equatable {
    case perDeletionBound(Double)
    case empiricalTrials(Int)

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        let keys = c.allKeys.map(\.stringValue)
        let message = "sensitivity must be {\"per_deletion_bound\": b} or {\"empirical_trials\": k}"
        if keys == ["per_deletion_bound"] {
            let k = WireKey("per_deletion_bound")
            guard let b = try? c.decode(Double.self, forKey: k), b > 0, b.isFinite else {
                throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "must be a positive number")
            }
            self = .perDeletionBound(b)
        } else if keys == ["empirical_trials"] {
            let k = WireKey("empirical_trials")
            guard let n = try? c.decode(Int.self, forKey: k), (1...100).contains(n) else {
                throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "must be an integer in 1...100")
            }
            self = .empiricalTrials(n)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        switch self {
        case .perDeletionBound(let b): try c.encode(b, forKey: WireKey("per_deletion_bound"))
        case .empiricalTrials(let k): try c.encode(k, forKey: WireKey("empirical_trials"))
        }
    }
}

/// `topic_model` params (spec algorithms-2 §1.2–1.4).
public struct TopicModelParams: JobParams, Equatable {
    public struct Vocabulary: ParamsSection, Equatable {
        /// The vocabulary as an input (2...8000 tokens; ids alphabetical): independent of the training documents, so
        /// exact unlearning equals a retrain from scratch (`exact_retrain_equivalent`). Null: chosen from the training
        /// documents by the two rules below (exact unlearning is then `exact_given_vocabulary`).
        public var words: [String]? = nil
        /// Words in fewer documents are dropped, 1...1e6 (unused with `words`).
        public var min_document_frequency: Int = 3
        /// At most this many words (most frequent first), topics...8000 (unused with `words`).
        public var max_size: Int = 2000
        public init() {}
    }
    public struct Anchors: ParamsSection, Equatable {
        /// Candidate anchors appear in at least this many documents.
        public var min_document_frequency: Int = 5
        /// … and in at least this fraction of documents, [0, 1).
        public var document_fraction: Double = 0.01
        /// Random projection dimension of the anchor search; null = none.
        @Nullable public var projection_dimension: Int? = nil
        public init() {}
    }
    /// The documents dataset (required).
    public var dataset: String = ""
    /// r, 2...200 (required).
    public var topics: Int? = nil
    /// "L2" | "KL" (case-insensitive; echoed upper-case).
    public var recover: String = "L2"
    public var vocabulary = Vocabulary()
    public var anchors = Anchors()
    /// Certified mode; null = exact releases.
    @Nullable public var certification: CertificationParams? = nil
    public init() {}

    var objective: TopicRecoveryObjective { recover == "KL" ? .kl : .l2 }

    /// The method's configuration; the job's seed is the projection seed.
    func config(seed: UInt64) -> TopicModelConfig {
        TopicModelConfig(topicCount: topics ?? 0, minDocumentFrequency: vocabulary.min_document_frequency,
                         maxVocabularySize: vocabulary.max_size, anchorMinDocumentFrequency: anchors.min_document_frequency,
                         anchorDocumentFraction: anchors.document_fraction, projectionDimension: anchors.projection_dimension,
                         projectionSeed: seed, recoveryObjective: objective)
    }
}

/// `topic_head` params (spec algorithms-2 §1.7).
public struct TopicHeadParams: JobParams, Equatable {
    /// A topic_model checkpoint id (required).
    public var model: String = ""
    /// Labelled documents; null = the base model's dataset.
    @Nullable public var dataset: String? = nil
    /// Share of the labelled documents held out (by a hash of the id), (0, 1).
    public var held_out_fraction: Double = 0.2
    /// L2 penalty of the logistic regression, ≥ 0.
    public var l2: Double = 1e-3
    /// The label set (2...1000 distinct labels); documents with another label are not used. Null: the distinct
    /// labels of the training split. Required with `certification` (a label set read off the data is not noised).
    @Nullable public var classes: [String]? = nil
    /// Certified mode (needs `classes` and a base model with a supplied vocabulary); null = exact releases.
    @Nullable public var certification: CertificationParams? = nil
    public init() {}
}

/// `topic_unlearn` params (spec algorithms-2 §1.6–1.7).
public struct TopicUnlearnParams: JobParams, Equatable {
    /// A topic_model / topic_head checkpoint (or a version an earlier unlearning wrote) (required).
    public var checkpoint: String = ""
    /// The documents to forget, `{id, text}`: the method checks each text's fingerprint against the one it
    /// trained on. After the job, each `text` is replaced by `text_sha256`.
    public var forget_documents: [ForgetDocument] = []
    /// "exact" | "certified".
    public var mode: String = "exact"
    /// The deletion request that queued this job (audit trail), if any.
    @Nullable public var deletion_request: String? = nil
    /// The dataset the forget documents belong to; null = the base model's.
    public var dataset: String? = nil
    public init() {}
}
