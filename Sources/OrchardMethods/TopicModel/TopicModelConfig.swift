/// Which divergence RecoverTopics minimises for each word's convex combination of anchors (spec §1.4).
public enum TopicRecoveryObjective: String, Sendable, Codable, Equatable {
    case l2 = "L2"
    case kl = "KL"
}

/// How the topic–topic matrix R̂ is estimated (spec §1.4 step 6); they differ under noise.
public enum TopicTopicEstimator: String, Sendable, Codable, Equatable {
    /// R̂ = A^† Q̂ (A^†)ᵀ (Arora et al. 2013).
    case pseudoInverse = "pseudo_inverse"
    /// R̂ = D⁻¹ Q̂[S,S] D⁻¹ with D = diag(A[s_k, k]).
    case anchorBlock = "anchor_block"
}

/// Everything that determines a trained topic model. Stored with the model: unlearning must re-run the
/// exact same pipeline (thresholds, projection seed, solver tolerance) for "unlearn == retrain" to hold.
public struct TopicModelConfig: Sendable, Codable, Equatable {
    /// r, the number of topics.
    public var topicCount: Int
    public var tokenizer: TopicTokenizer
    /// Vocabulary: words must occur in at least this many documents...
    public var minDocumentFrequency: Int
    /// ...and at most this many words are kept (the most frequent). Q is dense n×n: keep n ≤ ~4k.
    public var maxVocabularySize: Int
    /// Anchor candidates need df > max(anchorMinDocumentFrequency, anchorDocumentFraction · M) (spec §1.3 step 1).
    public var anchorMinDocumentFrequency: Int
    public var anchorDocumentFraction: Double
    /// Random-projection dimension for anchor search; nil = none when n ≤ 3000, 1000 above (spec §1.3 step 3).
    public var projectionDimension: Int?
    /// Seed of the projection matrix; part of T(S).
    public var projectionSeed: UInt64
    public var recoveryObjective: TopicRecoveryObjective
    /// Duality-gap tolerance of exponentiated gradient (Arora's code: 1e-7; ankura: 2e-6).
    public var solverTolerance: Double
    public var solverMaxIterations: Int
    public var topicTopicEstimator: TopicTopicEstimator

    public init(topicCount: Int, tokenizer: TopicTokenizer = TopicTokenizer(), minDocumentFrequency: Int = 3,
                maxVocabularySize: Int = 2000, anchorMinDocumentFrequency: Int = 5, anchorDocumentFraction: Double = 0.01,
                projectionDimension: Int? = nil, projectionSeed: UInt64 = 0x5EED,
                recoveryObjective: TopicRecoveryObjective = .l2, solverTolerance: Double = 1e-7,
                solverMaxIterations: Int = 2000, topicTopicEstimator: TopicTopicEstimator = .pseudoInverse) {
        self.topicCount = topicCount
        self.tokenizer = tokenizer
        self.minDocumentFrequency = minDocumentFrequency
        self.maxVocabularySize = maxVocabularySize
        self.anchorMinDocumentFrequency = anchorMinDocumentFrequency
        self.anchorDocumentFraction = anchorDocumentFraction
        self.projectionDimension = projectionDimension
        self.projectionSeed = projectionSeed
        self.recoveryObjective = recoveryObjective
        self.solverTolerance = solverTolerance
        self.solverMaxIterations = solverMaxIterations
        self.topicTopicEstimator = topicTopicEstimator
    }

    public func validate() throws {
        guard topicCount >= 2 else { throw TopicModelError.invalidConfiguration("topicCount must be >= 2 (got \(topicCount))") }
        guard minDocumentFrequency >= 1 else { throw TopicModelError.invalidConfiguration("minDocumentFrequency must be >= 1") }
        guard maxVocabularySize >= topicCount, maxVocabularySize <= 8000 else {
            throw TopicModelError.invalidConfiguration("maxVocabularySize must be in [topicCount, 8000] (dense n×n co-occurrence)")
        }
        guard anchorMinDocumentFrequency >= 0, anchorDocumentFraction >= 0, anchorDocumentFraction < 1 else {
            throw TopicModelError.invalidConfiguration("anchor thresholds must be >= 0 and the fraction < 1")
        }
        if let d = projectionDimension, d < topicCount {
            throw TopicModelError.invalidConfiguration("projectionDimension must be >= topicCount")
        }
        guard solverTolerance > 0, solverMaxIterations >= 1 else {
            throw TopicModelError.invalidConfiguration("solverTolerance must be > 0 and solverMaxIterations >= 1")
        }
    }

    /// The candidate threshold for a corpus of M contributing documents.
    public func anchorThreshold(documentCount m: Int) -> Double {
        max(Double(anchorMinDocumentFrequency), anchorDocumentFraction * Double(m))
    }

    /// The projection dimension actually used for a vocabulary of n words (nil = no projection).
    public func effectiveProjection(vocabularySize n: Int) -> Int? {
        if let d = projectionDimension { return d }
        return n > 3000 ? 1000 : nil
    }
}
