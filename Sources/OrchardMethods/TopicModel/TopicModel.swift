import OrchardCorpus

/// What the model remembers about one training document: a fingerprint of its bag of words (to check
/// that a deletion request supplies the same content) and whether it contributed to Q (n_d ≥ 2).
/// Not the document itself: T(S) must not be the raw dataset (spec §1.5).
public struct TrainedDocumentRecord: Sendable, Codable, Equatable {
    public var fingerprint: String
    public var contributes: Bool
}

/// A trained anchor-word topic model together with its sufficient statistics T(S). Everything needed to
/// unlearn without the corpus is here; the model is a value: unlearning returns a new one.
/// `topicWord` (A) and the statistics are internal state; what leaves the service is a `TopicModelRelease`.
public struct TopicModel: Sendable, Codable {
    public let config: TopicModelConfig
    public let vocabulary: TopicVocabulary
    public let statistics: CooccurrenceStatistics
    public let documents: [String: TrainedDocumentRecord]
    /// Anchor word ids in increasing order; topic k is anchored by anchors[k].
    public let anchors: [Int]
    /// A, n×r row-major; column k is P(word | topic k).
    public let topicWord: [Double]
    /// R̂, r×r row-major (estimator in `config.topicTopicEstimator`).
    public let topicTopic: [Double]
    /// A^†, r×n row-major: θ̂ = A^† h̄ (spec §1.7).
    public let pseudoInverse: [Double]
    public let wordMarginals: [Double]
    /// Certified-mode state (ε, δ, σ, capacity and its use), nil for a model served in exact mode only.
    public internal(set) var certification: DeletionCapacity?
    /// Documents deleted from this model's lineage so far.
    public let deletedDocumentCount: Int

    public var vocabularySize: Int { vocabulary.count }
    public var topicCount: Int { config.topicCount }
    public var documentCount: Int { documents.count }

    /// Runs anchors + recovery + R̂ on the statistics: the whole of training after Q is built, and the whole
    /// of exact unlearning after the downdate. Deterministic given (statistics, config).
    static func fit(config: TopicModelConfig, vocabulary: TopicVocabulary, statistics: CooccurrenceStatistics,
                    documents: [String: TrainedDocumentRecord], certification: DeletionCapacity?,
                    deletedDocumentCount: Int) throws -> TopicModel {
        let n = vocabulary.count, r = config.topicCount
        let q = try statistics.estimate()
        let marginals = TopicRecovery.wordMarginals(q, vocabularySize: n)
        let qbar = TopicRecovery.rowNormalize(q, marginals: marginals, vocabularySize: n)
        let threshold = config.anchorThreshold(documentCount: statistics.documentCount)
        let candidates = (0..<n).filter { Double(statistics.documentFrequency[$0]) > threshold }
        // Topics are ordered by anchor word id, not by greedy selection order: the released A then depends on the
        // anchor *set* only, so a deletion that merely reorders the selection does not permute A's columns.
        let anchors = try FastAnchorWords.select(rowNormalized: qbar, vocabularySize: n, candidates: candidates, topicCount: r,
                                                 projectionDimension: config.effectiveProjection(vocabularySize: n),
                                                 projectionSeed: config.projectionSeed).sorted()
        let recovered = try TopicRecovery.recover(rowNormalized: qbar, marginals: marginals, vocabularySize: n, anchors: anchors,
                                                  objective: config.recoveryObjective, tolerance: config.solverTolerance,
                                                  maxIterations: config.solverMaxIterations)
        let a = recovered.topicWord
        let pinv = try TopicTopicMatrix.pseudoInverse(a, vocabularySize: n, topicCount: r)
        let rHat: [Double]
        switch config.topicTopicEstimator {
        case .pseudoInverse: rHat = TopicTopicMatrix.byPseudoInverse(q: q, pseudoInverse: pinv, vocabularySize: n, topicCount: r)
        case .anchorBlock: rHat = TopicTopicMatrix.byAnchorBlock(q: q, topicWord: a, anchors: anchors, vocabularySize: n)
        }
        return TopicModel(config: config, vocabulary: vocabulary, statistics: statistics, documents: documents, anchors: anchors,
                          topicWord: a, topicTopic: rHat, pseudoInverse: pinv, wordMarginals: marginals,
                          certification: certification, deletedDocumentCount: deletedDocumentCount)
    }

    /// Words that occur in no remaining document (all-zero rows): dropped from every release.
    public var unseenWordIDs: [Int] { (0..<vocabularySize).filter { statistics.documentFrequency[$0] == 0 } }

    /// Estimated topic proportions θ̂ = A^† h̄ of a text (h̄ = word frequencies); zeros for an empty bag.
    public func topicProportions(of bag: BagOfWords) -> [Double] {
        let r = topicCount, n = vocabularySize, len = Double(bag.length)
        var theta = [Double](repeating: 0, count: r)
        guard len > 0 else { return theta }
        for (id, c) in zip(bag.wordIDs, bag.counts) {
            let w = Double(c) / len
            for k in 0..<r { theta[k] += pseudoInverse[k * n + id] * w }
        }
        return theta
    }

    public func topicProportions(of text: String) -> [Double] { topicProportions(of: vocabulary.bagOfWords(text)) }

    /// The `count` most probable words of topic k (ties: lower id).
    public func topWords(topic k: Int, count: Int) -> [String] {
        let r = topicCount
        let order = (0..<vocabularySize).sorted { topicWord[$0 * r + k] != topicWord[$1 * r + k] ? topicWord[$0 * r + k] > topicWord[$1 * r + k] : $0 < $1 }
        return order.prefix(count).map { vocabulary.words[$0] }
    }
}

extension TopicModel {
    /// This model certified for `config`: σ and the deletion capacity calibrated on `documents` (the model's
    /// training documents), as `TopicModelTrainer.train(…, certification:)` does after training.
    public func certified(_ config: CertifiedUnlearningConfig, calibratedOn documents: [Document]) throws -> TopicModel {
        var model = self
        model.certification = try SensitivityCalibration.calibrateBase(model: self, documents: documents, config: config)
        return model
    }

    /// This model without certified-mode state: its releases are exact (no noise).
    public var exactOnly: TopicModel {
        var model = self
        model.certification = nil
        return model
    }
}
