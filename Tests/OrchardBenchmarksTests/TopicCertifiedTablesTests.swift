import OrchardBenchmarks
import OrchardMethods
import OrchardTensor
import Testing

/// The certified-mode tables' machinery (docs/results.md, issue 18 item 2): the release they score is the service's
/// release, the capacity search stops where the service's does, and a tiny end-to-end run behaves.
@Suite struct TopicCertifiedTablesTests {
    /// A + σ·Z₀ with pre-drawn standard normals is bit-identical to `GaussianMechanism.release` on a generator seeded
    /// alike, and the noise has standard deviation σ.
    @Test func releaseIsTheGaussianMechanismsRelease() throws {
        var g = SeededRandom(seed: 11)
        let a = (0..<400).map { _ in g.nextDouble() }
        let mechanism = try GaussianMechanism(epsilon: 1, delta: 1e-5, sensitivity: 0.01)
        let noise = TopicCertifiedTables.standardNoise(count: a.count, draws: 25, seed: 3)
        var stream = SeededRandom(seed: 3)
        for z in noise.prefix(2) {
            #expect(TopicCertifiedTables.release(a, sigma: mechanism.sigma, noise: z) == mechanism.release(a, using: &stream))
        }
        let residuals = noise.flatMap { zip(TopicCertifiedTables.release(a, sigma: mechanism.sigma, noise: $0), a).map { $0 - $1 } }
        let s = TopicCertifiedTables.Summary(residuals)
        #expect(abs(s.mean) < 0.05 * mechanism.sigma)
        #expect(abs(s.sd / mechanism.sigma - 1) < 0.03)  // 10,000 values: sd of the ratio ≈ 0.7 %
        #expect(TopicCertifiedTables.release(a, sigma: 0, noise: noise[0]) == a)
    }

    /// m_U is the last grid point before the first one over budget (not the largest one within it), and it never
    /// shrinks when the budget grows.
    @Test func capacityStopsAtTheFirstFailureAndIsMonotoneInBudget() {
        let grid = [1, 2, 4, 8, 16], excess = [0.001, 0.003, 0.002, 0.02, 0.05]
        #expect(TopicCertifiedTables.capacity(grid: grid, excess: excess, budget: 0.0005) == 0)
        #expect(TopicCertifiedTables.capacity(grid: grid, excess: excess, budget: 0.0025) == 1)
        #expect(TopicCertifiedTables.capacity(grid: grid, excess: excess, budget: 0.003) == 4)
        #expect(TopicCertifiedTables.capacity(grid: grid, excess: excess, budget: 0.02) == 8)
        #expect(TopicCertifiedTables.capacity(grid: grid, excess: excess, budget: 1) == 16)
        let budgets = stride(from: 0.0, through: 0.06, by: 0.0005).map { $0 }
        let caps = budgets.map { TopicCertifiedTables.capacity(grid: grid, excess: excess, budget: $0) }
        #expect(zip(caps, caps.dropFirst()).allSatisfy { $0 <= $1 })
    }

    /// A tiny corpus end to end: σ = (σ/Δ)·Δ at every grid point, the adversarial sets really are anchor-rich, capacities are
    /// monotone in the budget, and a budget above the loss's range (mean column ℓ1 ≤ 2) admits the whole grid.
    @Test func tinyCapacityRun() throws {
        let synthetic = TopicCertifiedTables.Synthetic(vocabularySize: 60, topicCount: 4, anchorMass: 0.08, documentLength: 40, seed: 3)
        let budgets = [0.001, 0.05, 0.5, 3]
        let (results, names) = try TopicCertifiedTables.capacityMeasurements(
            synthetic: synthetic, sizes: [200, 800], epsilons: [1, 8], delta: 1e-5, maxForgetSize: 32, trials: 3, adversarialSets: 3,
            budgets: budgets, draws: 4, seed: 5)
        #expect(names.count == 3)
        let multipliers = [1.0, 8.0].map { GaussianMechanism.noiseMultiplier(epsilon: $0, delta: 1e-5) }
        // k ≤ m/8 stops m = 200 at 16; m = 800 reaches the maximum, 32.
        #expect(results.map { $0.points.map(\.k) } == [[1, 2, 4, 8, 16], [1, 2, 4, 8, 16, 32]])
        for res in results {
            for p in res.points {
                #expect(p.randomSensitivity > 0)
                for e in 0..<2 {
                    #expect(p.randomSigma[e] == multipliers[e] * p.randomSensitivity)
                    #expect(p.worstSigma[e] == multipliers[e] * max(p.randomSensitivity, p.adversarialSensitivity))
                    #expect(p.worstSigma[e] >= p.randomSigma[e])
                }
            }
            // 6× less noise at ε = 8 than at ε = 1 (same draws, same forget sets): less excess loss over the grid.
            #expect(res.points.map { $0.randomExcess[1] }.reduce(0, +) < res.points.map { $0.randomExcess[0] }.reduce(0, +))
            for caps in res.randomCapacity + res.worstCapacity {
                #expect(zip(caps, caps.dropFirst()).allSatisfy { $0 <= $1 })
                #expect(caps.last == res.points.last?.k)
            }
        }
        // "all anchors": no document outside the first k has more anchor occurrences than one inside.
        let corpus = synthetic.corpus(documentCount: 400)
        let model = try TopicModelTrainer.train(documents: corpus.documents, vocabulary: corpus.vocabulary, config: synthetic.config)
        let orders = TopicCertifiedTables.AdversarialOrders(documents: corpus.documents, model: model, count: 3)
        let anchorCount = corpus.documents.map { doc -> Int in
            let bag = model.vocabulary.bagOfWords(doc.text)
            return zip(bag.wordIDs, bag.counts).filter { model.anchors.contains($0.0) }.map(\.1).reduce(0, +)
        }
        let inside = orders.orders[0].prefix(20).map { anchorCount[$0] }, outside = orders.orders[0].dropFirst(20).map { anchorCount[$0] }
        #expect(inside.min()! >= outside.max()!)
        #expect(inside.min()! > 0)
    }
}
