import Foundation
import OrchardTensor
import Testing
@testable import OrchardMethods

/// Spec §6.1 check 4 (synthetic recovery), plus gradient checks of the exponentiated-gradient objectives
/// and the anchor/recovery building blocks.
@Suite struct TopicRecoveryTests {
    static func config(r: Int, n: Int, objective: TopicRecoveryObjective = .l2) -> TopicModelConfig {
        TopicModelConfig(topicCount: r, tokenizer: SyntheticTopicCorpus.tokenizer, minDocumentFrequency: 1, maxVocabularySize: n,
                         recoveryObjective: objective)
    }

    @Test func syntheticLDARecoveryMeetsSpecAndImprovesWithMoreDocuments() throws {
        // n = 500, r = 10, α = 0.1, one anchor per topic at mass 0.05, documents of length 100. The other
        // words' mass is Dirichlet(1): with a sparse Dirichlet(0.1) many words are nearly exclusive to one
        // topic and are equally valid anchors (seed 42: error 0.037 at 20k but planted-anchor recall 8/10).
        let n = 500, r = 10
        let full = SyntheticTopicCorpus(vocabularySize: n, topicCount: r, alpha: 0.1, anchorMass: 0.05, beta: 1.0,
                                        documentCount: 20_000, documentLength: 100, seed: 42)
        var errors: [Double] = []
        for m in [2_000, 5_000, 20_000] {
            let docs = Array(full.documents.prefix(m))
            let model = try TopicModelTrainer.train(documents: docs, vocabulary: full.vocabulary, config: Self.config(r: r, n: n))
            let err = try TopicRecoveryError.compare(reference: full.topicWord, estimate: model.topicWord, vocabularySize: n, topicCount: r)
            let recall = Set(model.anchors).intersection(full.anchors).count
            print("synthetic m=\(m): mean column L1 \(err.meanColumnL1), anchors recalled \(recall)/\(r)")
            #expect(recall >= 9)
            errors.append(err.meanColumnL1)
        }
        #expect(errors[2] <= 0.15)
        #expect(errors[0] > errors[1] && errors[1] > errors[2])
    }

    @Test func klRecoveryAlsoRecoversPlantedTopics() throws {
        let corpus = SyntheticTopicCorpus(vocabularySize: 200, topicCount: 5, alpha: 0.1, anchorMass: 0.05,
                                          documentCount: 4_000, documentLength: 60, seed: 3)
        let l2 = try TopicModelTrainer.train(documents: corpus.documents, vocabulary: corpus.vocabulary, config: Self.config(r: 5, n: 200))
        let kl = try TopicModelTrainer.train(documents: corpus.documents, vocabulary: corpus.vocabulary,
                                             config: Self.config(r: 5, n: 200, objective: .kl))
        let e2 = try TopicRecoveryError.compare(reference: corpus.topicWord, estimate: l2.topicWord, vocabularySize: 200, topicCount: 5)
        let ek = try TopicRecoveryError.compare(reference: corpus.topicWord, estimate: kl.topicWord, vocabularySize: 200, topicCount: 5)
        print("L2 \(e2.meanColumnL1) KL \(ek.meanColumnL1)")
        #expect(kl.anchors == l2.anchors)
        #expect(ek.meanColumnL1 <= 0.25 && e2.meanColumnL1 <= 0.25)
    }

    /// Central finite differences against the analytic gradient of an objective.
    static func checkGradient<O: ExponentiatedGradient.Objective>(_ f: O, at c: [Double]) {
        let g = f.gradient(c), h = 1e-6
        for k in c.indices {
            var plus = c, minus = c
            plus[k] += h; minus[k] -= h
            let fd = (f.value(plus) - f.value(minus)) / (2 * h)
            #expect(abs(fd - g[k]) <= 1e-6 * max(1, abs(g[k])), "coordinate \(k): fd \(fd) vs analytic \(g[k])")
        }
    }

    @Test func objectiveGradientsMatchFiniteDifferences() {
        var g = SeededRandom(seed: 9)
        let r = 4, s = 7
        let x = (0..<(r * s)).map { _ in g.nextOpenUnit() }
        let y = g.nextDirichlet(alpha: 1, count: s)
        let c = g.nextDirichlet(alpha: 1, count: r)
        let gram = DenseLinearAlgebra.multiply(x, x, m: r, k: s, n: r, transposeB: true)
        let xy = DenseLinearAlgebra.multiply(x, y, m: r, k: s, n: 1)
        let l2 = ExponentiatedGradient.SquaredDistance(gram: gram, projected: xy, yy: y.reduce(0) { $0 + $1 * $1 })
        Self.checkGradient(l2, at: c)
        // The expanded L2 form equals ‖cᵀX − y‖² computed directly.
        let direct = (0..<s).map { j in (0..<r).reduce(0.0) { $0 + c[$1] * x[$1 * s + j] } - y[j] }.reduce(0) { $0 + $1 * $1 }
        #expect(abs(l2.value(c) - direct) <= 1e-12)
        Self.checkGradient(ExponentiatedGradient.KLDivergence(supportColumns: x, supportValues: y), at: c)
    }

    @Test func exponentiatedGradientFindsTheExactMixture() {
        // y is exactly 0.2·x₀ + 0.5·x₁ + 0.3·x₂: the solver must return those weights.
        let x: [Double] = [0.5, 0.5, 0, 0, 0, 0.2, 0.8, 0, 0, 0, 0.1, 0.9]  // 3 × 4, rows stochastic
        let truth = [0.2, 0.5, 0.3]
        let y = (0..<4).map { j in (0..<3).reduce(0.0) { $0 + truth[$1] * x[$1 * 4 + j] } }
        let gram = DenseLinearAlgebra.multiply(x, x, m: 3, k: 4, n: 3, transposeB: true)
        let xy = DenseLinearAlgebra.multiply(x, y, m: 3, k: 4, n: 1)
        for f in [ExponentiatedGradient.SquaredDistance(gram: gram, projected: xy, yy: y.reduce(0) { $0 + $1 * $1 })] {
            let result = ExponentiatedGradient.minimize(f, tolerance: 1e-12, maxIterations: 20_000)
            #expect(TopicFixtures.maxAbsDifference(result.weights, truth) <= 1e-4)
            #expect(abs(result.weights.reduce(0, +) - 1) <= 1e-12)
        }
        let kl = ExponentiatedGradient.minimize(ExponentiatedGradient.KLDivergence(supportColumns: x, supportValues: y),
                                                tolerance: 1e-12, maxIterations: 20_000)
        #expect(TopicFixtures.maxAbsDifference(kl.weights, truth) <= 1e-4)
    }

    @Test func anchorSelectionFindsVerticesAndBreaksTiesTowardLowestID() throws {
        // Rows 0..2 are the simplex vertices; rows 3 and 4 are mixtures; row 5 duplicates vertex 1.
        let n = 6
        let rows: [[Double]] = [[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0],
                                [0.5, 0.5, 0, 0, 0, 0], [0.2, 0.3, 0.5, 0, 0, 0], [0, 1, 0, 0, 0, 0]]
        let anchors = try FastAnchorWords.select(rowNormalized: rows.flatMap { $0 }, vocabularySize: n, candidates: Array(0..<n),
                                                 topicCount: 3, projectionDimension: nil, projectionSeed: 0)
        #expect(Set(anchors) == [0, 1, 2])
        #expect(anchors[0] == 0)  // rows 0, 1, 2, 5 tie on the largest norm: lowest id wins
        #expect(throws: TopicModelError.self) {
            try FastAnchorWords.select(rowNormalized: rows.flatMap { $0 }, vocabularySize: n, candidates: [0, 1],
                                       topicCount: 3, projectionDimension: nil, projectionSeed: 0)
        }
        // With a random projection the vertices are still found.
        let projected = try FastAnchorWords.select(rowNormalized: rows.flatMap { $0 }, vocabularySize: n, candidates: Array(0..<5),
                                                   topicCount: 3, projectionDimension: 64, projectionSeed: 11)
        #expect(Set(projected) == [0, 1, 2])
    }

    @Test func hungarianMatchingFindsTheOptimalPermutation() {
        let cost: [Double] = [4, 1, 3, 2, 0, 5, 3, 2, 2]
        #expect(HungarianMatching.solve(cost: cost, size: 3) == [1, 0, 2])
        // Brute force over all permutations of 4 agrees on random costs.
        var g = SeededRandom(seed: 5)
        let c4 = (0..<16).map { _ in g.nextOpenUnit() }
        let assignment = HungarianMatching.solve(cost: c4, size: 4)
        func total(_ p: [Int]) -> Double { (0..<4).reduce(0) { $0 + c4[$1 * 4 + p[$1]] } }
        var best = Double.infinity
        for a in 0..<4 { for b in 0..<4 where b != a { for c in 0..<4 where c != a && c != b {
            best = min(best, total([a, b, c, 6 - a - b - c]))
        } } }
        #expect(abs(total(assignment) - best) <= 1e-15)
    }
}
