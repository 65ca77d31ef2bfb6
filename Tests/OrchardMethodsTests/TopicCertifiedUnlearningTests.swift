import Foundation
import OrchardTensor
import Testing
@testable import OrchardMethods

/// Spec §6.1 checks 6–9: Gaussian-mechanism calibration, indistinguishability smoke test (with its
/// negative control), every release noised, and the capacity counter with retrain and reset.
@Suite struct TopicCertifiedUnlearningTests {
    static func standardDeviation(_ x: [Double]) -> Double {
        let mean = x.reduce(0, +) / Double(x.count)
        return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
    }

    /// The analytic Gaussian mechanism (Balle & Wang 2018): σ is the smallest noise with δ(σ) ≤ δ, for every ε > 0.
    /// Reference multipliers σ/Δ from an independent bisection in Python (`math.erfc`, 200 halvings).
    @Test func analyticGaussianMechanismIsTheSmallestValidSigmaAndTheNoiseMatchesIt() throws {
        let reference: [(Double, Double, Double)] = [
            (0.5, 1e-5, 7.031826675582501), (0.1, 1e-5, 30.749566131977907), (1.0, 1e-5, 3.7306316348159454),
            (2.0, 1e-6, 2.23047627118642), (5.0, 1e-5, 0.8918682649515178), (0.01, 1e-3, 93.90741983985092),
        ]
        for (eps, delta, multiplier) in reference {
            let s = GaussianMechanism.noiseMultiplier(epsilon: eps, delta: delta)
            #expect(abs(s / multiplier - 1) <= 1e-9, "ε \(eps), δ \(delta): \(s) vs \(multiplier)")
            // Valid at σ, invalid just below: the smallest σ.
            #expect(GaussianMechanism.deltaAt(sigma: s, epsilon: eps) <= delta)
            #expect(GaussianMechanism.deltaAt(sigma: s * (1 - 1e-9), epsilon: eps) > delta)
            // Never above the classical σ where that one is valid (ε < 1).
            if eps < 1 { #expect(s < GaussianMechanism.classicalNoiseMultiplier(epsilon: eps, delta: delta)) }
        }
        // 27 % less noise than the classical mechanism at ε = 0.5, δ = 1e-5 (the figure).
        let saving = 1 - GaussianMechanism.noiseMultiplier(epsilon: 0.5, delta: 1e-5) / GaussianMechanism.classicalNoiseMultiplier(epsilon: 0.5, delta: 1e-5)
        #expect(abs(saving - 0.274) < 0.001)
        // Large ε does not overflow; the multiplier keeps decreasing.
        let big = GaussianMechanism.noiseMultiplier(epsilon: 800, delta: 1e-5)
        #expect(big.isFinite && big > 0 && big < GaussianMechanism.noiseMultiplier(epsilon: 50, delta: 1e-5))
        // σ scales with Δ; the released noise has that standard deviation.
        for (eps, delta, sens) in [(0.5, 1e-5, 0.01), (1.5, 1e-6, 2.0), (0.1, 1e-3, 1e-4)] {
            let m = try GaussianMechanism(epsilon: eps, delta: delta, sensitivity: sens)
            #expect(abs(m.sigma - sens * GaussianMechanism.noiseMultiplier(epsilon: eps, delta: delta)) <= 1e-15 * max(1, m.sigma))
            var g = SeededRandom(seed: 77)
            let noise = m.release([Double](repeating: 0, count: 100_000), using: &g)
            #expect(abs(Self.standardDeviation(noise) / m.sigma - 1) <= 0.02)
        }
        #expect(throws: TopicModelError.self) { try GaussianMechanism(epsilon: 0, delta: 1e-5, sensitivity: 1) }
        #expect(throws: TopicModelError.self) { try GaussianMechanism(epsilon: 0.5, delta: 0, sensitivity: 1) }
        #expect(throws: TopicModelError.self) { try GaussianMechanism(epsilon: 0.5, delta: 1e-5, sensitivity: -1) }
    }

    /// Smallest ε with δ(ε) ≤ δ for two unit-variance Gaussians whose means differ by t (Balle–Wang 2018, Thm 8).
    static func gaussianPrivacyLoss(meanGap t: Double, delta: Double) -> Double {
        guard t > 0 else { return 0 }
        func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
        func deltaAt(_ eps: Double) -> Double { phi(-eps / t + t / 2) - exp(eps) * phi(-eps / t - t / 2) }
        var lo = 0.0, hi = 1.0
        while deltaAt(hi) > delta { hi *= 2 }
        for _ in 0..<200 { let mid = (lo + hi) / 2; if deltaAt(mid) > delta { lo = mid } else { hi = mid } }
        return hi
    }

    /// Empirical privacy loss from samples: fit a Gaussian to each side and evaluate the exact curve at the standardised
    /// mean gap t̂ shifted by `z` standard errors (√(1/n_a + 1/n_b)): z = −3 gives a lower confidence bound (a calibrated
    /// mechanism must not exceed ε there), z = +3 an upper one.
    static func empiricalPrivacyLoss(_ a: [Double], _ b: [Double], delta: Double, z: Double = 0) -> Double {
        let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
        let s = ((Self.standardDeviation(a) + Self.standardDeviation(b)) / 2)
        let se = (1 / Double(a.count) + 1 / Double(b.count)).squareRoot()
        return gaussianPrivacyLoss(meanGap: max(0, abs(ma - mb) / s + z * se), delta: delta)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func certifiedReleasesAreIndistinguishableAndNoiselessOnesAreNot() throws {
        let docs = TopicFixtures.dpkgDocuments, eps = 0.5, delta = 1e-5
        let plain = try TopicModelTrainer.train(documents: docs, config: TopicFixtures.dpkgConfig)
        let forget = TopicFixtures.forgetSet(docs, count: 7, seed: 99)
        let after = try plain.exactlyUnlearned(forget)
        let gap = DenseLinearAlgebra.frobeniusDistance(plain.topicWord, after.topicWord)
        #expect(gap > 0)
        // Certify with a supplied per-deletion bound that makes Δ(7) exactly the observed change: the tightest valid case.
        let config = CertifiedUnlearningConfig(epsilon: eps, delta: delta, capacity: .fixed(7),
                                               sensitivity: .suppliedPerDeletionBound(gap / 7))
        let model = try TopicModelTrainer.train(documents: docs, config: TopicFixtures.dpkgConfig, certification: config)
        let sigma = try #require(model.certification).sigma
        #expect(abs(try #require(model.certification).mechanism.sensitivity - gap) <= 1e-15)

        // Side A: release of the model that still contains S_f. Side B: U(S_f, A(S), T(S)).
        // Both over the same words (none of the forgotten documents holds a word's last occurrence here).
        var g = SeededRandom(seed: 2024)
        let (unlearned, _) = try model.unlearn(documents: forget, mode: .certified, noise: &g)
        #expect(unlearned.unseenWordIDs.isEmpty)
        let worst = zip(unlearned.topicWord, model.topicWord).map { ($0 - $1) / gap }  // the most revealing direction
        var random = (0..<worst.count).map { _ in g.nextGaussian() }
        let norm = DenseLinearAlgebra.frobeniusNorm(random)
        random = random.map { $0 / norm }
        // The analytic mechanism is tight: along the worst direction the true loss is exactly ε. So the test asks that the
        // lower 3-standard-error bound of the empirical loss stays within ε (not over-exposed), and, for the worst
        // direction, that the upper bound reaches half of ε (not grossly over-noised).
        for (i, direction) in [worst, random].enumerated() {
            func project(_ m: TopicModel) -> [Double] {
                (0..<4000).map { _ in zip(m.release(using: &g).topicWord, direction).reduce(0) { $0 + $1.0 * $1.1 } }
            }
            let a = project(model), b = project(unlearned)
            let lower = Self.empiricalPrivacyLoss(a, b, delta: delta, z: -3)
            #expect(lower <= eps, "empirical privacy loss (lower 3-SE bound) \(lower) at ε = \(eps)")
            if i == 0 {
                let upper = Self.empiricalPrivacyLoss(a, b, delta: delta, z: 3)
                #expect(upper >= eps / 2, "empirical privacy loss (upper 3-SE bound) \(upper): the noise is far above what ε needs")
            }
        }
        // Noise has the calibrated scale on every release, including the first one after training.
        let firstRelease = model.release(using: &g)
        #expect(abs(Self.standardDeviation(zip(firstRelease.topicWord, model.topicWord).map { $0 - $1 }) / sigma - 1) <= 0.05)
        #expect(firstRelease.mode == .certified && firstRelease.noiseStandardDeviation == sigma)
        // The definition's pair U(S_f, A(S), T(S)) vs U(∅, A(S∖S_f), T(S∖S_f)): Mode E makes their means identical.
        let retrained = try TopicModelTrainer.train(documents: TopicFixtures.removing(forget, from: docs),
                                                    vocabulary: model.vocabulary, config: TopicFixtures.dpkgConfig)
        #expect(TopicFixtures.maxAbsDifference(retrained.topicWord, unlearned.topicWord) <= 1e-12)

        // Negative control: σ = 0 (exact releases), S_f ≠ ∅: the outputs differ, and any direction with
        // a non-zero gap separates them perfectly (infinite privacy loss).
        let before = plain.release(), exactAfter = after.release()
        #expect(before.topicWord != exactAfter.topicWord)
        let a = zip(before.topicWord, worst).reduce(0) { $0 + $1.0 * $1.1 }
        let b = zip(exactAfter.topicWord, worst).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(a - b) > 0.99 * gap)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func capacityCounterTriggersRetrainAndResets() throws {
        let docs = TopicFixtures.dpkgDocuments
        let config = CertifiedUnlearningConfig(epsilon: 0.5, delta: 1e-5, capacity: .fixed(5),
                                               sensitivity: .empirical(trials: 2, seed: 1))
        var model = try TopicModelTrainer.train(documents: docs, config: TopicFixtures.dpkgConfig, certification: config)
        #expect(model.certification?.guarantee == .empiricalNotCertified)
        #expect(model.certification?.capacity == 5)
        var remaining = docs
        var g = SeededRandom(seed: 5)
        var history: [(used: Int, retrained: Bool)] = []
        for seed in 0..<4 as Range<UInt64> {
            let forget = TopicFixtures.forgetSet(remaining, count: 2, seed: 100 + seed)
            let report: TopicUnlearningReport
            (model, report) = try model.unlearn(documents: forget, mode: .certified, noise: &g)
            remaining = TopicFixtures.removing(forget, from: remaining)
            history.append((report.capacity!.used, report.retrainedFromScratch))
            #expect(report.release.noiseStandardDeviation == model.certification!.sigma)
            #expect(report.guarantee == .empiricalNotCertified)
        }
        // 2, 4, then 6 > 5: retrain and reset (this request's documents are part of the retrain), then 2 again.
        #expect(history.map(\.used) == [2, 4, 0, 2])
        #expect(history.map(\.retrained) == [false, false, true, false])
        #expect(model.certification?.retrains == 1)
        // The internal model after all requests equals a retrain from scratch on what remains.
        let retrained = try TopicModelTrainer.train(documents: remaining, vocabulary: model.vocabulary, config: TopicFixtures.dpkgConfig)
        #expect(TopicFixtures.maxAbsDifference(retrained.topicWord, model.topicWord) <= 1e-6)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func lossBudgetCapacityGrowsWithBudgetAndEpsilon() throws {
        let docs = TopicFixtures.dpkgDocuments
        let model = try TopicModelTrainer.train(documents: docs, config: TopicFixtures.dpkgConfig)
        var capacities: [Int] = []
        for (eps, budget) in [(0.5, 0.05), (0.5, 0.5), (0.9, 0.5)] {
            // The doubling search on a sensitivity that grows 1e-6 per deletion (as a measured one would, but known here).
            let c = try SensitivityCalibration.calibrate(
                config: CertifiedUnlearningConfig(epsilon: eps, delta: 1e-5, capacity: .relativeLossBudget(budget),
                                                  sensitivity: .empirical(trials: 1, seed: 3)),
                documentCount: docs.count, releasedNorm: DenseLinearAlgebra.frobeniusNorm(model.topicWord),
                releasedDimension: model.topicWord.count) { k in Double(k) * 1e-6 }
            #expect(c.guarantee == .empiricalNotCertified)
            #expect(c.predictedRelativeLoss <= budget + 1e-12)
            capacities.append(c.capacity)
        }
        // Under a supplied bound the capacity must be fixed: a budget relative to ‖A‖_F would pick it from the data.
        #expect(throws: TopicModelError.self) {
            try SensitivityCalibration.calibrateBase(model: model, documents: docs,
                                                     config: CertifiedUnlearningConfig(epsilon: 0.5, delta: 1e-5, capacity: .relativeLossBudget(0.5),
                                                                                       sensitivity: .suppliedPerDeletionBound(1e-6)))
        }
        print("dpkg capacities (ε, budget) = (0.5, 0.05), (0.5, 0.5), (0.9, 0.5): \(capacities)")
        #expect(capacities[0] < capacities[1] && capacities[1] <= capacities[2])
        #expect(capacities.allSatisfy { $0 == 0 || $0.nonzeroBitCount == 1 })  // the doubling grid
        // The analytic mechanism is valid for ε ≥ 1 too (the classical one was not), with less noise than at ε = 0.9.
        let wide = try TopicModelTrainer.train(documents: docs, config: TopicFixtures.dpkgConfig,
                                               certification: CertifiedUnlearningConfig(epsilon: 2, delta: 1e-5, capacity: .fixed(3),
                                                                                        sensitivity: .suppliedPerDeletionBound(1)))
        #expect(try #require(wide.certification).sigma < 3 * GaussianMechanism.noiseMultiplier(epsilon: 0.9, delta: 1e-5))
        #expect(throws: TopicModelError.self) {
            try TopicModelTrainer.train(documents: docs, config: TopicFixtures.dpkgConfig,
                                        certification: CertifiedUnlearningConfig(epsilon: 0, delta: 1e-5, capacity: .fixed(3),
                                                                                 sensitivity: .suppliedPerDeletionBound(1)))
        }
    }
}
