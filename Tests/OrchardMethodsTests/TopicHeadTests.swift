import Foundation
import OrchardCorpus
import OrchardTensor
import Testing
@testable import OrchardMethods

/// Spec §6.1 check 10 (head path) and the downstream head itself: gradient check, convergence,
/// determinism, U_head leaving the base untouched, σ_h, and σ_h = 0 equal to the retrained B.
@Suite struct TopicHeadTests {
    /// Pre-training corpus, downstream train set and downstream test set: disjoint thirds of dpkg status,
    /// downstream labels restricted to the six largest sections.
    static let split: (pretraining: [Document], train: [Document], test: [Document]) = {
        let docs = TopicFixtures.dpkgDocuments
        var counts: [String: Int] = [:]
        for d in docs { counts[d.domain, default: 0] += 1 }
        let top = Set(counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(6).map(\.key))
        let pre = docs.enumerated().filter { $0.offset % 3 != 0 }.map(\.element)
        let downstream = docs.enumerated().filter { $0.offset % 3 == 0 && top.contains($0.element.domain) }.map(\.element)
        return (pre, downstream.enumerated().filter { $0.offset % 2 == 0 }.map(\.element),
                downstream.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
    }()

    /// 16 topics: with 8 the dpkg topics are mostly "shared library" variants and the head cannot beat the majority class.
    static let baseConfig: TopicModelConfig = {
        var c = TopicFixtures.dpkgConfig
        c.topicCount = 16
        return c
    }()

    @Test func logisticRegressionGradientMatchesFiniteDifferences() {
        var g = SeededRandom(seed: 4)
        let n = 12, f = 3, c = 4
        let problem = MultinomialLogisticRegression.Problem(features: (0..<(n * f)).map { _ in g.nextGaussian() },
                                                            labels: (0..<n).map { _ in Int(g.next() % UInt64(c)) },
                                                            featureCount: f, classCount: c, l2: 0.3)
        let p = (0..<problem.parameterCount).map { _ in 0.5 * g.nextGaussian() }
        let (_, grad) = problem.evaluate(p)
        for i in p.indices {
            var plus = p, minus = p
            plus[i] += 1e-6; minus[i] -= 1e-6
            let fd = (problem.evaluate(plus).0 - problem.evaluate(minus).0) / 2e-6
            #expect(abs(fd - grad[i]) <= 1e-7 * max(1, abs(grad[i])), "parameter \(i): fd \(fd) vs \(grad[i])")
        }
        // Asks for 1e-10 but accepts 1e-8: the Armijo test compares loss values (O(1)), which stop resolving a
        // decrease near ‖g‖² / L ≈ 1e-16 · |f|, i.e. ‖g‖ of order 1e-8; the fit then stops as converged.
        // Whether a problem gets below 1e-10 first depends on its draws (this one stops at ~9e-10).
        let fit = try? MultinomialLogisticRegression.fit(problem, maxIterations: 500, gradientTolerance: 1e-10)
        #expect((fit?.gradientNorm ?? 1) <= 1e-8)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func headTrainsDeterministicallyAndBeatsTheMajorityClass() throws {
        let (pre, train, test) = Self.split
        let base = try TopicModelTrainer.train(documents: pre, config: Self.baseConfig)
        let head = try TopicHead.train(base: base, documents: train)
        let again = try TopicHead.train(base: base, documents: train)
        #expect(head.regression == again.regression)
        #expect(head.regression.gradientNorm <= head.config.gradientTolerance)
        var counts: [String: Int] = [:]
        for d in test { counts[d.domain, default: 0] += 1 }
        let majority = Double(counts.values.max()!) / Double(test.count)
        let accuracy = head.release().accuracy(on: test)
        print("dpkg head: \(head.classes.count) classes, test accuracy \(accuracy), majority \(majority), q proxy \(head.topicSpreadProxy)")
        #expect(accuracy > majority)
        #expect(head.topicSpreadProxy >= 1 / Double(base.topicCount) - 1e-12 && head.topicSpreadProxy <= 1 + 1e-12)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func headUnlearningLeavesTheBaseUntouchedAndMatchesRetraining() throws {
        let (pre, train, _) = Self.split
        let base = try TopicModelTrainer.train(documents: pre, config: Self.baseConfig)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let baseSnapshot = try encoder.encode(base)
        let head = try TopicHead.train(base: base, documents: train)
        let forget = TopicFixtures.forgetSet(pre, count: 12, seed: 8)
        var g = SeededRandom(seed: 1)
        let (unlearned, report) = try head.unlearn(pretrainingDocuments: forget, mode: .exact, noise: &g)
        // The base model the caller holds is bit-identical (U_head never modifies or re-releases it).
        #expect(try encoder.encode(base) == baseSnapshot)
        #expect(unlearned.base.topicWord != base.topicWord)
        // σ_h = 0: B' equals B computed from a base retrained without S_f (same W).
        let retrained = try TopicModelTrainer.train(documents: TopicFixtures.removing(forget, from: pre),
                                                    vocabulary: base.vocabulary, config: Self.baseConfig)
        #expect(TopicFixtures.maxAbsDifference(unlearned.wordWeights, head.wordWeights(for: retrained)) <= 1e-6)
        #expect(report.release.noiseStandardDeviation == 0 && !report.refitted)
        #expect(report.release.wordWeights.count == report.release.keptWordIDs.count * head.classes.count)
        // Refitting on the downstream set equals training a fresh head on the retrained base.
        let (refitted, refitReport) = try head.unlearn(pretrainingDocuments: forget, mode: .exact, refitOn: train, noise: &g)
        #expect(refitReport.refitted)
        #expect(refitted.regression == (try TopicHead.train(base: retrained, documents: train)).regression)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func certifiedHeadNoiseFollowsSigmaAndCapacityIsTracked() throws {
        let (pre, train, test) = Self.split
        let base = try TopicModelTrainer.train(documents: pre, config: Self.baseConfig)
        let cert = CertifiedUnlearningConfig(epsilon: 0.5, delta: 1e-5, capacity: .fixed(4), sensitivity: .empirical(trials: 2, seed: 3))
        let head = try TopicHead.train(base: base, documents: train, certification: cert, calibrationDocuments: pre)
        let capacity = try #require(head.certification)
        #expect(capacity.capacity == 4 && capacity.sigma > 0)
        var g = SeededRandom(seed: 12)
        let release = head.release(using: &g)
        let exact = head.wordWeights
        let noise = zip(release.wordWeights, release.keptWordIDs.flatMap { id in (0..<head.classes.count).map { exact[id * head.classes.count + $0] } })
            .map { $0 - $1 }
        let mean = noise.reduce(0, +) / Double(noise.count)
        let std = (noise.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(noise.count - 1)).squareRoot()
        #expect(abs(std / capacity.sigma - 1) <= 0.05)

        let f1 = TopicFixtures.forgetSet(pre, count: 3, seed: 21)
        let (h1, r1) = try head.unlearn(pretrainingDocuments: f1, mode: .certified, noise: &g)
        #expect(r1.capacity?.used == 3 && r1.release.noiseStandardDeviation == capacity.sigma)
        print("dpkg certified head: accuracy before \(release.accuracy(on: test)) after \(r1.release.accuracy(on: test)), σ_h \(capacity.sigma)")
        let f2 = TopicFixtures.forgetSet(TopicFixtures.removing(f1, from: pre), count: 2, seed: 22)
        #expect(throws: TopicModelError.retrainRequired(used: 3, requested: 2, capacity: 4)) {
            try h1.unlearn(pretrainingDocuments: f2, mode: .certified, noise: &g)
        }
        let (h2, r2) = try h1.unlearn(pretrainingDocuments: f2, mode: .certified, refitOn: train, noise: &g)
        #expect(r2.refitted && r2.capacity?.used == 0 && h2.certification?.retrains == 1)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func certifiedModelAndHeadRoundTripThroughJSON() throws {
        let (pre, train, test) = Self.split
        let cert = CertifiedUnlearningConfig(epsilon: 0.5, delta: 1e-5, capacity: .fixed(3), sensitivity: .suppliedPerDeletionBound(1e-4))
        let base = try TopicModelTrainer.train(documents: pre, config: Self.baseConfig, certification: cert)
        let head = try TopicHead.train(base: base, documents: train, certification: cert, calibrationDocuments: pre)
        let decodedBase = try JSONDecoder().decode(TopicModel.self, from: try JSONEncoder().encode(base))
        let decodedHead = try JSONDecoder().decode(TopicHead.self, from: try JSONEncoder().encode(head))
        #expect(decodedBase.certification == base.certification)
        #expect(decodedHead.certification == head.certification && decodedHead.regression == head.regression)
        var g1 = SeededRandom(seed: 3), g2 = SeededRandom(seed: 3)
        #expect(decodedHead.release(using: &g1).accuracy(on: test) == head.release(using: &g2).accuracy(on: test))
        let report = try JSONDecoder().decode(TopicHeadUnlearningReport.self,
                                              from: try JSONEncoder().encode(try head.unlearn(pretrainingDocuments: [pre[0]], mode: .certified).1))
        #expect(report.capacity?.used == 1 && report.guarantee == .certifiedGivenSuppliedBound)
    }
}
