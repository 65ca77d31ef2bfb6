import Foundation
import OrchardCorpus
import OrchardMethods
import OrchardTensor

/// The experiments behind docs/results.md (issue 5, item 7), as functions returning markdown tables.
/// Every random choice is seeded; the command lines are in docs/results.md.
public enum TopicReproductions {
    static func f(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)g", x) }

    static func nestedForgetSets(_ docs: [Document], sizes: [Int], seed: UInt64) -> [[Document]] {
        var g = SeededRandom(seed: seed)
        let order = SensitivityCalibration.randomSubset(of: docs, size: sizes.max() ?? 0, using: &g)
        return sizes.map { Array(order.prefix($0)) }
    }

    /// Rows of A over `ids`, r columns.
    static func rows(_ a: [Double], ids: [Int], r: Int) -> [Double] { ids.flatMap { a[($0 * r)..<($0 * r + r)] } }

    /// Topic-recovery error vs number of deletions k, exact and certified mode, against retraining from scratch
    /// (and against the ground truth A* when the corpus is synthetic). The certified release for k deletions comes
    /// from a model certified for capacity m_U = k (Δ(k) measured empirically), so σ grows with k.
    public static func recoveryVersusDeletions(corpus: [Document], config: TopicModelConfig, deletions: [Int],
                                               epsilon: Double, delta: Double, trials: Int, seed: UInt64,
                                               truth: [Double]? = nil, vocabulary fixed: TopicVocabulary? = nil,
                                               log: (String) -> Void = { _ in }) throws -> String {
        let model = try fixed.map { try TopicModelTrainer.train(documents: corpus, vocabulary: $0, config: config) }
            ?? TopicModelTrainer.train(documents: corpus, config: config)
        let r = model.topicCount
        var out = "m = \(corpus.count) documents, n = \(model.vocabularySize) words, r = \(r) topics, ‖A‖_F = \(f(DenseLinearAlgebra.frobeniusNorm(model.topicWord))); "
            + "certified: ε = \(epsilon), δ = \(delta), capacity m_U = k, Δ(k) = max over \(trials) random forget sets of size k (empirical, not certified)\n\n"
        out += "| deletions k | exact: max abs(A_E − A_retrain) | exact: anchors = retrain | Δ(k) | σ | certified: ‖Ã − A_retrain‖_F / ‖A_retrain‖_F (unclipped) | certified, clipped | certified, clipped: mean column ℓ1 vs retrain (matched) |"
        out += truth == nil ? "\n|---:|---:|:---:|---:|---:|---:|---:|---:|\n" : " retrain: mean column ℓ1 vs A* | certified clipped: mean column ℓ1 vs A* |\n|---:|---:|:---:|---:|---:|---:|---:|---:|---:|---:|\n"
        var g = SeededRandom(seed: seed &+ 99)
        for forget in nestedForgetSets(corpus, sizes: deletions, seed: seed) {
            let ids = Set(forget.map(\.id))
            let retrained = try TopicModelTrainer.train(documents: corpus.filter { !ids.contains($0.id) }, vocabulary: model.vocabulary, config: config)
            let certifiedModel = forget.isEmpty ? model : try model.certified(
                CertifiedUnlearningConfig(epsilon: epsilon, delta: delta, capacity: .fixed(forget.count),
                                          sensitivity: .empirical(trials: trials, seed: seed)),
                calibratedOn: corpus)
            let exact = forget.isEmpty ? model : try model.unlearn(documents: forget, mode: .exact, noise: &g).0
            let release = forget.isEmpty ? model.release(using: &g) : try certifiedModel.unlearn(documents: forget, mode: .certified, noise: &g).1.release
            let kept = (0..<model.vocabularySize).filter { retrained.statistics.documentFrequency[$0] > 0 }
            let reference = rows(retrained.topicWord, ids: kept, r: r)
            let norm = DenseLinearAlgebra.frobeniusNorm(reference)
            let maxDiff = zip(exact.topicWord, retrained.topicWord).map { abs($0 - $1) }.max() ?? 0
            let matched = try TopicRecoveryError.compare(reference: reference, estimate: release.topicWordClipped, vocabularySize: kept.count, topicCount: r)
            var line = "| \(forget.count) | \(maxDiff == 0 ? "0" : f(maxDiff, 2)) | \(exact.anchors == retrained.anchors ? "yes" : "no") | "
                + "\(f(certifiedModel.certification?.mechanism.sensitivity ?? 0)) | \(f(release.noiseStandardDeviation)) | "
                + "\(f(DenseLinearAlgebra.frobeniusDistance(release.topicWord, reference) / norm)) | "
                + "\(f(DenseLinearAlgebra.frobeniusDistance(release.topicWordClipped, reference) / norm)) | \(f(matched.meanColumnL1)) |"
            if let truth {
                let t = rows(truth, ids: kept, r: r)
                let e1 = try TopicRecoveryError.compare(reference: t, estimate: reference, vocabularySize: kept.count, topicCount: r)
                let e2 = try TopicRecoveryError.compare(reference: t, estimate: release.topicWordClipped, vocabularySize: kept.count, topicCount: r)
                line += " \(f(e1.meanColumnL1)) | \(f(e2.meanColumnL1)) |"
            }
            log(line)
            out += line + "\n"
        }
        return out
    }

    /// Downstream accuracy vs deletions: U_head (W fixed), U_head with a refit on the downstream set, and the
    /// certified head release (mean accuracy over `draws` noise draws).
    public static func headAccuracyVersusDeletions(pretraining: [Document], train: [Document], test: [Document],
                                                   config: TopicModelConfig, headConfig: TopicHeadConfig, deletions: [Int],
                                                   epsilon: Double, delta: Double, trials: Int, draws: Int, seed: UInt64,
                                                   log: (String) -> Void = { _ in }) throws -> String {
        let base = try TopicModelTrainer.train(documents: pretraining, config: config)
        let cert = CertifiedUnlearningConfig(epsilon: epsilon, delta: delta, capacity: .fixed(deletions.max() ?? 0),
                                             sensitivity: .empirical(trials: trials, seed: seed))
        let head = try TopicHead.train(base: base, documents: train, config: headConfig, certification: cert, calibrationDocuments: pretraining)
        let c = head.certification!
        var counts: [String: Int] = [:]
        for d in test { counts[d.domain, default: 0] += 1 }
        var out = "pre-training m = \(pretraining.count), n = \(base.vocabularySize), r = \(base.topicCount); head: \(head.classes.count) classes, "
            + "\(train.count) train / \(test.count) test documents, λ = \(headConfig.l2), majority-class accuracy \(f(Double(counts.values.max() ?? 0) / Double(max(test.count, 1))))); "
            + "certified head: ε = \(epsilon), δ = \(delta), m_U = \(c.capacity), Δ_h = \(f(c.mechanism.sensitivity)) (empirical), σ_h = \(f(c.sigma)), "
            + "‖B‖_F = \(f(DenseLinearAlgebra.frobeniusNorm(head.wordWeights))), q proxy = \(f(head.topicSpreadProxy, 3))\n\n"
        out += "| deletions | exact U_head (W fixed) accuracy | exact U_head + refit accuracy | certified B̃ accuracy (mean of \(draws) draws) | base model bit-identical |\n|---:|---:|---:|---:|:---:|\n"
        var g = SeededRandom(seed: seed &+ 7)
        let baseA = base.topicWord
        for forget in nestedForgetSets(pretraining, sizes: deletions, seed: seed) {
            let exact: TopicHead, refit: TopicHead
            if forget.isEmpty { exact = head; refit = head } else {
                exact = try head.unlearn(pretrainingDocuments: forget, mode: .exact, noise: &g).0
                refit = try head.unlearn(pretrainingDocuments: forget, mode: .exact, refitOn: train, noise: &g).0
            }
            let certifiedHead = forget.isEmpty ? head : try head.unlearn(pretrainingDocuments: forget, mode: .certified, noise: &g).0
            var certified = 0.0
            for _ in 0..<draws { certified += certifiedHead.release(using: &g).accuracy(on: test) / Double(draws) }
            let exactHead = exact.exactOnly, refitHead = refit.exactOnly
            let line = "| \(forget.count) | \(f(exactHead.release(using: &g).accuracy(on: test))) | \(f(refitHead.release(using: &g).accuracy(on: test))) | "
                + "\(f(certified)) | \(base.topicWord == baseA ? "yes" : "no") |"
            log(line)
            out += line + "\n"
        }
        return out
    }

    /// Deletion capacity of the base release (A) vs the head release (B) under the same (ε, δ) and relative
    /// loss budget, with empirical sensitivities (measurements shared between settings).
    public static func capacityBaseVersusHead(pretraining: [Document], train: [Document], config: TopicModelConfig,
                                              headConfig: TopicHeadConfig, epsilons: [Double], budgets: [Double], delta: Double,
                                              trials: Int, seed: UInt64, log: (String) -> Void = { _ in }) throws -> String {
        let base = try TopicModelTrainer.train(documents: pretraining, config: config)
        let head = try TopicHead.train(base: base, documents: train, config: headConfig)
        var baseCache: [Int: Double] = [:], headCache: [Int: Double] = [:]
        func baseSensitivity(_ k: Int) throws -> Double {
            if let v = baseCache[k] { return v }
            let v = try SensitivityCalibration.empiricalSensitivity(model: base, documents: pretraining, forgetSetSize: k, trials: trials, seed: seed) { $0.topicWord }
            baseCache[k] = v
            return v
        }
        func headSensitivity(_ k: Int) throws -> Double {
            if let v = headCache[k] { return v }
            let v = try SensitivityCalibration.empiricalSensitivity(model: base, documents: pretraining, forgetSetSize: k, trials: trials, seed: seed) { head.wordWeights(for: $0) }
            headCache[k] = v
            return v
        }
        let a = base.topicWord, b = head.wordWeights
        let normA = DenseLinearAlgebra.frobeniusNorm(a), normB = DenseLinearAlgebra.frobeniusNorm(b)
        var out = "m = \(pretraining.count), n = \(base.vocabularySize), r = \(base.topicCount), head classes C = \(head.classes.count), δ = \(delta), "
            + "empirical sensitivities (max over \(trials) forget sets); q proxy = \(f(head.topicSpreadProxy, 3)); ‖A‖_F = \(f(normA)), ‖B‖_F = \(f(normB))\n\n"
        out += "| ε | relative loss budget | base m_U | base Δ(1) ÷ ‖A‖_F | base σ | base predicted loss | head m_U | head Δ(1) ÷ ‖B‖_F | head σ_h | head predicted loss | head m_U ÷ base m_U |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for eps in epsilons {
            for budget in budgets {
                let config = CertifiedUnlearningConfig(epsilon: eps, delta: delta, capacity: .relativeLossBudget(budget),
                                                       sensitivity: .empirical(trials: trials, seed: seed))
                let cb = try SensitivityCalibration.calibrate(config: config, documentCount: base.documentCount, releasedNorm: normA,
                                                              releasedDimension: a.count, sensitivityAt: baseSensitivity)
                let ch = try SensitivityCalibration.calibrate(config: config, documentCount: base.documentCount, releasedNorm: normB,
                                                              releasedDimension: b.count, sensitivityAt: headSensitivity)
                let ratio = cb.capacity > 0 ? f(Double(ch.capacity) / Double(cb.capacity), 3) : (ch.capacity > 0 ? "∞ (base 0)" : "— (both 0)")
                let line = "| \(eps) | \(budget) | \(cb.capacity) | \(f(cb.sensitivityPerDeletion / normA, 3)) | \(f(cb.sigma, 3)) | \(f(cb.predictedRelativeLoss, 3)) | "
                    + "\(ch.capacity) | \(f(ch.sensitivityPerDeletion / normB, 3)) | \(f(ch.sigma, 3)) | \(f(ch.predictedRelativeLoss, 3)) | \(ratio) |"
                log(line)
                out += line + "\n"
            }
        }
        return out
    }
}
