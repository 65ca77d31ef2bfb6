import OrchardCorpus
import OrchardTensor

/// Calibrates the Gaussian mechanism and the deletion capacity for a released object f(model)
/// (spec §1.6 "practical calibration"): Δ(m) is either the caller's per-deletion bound times m, or the
/// largest ‖f(S) − f(S∖S_f)‖_F over random forget sets of size m (empirical, labelled as such).
public enum SensitivityCalibration {
    /// Generic calibration. `sensitivityAt(m)` returns the measured Δ for forget sets of size m.
    /// - Parameters:
    ///   - releasedNorm: ‖f(S)‖_F, the scale the relative loss budget refers to.
    ///   - releasedDimension: D, the number of released entries (noise norm ≈ σ√D).
    public static func calibrate(config: CertifiedUnlearningConfig, documentCount m: Int, releasedNorm: Double,
                                 releasedDimension d: Int, sensitivityAt: (Int) throws -> Double) throws -> DeletionCapacity {
        let multiplier = GaussianMechanism.noiseMultiplier(epsilon: config.epsilon, delta: config.delta)
        _ = try GaussianMechanism(epsilon: config.epsilon, delta: config.delta, sensitivity: 0)  // validates (ε, δ)
        let guarantee: GuaranteeKind
        switch config.sensitivity {
        case .suppliedPerDeletionBound(let bound):
            guard bound > 0, bound.isFinite else { throw TopicModelError.invalidConfiguration("sensitivity bound must be > 0") }
            guarantee = .certifiedGivenSuppliedBound
        case .empirical(let trials, _):
            guard trials >= 1 else { throw TopicModelError.invalidConfiguration("empirical calibration needs trials >= 1") }
            guarantee = .empiricalNotCertified
        }
        func measure(_ k: Int) throws -> Double {
            if case .suppliedPerDeletionBound(let bound) = config.sensitivity { return Double(k) * bound }
            return try sensitivityAt(k)
        }
        let capacity: Int
        let slope: Double
        switch config.capacity {
        case .fixed(let mU):
            // With a supplied bound nothing here may depend on the data (not even m): only m_U ≥ 0 is checked.
            if guarantee == .certifiedGivenSuppliedBound {
                guard mU >= 0 else { throw TopicModelError.invalidConfiguration("capacity must be >= 0 (got \(mU))") }
            } else {
                guard mU >= 0, mU < m else { throw TopicModelError.invalidConfiguration("capacity must be in [0, \(m)) (got \(mU))") }
            }
            capacity = mU
            slope = mU > 0 ? try measure(mU) / Double(mU) : try measure(1)
        case .relativeLossBudget(let budget):
            guard budget > 0 else { throw TopicModelError.invalidConfiguration("loss budget must be > 0") }
            // The budget is relative to ‖f(S)‖_F, a value of the data: the capacity (and σ) it picks would be released
            // un-noised, so a certificate needs the capacity fixed in advance.
            guard guarantee != .certifiedGivenSuppliedBound else {
                throw TopicModelError.invalidConfiguration("a supplied sensitivity bound needs a fixed capacity: a loss-budget capacity is chosen from the model's norm, a value of the data that would be released un-noised")
            }
            // Doubling search over m_U = 1, 2, 4, …: keep the largest whose predicted loss (σ√D + Δ)/‖f‖_F fits the
            // budget. Δ is measured at each candidate, not extrapolated: it is sublinear on random forget sets and
            // jumps when a deletion changes the anchor set, so a linear model misjudges it both ways.
            slope = try measure(1)
            var best = 0, k = 1
            while k < m {
                let sensitivity = k == 1 ? slope : try measure(k)
                let loss = releasedNorm > 0 ? sensitivity * (multiplier * Double(d).squareRoot() + 1) / releasedNorm : .infinity
                guard loss <= budget else { break }
                best = k
                k *= 2
            }
            capacity = best
        }
        let delta = capacity > 0 ? try measure(capacity) : 0
        let mechanism = try GaussianMechanism(epsilon: config.epsilon, delta: config.delta, sensitivity: delta)
        let predicted = releasedNorm > 0 ? (mechanism.sigma * Double(d).squareRoot() + delta) / releasedNorm : 0
        return DeletionCapacity(config: config, mechanism: mechanism, capacity: capacity, used: 0, retrains: 0,
                                guarantee: guarantee, predictedRelativeLoss: predicted, sensitivityPerDeletion: slope)
    }

    /// Max over trials of ‖f(model) − f(model without a random forget set of size k)‖_F, forget sets drawn from `documents`.
    public static func empiricalSensitivity(model: TopicModel, documents: [Document], forgetSetSize k: Int, trials: Int,
                                            seed: UInt64, released: (TopicModel) throws -> [Double]) throws -> Double {
        guard k <= documents.count else { throw TopicModelError.invalidConfiguration("forget set of \(k) from \(documents.count) documents") }
        let base = try released(model)
        var worst = 0.0
        for trial in 0..<trials {
            var g = SeededRandom(seed: seed &+ UInt64(trial) &* 0x9E37_79B9 &+ UInt64(k))
            let forget = randomSubset(of: documents, size: k, using: &g)
            let reduced = try model.exactlyUnlearned(forget)
            worst = max(worst, DenseLinearAlgebra.frobeniusDistance(base, try released(reduced)))
        }
        return worst
    }

    /// Calibration of the base model's released topic–word matrix A.
    static func calibrateBase(model: TopicModel, documents: [Document], config: CertifiedUnlearningConfig) throws -> DeletionCapacity {
        let seed: UInt64
        let trials: Int
        if case .empirical(let t, let s) = config.sensitivity { trials = t; seed = s } else { trials = 1; seed = 0 }
        return try calibrate(config: config, documentCount: model.documentCount,
                             releasedNorm: DenseLinearAlgebra.frobeniusNorm(model.topicWord),
                             releasedDimension: model.topicWord.count) { k in
            try empiricalSensitivity(model: model, documents: documents, forgetSetSize: k, trials: trials, seed: seed) { $0.topicWord }
        }
    }

    /// k distinct documents, partial Fisher–Yates.
    public static func randomSubset<G: RandomNumberGenerator>(of documents: [Document], size: Int, using g: inout G) -> [Document] {
        let k = max(0, min(size, documents.count))
        var idx = Array(documents.indices)
        for i in 0..<k {
            let j = i + Int(g.next() % UInt64(idx.count - i))
            idx.swapAt(i, j)
        }
        return idx.prefix(k).map { documents[$0] }
    }
}
