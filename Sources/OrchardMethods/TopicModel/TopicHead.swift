import OrchardCorpus
/// Settings of the downstream linear head (spec §1.7).
public struct TopicHeadConfig: Sendable, Codable, Equatable {
    /// λ of the L2 penalty on W.
    public var l2: Double
    public var maxIterations: Int
    public var gradientTolerance: Double

    public init(l2: Double = 1e-3, maxIterations: Int = 1000, gradientTolerance: Double = 1e-8) {
        self.l2 = l2
        self.maxIterations = maxIterations
        self.gradientTolerance = gradientTolerance
    }
}

/// A linear classification head on the topic proportions θ̂ = A^† h̄ of a frozen topic model (spec §1.7).
/// The composite predictor is linear in word frequencies: logits = Bᵀh̄ + b with B = (A^†)ᵀW (n×C);
/// B (and b) is what is released for the task. The head keeps a private copy of the base model's
/// statistics so that U_head can recompute A' without touching (or releasing) the base model.
public struct TopicHead: Sendable, Codable {
    public let config: TopicHeadConfig
    public let classes: [String]
    public let regression: MultinomialLogisticRegression
    /// Private, frozen base (downdated only by U_head). Never released.
    public let base: TopicModel
    public internal(set) var certification: DeletionCapacity?

    /// Trains W, b on a labelled downstream set (label = domain) with the base frozen. Documents with an empty domain are
    /// skipped. Classes are `classes` when given (an input: documents with another label are skipped), else the
    /// sorted distinct labels. With `certification`, calibrates σ_h and the head's capacity on forget sets drawn from
    /// `calibrationDocuments` (the base model's training documents).
    public static func train(base: TopicModel, documents: [Document], config: TopicHeadConfig = TopicHeadConfig(),
                             classes suppliedClasses: [String]? = nil,
                             certification: CertifiedUnlearningConfig? = nil,
                             calibrationDocuments: [Document] = []) throws -> TopicHead {
        let classes = suppliedClasses?.sorted() ?? Array(Set(documents.map(\.domain).filter { !$0.isEmpty })).sorted()
        guard Set(classes).count == classes.count else { throw TopicModelError.invalidConfiguration("the classes have duplicates") }
        let known = Set(classes)
        let labelled = documents.filter { !$0.domain.isEmpty && known.contains($0.domain) }
        guard classes.count >= 2 else { throw TopicModelError.invalidConfiguration("the downstream set needs at least two labels") }
        let regression = try fit(base: base, documents: labelled, classes: classes, config: config)
        var head = TopicHead(config: config, classes: classes, regression: regression, base: base, certification: nil)
        if let certification {
            guard !calibrationDocuments.isEmpty else {
                throw TopicModelError.invalidConfiguration("certified head calibration needs the base model's training documents")
            }
            let seed: UInt64, trials: Int
            if case .empirical(let t, let s) = certification.sensitivity { trials = t; seed = s } else { trials = 1; seed = 0 }
            let released = head.wordWeights
            head.certification = try SensitivityCalibration.calibrate(
                config: certification, documentCount: base.documentCount,
                releasedNorm: DenseLinearAlgebra.frobeniusNorm(released), releasedDimension: released.count) { k in
                try SensitivityCalibration.empiricalSensitivity(model: base, documents: calibrationDocuments, forgetSetSize: k,
                                                                trials: trials, seed: seed) { head.wordWeights(for: $0) }
            }
        }
        return head
    }

    static func fit(base: TopicModel, documents: [Document], classes: [String], config: TopicHeadConfig) throws -> MultinomialLogisticRegression {
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var features: [Double] = [], labels: [Int] = []
        for doc in documents {
            guard let y = index[doc.domain] else { continue }
            features += base.topicProportions(of: doc.text)
            labels.append(y)
        }
        let problem = MultinomialLogisticRegression.Problem(features: features, labels: labels, featureCount: base.topicCount,
                                                            classCount: classes.count, l2: config.l2)
        return try MultinomialLogisticRegression.fit(problem, maxIterations: config.maxIterations, gradientTolerance: config.gradientTolerance)
    }

    /// B = (A^†)ᵀW for a given base, n×C row-major.
    public func wordWeights(for model: TopicModel) -> [Double] {
        DenseLinearAlgebra.multiply(model.pseudoInverse, regression.weights, m: model.vocabularySize, k: model.topicCount,
                                    n: classes.count, transposeA: true)
    }

    /// B for the head's current (private) base.
    public var wordWeights: [Double] { wordWeights(for: base) }

    /// q proxy of spec §1.7 ("proxy", the paper's q is unverified): with v_k = ‖W[k,:]‖₂,
    /// q = (‖v‖₂/‖v‖_∞)²/r ∈ [1/r, 1]; 1 when the head uses all topics equally.
    public var topicSpreadProxy: Double {
        let r = base.topicCount, c = classes.count
        let v = (0..<r).map { k in (0..<c).reduce(0.0) { $0 + regression.weights[k * c + $1] * regression.weights[k * c + $1] }.squareRoot() }
        let maxV = v.max() ?? 0
        guard maxV > 0 else { return 1 / Double(r) }
        return v.reduce(0) { $0 + $1 * $1 } / (maxV * maxV) / Double(r)
    }

    /// Releases (B̃, b̃). Exact: B over the words still in the base's training set, and b. Certified: B over every word
    /// and b, each with fresh N(0, σ_h²) noise (which rows are empty is data; b is fit on features made with A).
    public func release<G: RandomNumberGenerator>(using generator: inout G) -> TopicHeadRelease {
        let c = classes.count
        let b = wordWeights
        let kept = certification != nil ? Array(0..<base.vocabularySize)
            : (0..<base.vocabularySize).filter { base.statistics.documentFrequency[$0] > 0 }
        let rows = kept.flatMap { b[($0 * c)..<($0 * c + c)] }
        let noisy = certification.map { $0.mechanism.release(rows, using: &generator) } ?? rows
        let bias = certification.map { $0.mechanism.release(regression.bias, using: &generator) } ?? regression.bias
        return TopicHeadRelease(classes: classes, vocabulary: base.vocabulary, keptWordIDs: kept, wordWeights: noisy,
                                bias: bias, noiseStandardDeviation: certification?.sigma ?? 0,
                                guarantee: certification?.guarantee ?? base.vocabulary.exactGuarantee)
    }

    public func release() -> TopicHeadRelease {
        var g = SystemRandomNumberGenerator()
        return release(using: &g)
    }
}

extension TopicHead {
    /// This head without certified-mode state: its releases are exact (no noise).
    public var exactOnly: TopicHead {
        var head = self
        head.certification = nil
        return head
    }
}
