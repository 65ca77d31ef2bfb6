/// How the deletion capacity m_U is chosen.
public enum CapacityPolicy: Sendable, Codable, Equatable {
    /// The caller fixes m_U; Δ is then the sensitivity at |S_f| = m_U.
    case fixed(Int)
    /// Largest m_U on the grid 1, 2, 4, … whose predicted loss (‖Z‖_F + Δ ≈ σ√D + Δ, Δ measured at m_U) stays within
    /// this fraction of ‖released‖_F.
    /// Sekhari et al.'s constant is 0.01 in absolute terms; this implementation uses it relative (see docs/methods.md).
    case relativeLossBudget(Double)
}

/// Where the sensitivity Δ(m_U) comes from (spec §1.6 "practical calibration").
public enum SensitivitySource: Sendable, Codable, Equatable {
    /// A bound per deleted document supplied by the caller: Δ(m) = bound · m. Certified if the bound holds.
    case suppliedPerDeletionBound(Double)
    /// Max over `trials` random forget sets of ‖f(S) − f(S∖S_f)‖_F. Empirical, not a certificate.
    case empirical(trials: Int, seed: UInt64)
}

/// The (ε, δ) configuration of certified mode.
public struct CertifiedUnlearningConfig: Sendable, Codable, Equatable {
    public var epsilon: Double
    public var delta: Double
    public var capacity: CapacityPolicy
    public var sensitivity: SensitivitySource

    public init(epsilon: Double, delta: Double, capacity: CapacityPolicy, sensitivity: SensitivitySource) {
        self.epsilon = epsilon
        self.delta = delta
        self.capacity = capacity
        self.sensitivity = sensitivity
    }
}

/// Which guarantee a certified release carries. The paper proves only asymptotic (Õ) capacity bounds
/// with unspecified constants, so no numeric Δ here is "proven by the paper".
public enum GuaranteeKind: String, Sendable, Codable, Equatable {
    /// Exact mode on a model whose vocabulary was an input (supplied, not chosen from the training documents): the
    /// output equals retraining from scratch without the documents with the same params and seed ((0,0)-unlearning).
    case exactRetrainEquivalent = "exact_retrain_equivalent"
    /// Exact mode on a model whose vocabulary was chosen from its training documents: the output equals retraining
    /// without the documents *over that vocabulary*; a retrain from scratch re-chooses the vocabulary and can differ.
    case exactGivenVocabulary = "exact_given_vocabulary"
    /// (ε,δ)-unlearning holds *if* the caller's per-deletion sensitivity bound holds (Gaussian-mechanism theorem).
    case certifiedGivenSuppliedBound = "certified_given_supplied_bound"
    /// Δ was measured on random forget sets: noise is calibrated, but this is empirical, not certified.
    case empiricalNotCertified = "empirical_not_certified"

    public var statement: String {
        switch self {
        case .exactRetrainEquivalent:
            return "exact: the released model equals retraining from scratch without the deleted documents, with the same params and seed (the vocabulary was an input, so the retrain uses the same one)"
        case .exactGivenVocabulary:
            return "exact over the model's vocabulary: the released model equals retraining without the deleted documents on the vocabulary chosen when the model was first trained; that vocabulary was chosen from data that included the documents and is not re-chosen, so a retrain from scratch can differ (supply vocabulary.words for the stronger guarantee)"
        case .certifiedGivenSuppliedBound:
            return "(ε,δ)-unlearning by the Gaussian mechanism, provided the supplied sensitivity bound holds for every forget set up to the capacity; the bound is the caller's claim, not derived here"
        case .empiricalNotCertified:
            return "empirical, not certified: noise calibrated to the largest change measured over random forget sets; an unlucky forget set may move the model more, and σ and the capacity were measured on the training documents, so they are values of the data released un-noised"
        }
    }
}

/// The certified-mode state of one released object (the base model's A, or a head's B): the mechanism,
/// the capacity m_U and how much of it sequential deletion requests have used.
public struct DeletionCapacity: Sendable, Codable, Equatable {
    public let config: CertifiedUnlearningConfig
    public let mechanism: GaussianMechanism
    /// m_U: deletions servable before a retrain is required.
    public let capacity: Int
    /// Cumulative deletions served since the last (re)train.
    public internal(set) var used: Int
    /// Full retrains triggered by exhausting the capacity.
    public internal(set) var retrains: Int
    public let guarantee: GuaranteeKind
    /// Predicted loss of a release, (σ√D + Δ)/‖released‖_F, at the calibration point.
    public let predictedRelativeLoss: Double
    /// Δ(1) for a loss-budget capacity, Δ(m_U)/m_U for a fixed one.
    public let sensitivityPerDeletion: Double

    public var sigma: Double { mechanism.sigma }
    public var remaining: Int { max(0, capacity - used) }
}
