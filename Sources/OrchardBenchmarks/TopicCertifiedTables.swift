import Foundation
import OrchardCorpus
import OrchardMethods
import OrchardTensor

/// The certified-mode (Mode C) tables of docs/results.md (issue 18 item 2) on synthetic LDA corpora with a known
/// ground truth A*: utility against ε at a fixed capacity, and the deletion capacity against the corpus size m.
/// Every random choice is seeded; the command lines are in the results section.
///
/// Loss of a release: the mean column ℓ1 distance (and the Frobenius distance) between the clipped release and A*
/// after matching columns (`TopicRecoveryError.compare`). A release is what `TopicModel.release` produces for a
/// certified model: A(S∖S_f) + Z over the whole vocabulary, Z ~ N(0, σ²), σ = Δ · `GaussianMechanism.noiseMultiplier`,
/// then clipped and renormalised. The noise is drawn once per draw index as a standard-normal matrix Z₀ and scaled,
/// A + σ·Z₀ (`standardNoise`, `release`): the same arithmetic and stream as `GaussianMechanism.release` on a
/// generator seeded alike (tested), shared across ε, k and forget sets (common random numbers), so differences
/// between rows are not noise-draw luck.
public enum TopicCertifiedTables {
    /// The synthetic generator (that of `orchard-topic-bench recovery --synthetic` and spec §6.1 check 4): a
    /// p-separable A* (anchor word k of topic k at mass `anchorMass`, other mass Dirichlet(β)), θ_d ~ Dirichlet(α),
    /// documents of `documentLength` words.
    public struct Synthetic: Sendable, Equatable {
        public var vocabularySize: Int
        public var topicCount: Int
        public var alpha: Double
        public var anchorMass: Double
        public var beta: Double
        public var documentLength: Int
        public var seed: UInt64
        /// Exponentiated gradient's duality-gap tolerance (`TopicModelConfig.solverTolerance`, default 1e-7).
        public var solverTolerance: Double

        public init(vocabularySize: Int = 500, topicCount: Int = 10, alpha: Double = 0.1, anchorMass: Double = 0.05,
                    beta: Double = 1, documentLength: Int = 100, seed: UInt64 = 1, solverTolerance: Double = 1e-7) {
            self.vocabularySize = vocabularySize
            self.topicCount = topicCount
            self.alpha = alpha
            self.anchorMass = anchorMass
            self.beta = beta
            self.documentLength = documentLength
            self.seed = seed
            self.solverTolerance = solverTolerance
        }

        /// The corpus of m documents. A* depends on the seed only, and documents are drawn in sequence, so the corpus
        /// of m documents is the first m documents of any larger one (same A*).
        public func corpus(documentCount m: Int) -> SyntheticTopicCorpus {
            SyntheticTopicCorpus(vocabularySize: vocabularySize, topicCount: topicCount, alpha: alpha, anchorMass: anchorMass,
                                 beta: beta, documentCount: m, documentLength: documentLength, seed: seed)
        }

        /// Every generated word kept (df ≥ 1), the default anchor thresholds, RecoverL2, no projection (n ≤ 3000).
        public var config: TopicModelConfig {
            TopicModelConfig(topicCount: topicCount, tokenizer: SyntheticTopicCorpus.tokenizer, minDocumentFrequency: 1,
                             maxVocabularySize: vocabularySize, solverTolerance: solverTolerance)
        }

        public var summary: String {
            "synthetic LDA: n = \(vocabularySize), r = \(topicCount), α = \(alpha), anchor mass \(anchorMass), other mass Dirichlet(\(beta)), "
                + "length \(documentLength), seed \(seed); RecoverL2, solver tolerance \(solverTolerance)"
        }
    }

    public struct Loss: Sendable, Equatable {
        public var meanColumnL1: Double
        public var frobenius: Double
    }

    public struct Summary: Sendable, Equatable {
        public var mean: Double
        /// Sample standard deviation (n − 1); 0 for fewer than two values.
        public var sd: Double
        public init(_ xs: [Double]) {
            let n = Double(xs.count)
            mean = xs.isEmpty ? .nan : xs.reduce(0, +) / n
            let m = mean
            sd = xs.count < 2 ? 0 : (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot()
        }
    }

    static func f(_ x: Double, _ digits: Int = 4) -> String { String(format: "%.\(digits)g", x) }
    static func pm(_ s: Summary, _ digits: Int = 4) -> String { "\(f(s.mean, digits)) ± \(f(s.sd, 2))" }

    /// Loss of an estimate (n×r row-major) against the truth, columns matched by ℓ1.
    public static func loss(_ estimate: [Double], truth: [Double], vocabularySize n: Int, topicCount r: Int) throws -> Loss {
        let e = try TopicRecoveryError.compare(reference: truth, estimate: estimate, vocabularySize: n, topicCount: r)
        return Loss(meanColumnL1: e.meanColumnL1, frobenius: e.frobenius)
    }

    /// `draws` standard-normal vectors of `count` entries from one generator, in order.
    public static func standardNoise(count: Int, draws: Int, seed: UInt64) -> [[Double]] {
        var g = SeededRandom(seed: seed)
        return (0..<draws).map { _ in (0..<count).map { _ in g.nextGaussian() } }
    }

    /// The unclipped certified release A + σ·Z₀ (`GaussianMechanism.release` with σ and the same draws).
    public static func release(_ a: [Double], sigma: Double, noise z: [Double]) -> [Double] {
        guard sigma > 0 else { return a }
        return zip(a, z).map { $0 + sigma * $1 }
    }

    /// Losses of the certified releases of `a` with noise σ, one per noise draw: (clipped, unclipped).
    public static func noisyLosses(_ a: [Double], sigma: Double, noise: [[Double]], truth: [Double],
                                   vocabularySize n: Int, topicCount r: Int) throws -> (clipped: [Loss], unclipped: [Loss]) {
        var clipped: [Loss] = [], unclipped: [Loss] = []
        for z in noise {
            let raw = release(a, sigma: sigma, noise: z)
            unclipped.append(try loss(raw, truth: truth, vocabularySize: n, topicCount: r))
            clipped.append(try loss(TopicModelRelease.clipAndNormalize(raw, rows: n, columns: r), truth: truth, vocabularySize: n, topicCount: r))
        }
        return (clipped, unclipped)
    }

    /// The forget sets the service's `.empirical(trials:seed:)` calibration draws for size k
    /// (`SensitivityCalibration.empiricalSensitivity`): trial t from `SeededRandom(seed &+ t·0x9E37_79B9 &+ k)`.
    public static func randomForgetSets(_ documents: [Document], size k: Int, trials: Int, seed: UInt64) -> [[Document]] {
        (0..<trials).map { trial in
            var g = SeededRandom(seed: seed &+ UInt64(trial) &* 0x9E37_79B9 &+ UInt64(k))
            return SensitivityCalibration.randomSubset(of: documents, size: k, using: &g)
        }
    }

    /// Forget sets rich in the model's anchor words, as orders over the documents (a set of size k is a prefix):
    /// "all anchors" (most occurrences of any anchor word), then "anchor w" for the `count − 1` anchor words with the
    /// lowest document frequency in S (most occurrences of that word; the rarest anchors are the easiest to dislodge).
    /// Ties go to the earlier document. Deterministic: no randomness.
    public struct AdversarialOrders: Sendable {
        public let names: [String]
        public let orders: [[Int]]

        public init(documents: [Document], model: TopicModel, count: Int) {
            let anchors = model.anchors
            let counts: [[Int]] = documents.map { doc in
                let bag = model.vocabulary.bagOfWords(doc.text)
                var c = [Int](repeating: 0, count: anchors.count)
                for (id, n) in zip(bag.wordIDs, bag.counts) { if let k = anchors.firstIndex(of: id) { c[k] = n } }
                return c
            }
            func order(_ score: ([Int]) -> Int) -> [Int] {
                let s = counts.map(score)
                return documents.indices.sorted { s[$0] != s[$1] ? s[$0] > s[$1] : $0 < $1 }
            }
            let df = model.statistics.documentFrequency
            let fragile = anchors.indices.sorted { df[anchors[$0]] != df[anchors[$1]] ? df[anchors[$0]] < df[anchors[$1]] : $0 < $1 }
                .prefix(max(0, count - 1))
            var names = ["all anchors"], orders = [order { $0.reduce(0, +) }]
            for k in fragile {
                names.append("anchor \(model.vocabulary.words[anchors[k]]) (df \(df[anchors[k]]))")
                orders.append(order { $0[k] })
            }
            self.names = Array(names.prefix(max(count, 0)))
            self.orders = Array(orders.prefix(max(count, 0)))
        }

        public func sets(_ documents: [Document], size k: Int) -> [[Document]] { orders.map { $0.prefix(k).map { documents[$0] } } }
    }

    /// The largest k on the grid (increasing) whose excess loss, and that of every smaller grid point, is within the
    /// budget (the doubling search of `SensitivityCalibration.calibrate`: it stops at the first point over budget); 0 if none.
    public static func capacity(grid: [Int], excess: [Double], budget: Double) -> Int {
        var best = 0
        for (k, e) in zip(grid, excess) {
            guard e <= budget else { break }
            best = k
        }
        return best
    }

    // MARK: - Table 1: utility against ε

    /// Certified release after deleting one random forget set of `forgetSize` documents, the model certified for capacity
    /// m_U = `forgetSize` with Δ(m_U) = max over `trials` random forget sets of ‖A(S) − A(S∖S_f)‖_F; for each ε, the loss of
    /// `draws` releases against A*. Reference rows: A(S), Mode E A(S∖S_f) and a retrain from scratch on S∖S_f.
    public static func utilityVersusEpsilon(synthetic: Synthetic, documentCount m: Int, epsilons: [Double], delta: Double,
                                            forgetSize: Int, trials: Int, draws: Int, seed: UInt64,
                                            log: (String) -> Void = { _ in }) throws -> String {
        let corpus = synthetic.corpus(documentCount: m)
        let n = synthetic.vocabularySize, r = synthetic.topicCount, truth = corpus.topicWord
        let config = synthetic.config
        let clock = ContinuousClock(), started = clock.now
        let model = try TopicModelTrainer.train(documents: corpus.documents, vocabulary: corpus.vocabulary, config: config)
        log("trained m = \(m) in \(f((clock.now - started).seconds, 3)) s; anchors \(model.anchors) (planted \(corpus.anchors))")
        var g = SeededRandom(seed: seed &+ 0xE5AC7)  // exact releases draw nothing; the unlearn API takes a generator
        var deltas: [Double] = []
        for forget in randomForgetSets(corpus.documents, size: forgetSize, trials: trials, seed: seed) {
            let reduced = try model.unlearn(documents: forget, mode: .exact, noise: &g).0
            deltas.append(DenseLinearAlgebra.frobeniusDistance(model.topicWord, reduced.topicWord))
        }
        let sensitivity = deltas.max() ?? 0
        log("Δ(\(forgetSize)) over \(trials) random forget sets: max \(f(sensitivity)), min \(f(deltas.min() ?? 0)) (\(f((clock.now - started).seconds, 3)) s)")

        // The deletion actually served: one more random forget set, drawn apart from the calibration sets.
        var pick = SeededRandom(seed: seed &+ 0xF06E7)
        let forget = SensitivityCalibration.randomSubset(of: corpus.documents, size: forgetSize, using: &pick)
        let ids = Set(forget.map(\.id))
        let (unlearned, report) = try model.unlearn(documents: forget, mode: .exact, noise: &g)
        let retrained = try TopicModelTrainer.train(documents: corpus.documents.filter { !ids.contains($0.id) }, vocabulary: corpus.vocabulary,
                                                    config: config)
        let identical = unlearned.topicWord == retrained.topicWord && unlearned.anchors == retrained.anchors

        let normTruth = DenseLinearAlgebra.frobeniusNorm(truth)
        var out = "\(synthetic.summary); m = \(m) documents; ‖A*‖_F = \(f(normTruth)); δ = \(delta); capacity m_U = \(forgetSize); "
            + "Δ(\(forgetSize)) = \(f(sensitivity)) = max over \(trials) random forget sets of size \(forgetSize) of ‖A(S) − A(S∖S_f)‖_F "
            + "(range \(f(deltas.min() ?? 0))–\(f(sensitivity)); empirical, not certified); the served deletion is one further random "
            + "forget set of \(forgetSize) (anchors changed: \(report.anchorsChanged ? "yes" : "no"); Mode E = retrain bit-identical: "
            + "\(identical ? "yes" : "no")); \(draws) noise draws per ε (mean ± sd); losses after column matching against A*.\n\n"
        out += "| release | ε | σ/Δ | σ | σ√(nr) | mean column ℓ1 vs A* (clipped) | ‖Ã − A*‖_F (clipped) | ‖Ã − A*‖_F (unclipped) |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for (name, a) in [("exact A(S), before the deletion", model.topicWord), ("exact (Mode E) A(S∖S_f), noise-free", unlearned.topicWord),
                          ("retrain from scratch on S∖S_f", retrained.topicWord)] {
            let l = try loss(a, truth: truth, vocabularySize: n, topicCount: r)
            let line = "| \(name) | — | — | 0 | 0 | \(f(l.meanColumnL1)) | \(f(l.frobenius)) | \(f(l.frobenius)) |"
            log(line)
            out += line + "\n"
        }
        let noise = standardNoise(count: n * r, draws: draws, seed: seed &+ 0x2015E)
        for eps in epsilons {
            let mechanism = try GaussianMechanism(epsilon: eps, delta: delta, sensitivity: sensitivity)
            let sigma = mechanism.sigma
            let (clipped, unclipped) = try noisyLosses(unlearned.topicWord, sigma: sigma, noise: noise, truth: truth, vocabularySize: n, topicCount: r)
            let line = "| certified Ã = A(S∖S_f) + Z | \(f(eps, 3)) | \(f(GaussianMechanism.noiseMultiplier(epsilon: eps, delta: delta))) | \(f(sigma)) | "
                + "\(f(sigma * Double(n * r).squareRoot())) | \(pm(Summary(clipped.map(\.meanColumnL1)))) | \(pm(Summary(clipped.map(\.frobenius)))) | "
                + "\(pm(Summary(unclipped.map(\.frobenius)))) |"
            log(line)
            out += line + "\n"
        }
        log("table done in \(f((clock.now - started).seconds, 3)) s")
        return out
    }

    // MARK: - Table 2: deletion capacity against m

    /// One grid point of one corpus size.
    public struct GridPoint: Sendable {
        public var k: Int
        /// Max over random / adversarial forget sets of ‖A(S) − A(S∖S_f)‖_F.
        public var randomSensitivity: Double
        public var adversarialSensitivity: Double
        public var randomAnchorsChanged: Int
        public var adversarialAnchorsChanged: Int
        /// Max over all forget sets of the noise-free loss of A(S∖S_f), minus Loss*.
        public var exactExcess: Double
        /// Per ε: σ calibrated to the random sets, and the max over random sets of the mean (over draws) clipped loss minus Loss*.
        public var randomSigma: [Double]
        public var randomExcess: [Double]
        /// Per ε: σ calibrated to the worst set seen (random or adversarial), and the max over all sets of the mean loss minus Loss*.
        public var worstSigma: [Double]
        public var worstExcess: [Double]
    }

    /// One corpus size: Loss*, the grid points, and m_U per ε and budget ([ε][budget]) for the two calibrations.
    public struct CapacityResult: Sendable {
        public var documentCount: Int
        public var lossStar: Double
        public var anchors: [Int]
        public var points: [GridPoint]
        public var randomCapacity: [[Int]]
        public var worstCapacity: [[Int]]
    }

    /// The doubling grid 1, 2, 4, … up to `maxForgetSize` and m/8 (deleting at most an eighth of the corpus).
    public static func forgetGrid(documentCount m: Int, maxForgetSize: Int) -> [Int] {
        var grid: [Int] = []
        var k = 1
        while k <= maxForgetSize, 8 * k <= m { grid.append(k); k *= 2 }
        return grid
    }

    /// For each m (prefixes of one synthetic corpus, so the same A*): Δ(k)/k on `forgetGrid` over `trials` random and
    /// `adversarialSets` anchor-rich forget sets, and the capacity m_U per ε and loss budget for the two calibrations.
    /// Loss = mean column ℓ1 of the clipped release vs A*; Loss* = that of the exact A(S). The exact models of the forget
    /// sets are computed once and shared by every ε (only σ differs).
    public static func capacityMeasurements(synthetic: Synthetic, sizes: [Int], epsilons: [Double], delta: Double, maxForgetSize: Int,
                                            trials: Int, adversarialSets: Int, budgets: [Double], draws: Int, seed: UInt64,
                                            log: (String) -> Void = { _ in }) throws -> (results: [CapacityResult], adversarialNames: [String]) {
        let n = synthetic.vocabularySize, r = synthetic.topicCount
        let full = synthetic.corpus(documentCount: sizes.max() ?? 0)
        let truth = full.topicWord
        let config = synthetic.config, vocabulary = full.vocabulary
        let multipliers = epsilons.map { GaussianMechanism.noiseMultiplier(epsilon: $0, delta: delta) }
        _ = try epsilons.map { try GaussianMechanism(epsilon: $0, delta: delta, sensitivity: 0) }  // validates (ε, δ)
        let noise = standardNoise(count: n * r, draws: draws, seed: seed &+ 0xCA9AC)
        let clock = ContinuousClock(), started = clock.now
        var g = SeededRandom(seed: seed &+ 0xE5AC7)  // exact releases draw nothing; the unlearn API takes a generator
        var results: [CapacityResult] = []
        var adversarialNames: [String] = []
        for m in sizes.sorted() {
            let docs = Array(full.documents.prefix(m))
            let model = try TopicModelTrainer.train(documents: docs, vocabulary: vocabulary, config: config)
            let lossStar = try loss(model.topicWord, truth: truth, vocabularySize: n, topicCount: r).meanColumnL1
            let adversarial = AdversarialOrders(documents: docs, model: model, count: adversarialSets)
            adversarialNames = adversarial.names
            log("m = \(m): trained, Loss* = \(f(lossStar)), anchors \(model.anchors); adversarial: \(adversarial.names) (\(f((clock.now - started).seconds, 3)) s)")
            var points: [GridPoint] = []
            for k in forgetGrid(documentCount: m, maxForgetSize: maxForgetSize) {
                // Exact models of every forget set (Mode E = retrain, tested elsewhere).
                func exact(_ sets: [[Document]]) throws -> [(a: [Double], delta: Double, changed: Bool, loss: Double)] {
                    try sets.map { forget in
                        let reduced = try model.unlearn(documents: forget, mode: .exact, noise: &g).0
                        return (reduced.topicWord, DenseLinearAlgebra.frobeniusDistance(model.topicWord, reduced.topicWord),
                                reduced.anchors != model.anchors,
                                try loss(reduced.topicWord, truth: truth, vocabularySize: n, topicCount: r).meanColumnL1)
                    }
                }
                let random = try exact(randomForgetSets(docs, size: k, trials: trials, seed: seed))
                let adv = try exact(adversarial.sets(docs, size: k))
                let dRandom = random.map(\.delta).max() ?? 0, dAdv = adv.map(\.delta).max() ?? 0
                func expectedLoss(_ models: [(a: [Double], delta: Double, changed: Bool, loss: Double)], sigma: Double) throws -> Double {
                    try models.map { try Summary(noisyLosses($0.a, sigma: sigma, noise: noise, truth: truth, vocabularySize: n, topicCount: r)
                                                     .clipped.map(\.meanColumnL1)).mean }.max() ?? 0
                }
                let sRandom = multipliers.map { $0 * dRandom }, sWorst = multipliers.map { $0 * max(dRandom, dAdv) }
                let p = GridPoint(k: k, randomSensitivity: dRandom, adversarialSensitivity: dAdv,
                                  randomAnchorsChanged: random.filter(\.changed).count, adversarialAnchorsChanged: adv.filter(\.changed).count,
                                  exactExcess: ((random + adv).map(\.loss).max() ?? lossStar) - lossStar,
                                  randomSigma: sRandom, randomExcess: try sRandom.map { try expectedLoss(random, sigma: $0) - lossStar },
                                  worstSigma: sWorst, worstExcess: try sWorst.map { try expectedLoss(random + adv, sigma: $0) - lossStar })
                points.append(p)
                log(detailRow(m: m, p, randomSets: random.count, adversarialSets: adv.count) + " (\(f((clock.now - started).seconds, 3)) s)")
            }
            let ks = points.map(\.k)
            func capacities(_ excess: (GridPoint) -> [Double]) -> [[Int]] {
                epsilons.indices.map { e in budgets.map { capacity(grid: ks, excess: points.map { excess($0)[e] }, budget: $0) } }
            }
            results.append(CapacityResult(documentCount: m, lossStar: lossStar, anchors: model.anchors, points: points,
                                          randomCapacity: capacities(\.randomExcess), worstCapacity: capacities(\.worstExcess)))
        }
        log("measurements done in \(f((clock.now - started).seconds, 3)) s")
        return (results, adversarialNames)
    }

    static func detailRow(m: Int, _ p: GridPoint, randomSets: Int, adversarialSets: Int) -> String {
        let k = Double(p.k)
        return "| \(m) | \(p.k) | \(f(p.randomSensitivity / k, 3)) | \(f(p.adversarialSensitivity / k, 3)) | "
            + "\(p.randomSensitivity > 0 ? f(p.adversarialSensitivity / p.randomSensitivity, 3) : "—") | "
            + "\(p.randomAnchorsChanged)/\(randomSets) / \(p.adversarialAnchorsChanged)/\(adversarialSets) | \(f(p.exactExcess, 3)) | "
            + p.randomExcess.indices.map { "\(f(p.randomExcess[$0], 3)) | \(f(p.worstExcess[$0], 3))" }.joined(separator: " | ") + " |"
    }

    /// The capacity table as markdown: a summary row per (m, ε), then every grid point.
    public static func capacityVersusCorpusSize(synthetic: Synthetic, sizes: [Int], epsilons: [Double], delta: Double, maxForgetSize: Int,
                                                trials: Int, adversarialSets: Int, budgets: [Double], draws: Int, seed: UInt64,
                                                log: (String) -> Void = { _ in }) throws -> String {
        let (results, adversarialNames) = try capacityMeasurements(
            synthetic: synthetic, sizes: sizes, epsilons: epsilons, delta: delta, maxForgetSize: maxForgetSize, trials: trials,
            adversarialSets: adversarialSets, budgets: budgets, draws: draws, seed: seed, log: log)
        let n = synthetic.vocabularySize, r = synthetic.topicCount
        var out = "\(synthetic.summary); m = \(sizes.sorted().map(String.init).joined(separator: ", ")) (prefixes of one corpus: same A*); "
            + "δ = \(delta), σ/Δ = " + epsilons.map { "\(f(GaussianMechanism.noiseMultiplier(epsilon: $0, delta: delta))) at ε = \(f($0, 3))" }
                .joined(separator: ", ")
            + "; grid k = 1, 2, 4, … ≤ min(\(maxForgetSize), m/8); per grid point \(trials) random forget sets (those of the service's "
            + "`.empirical(trials: \(trials), seed: \(seed))`) and \(adversarialNames.count) adversarial ones (the k documents with the most "
            + "occurrences of: \(adversarialNames.joined(separator: "; ")); dfs at the largest m); loss = mean column ℓ1 of the clipped release "
            + "vs A* after matching, averaged over \(draws) noise draws, max over the forget sets (E max ≈ max E); excess = loss − Loss*, "
            + "Loss* = loss of the exact A(S). Random calibration: σ = (σ/Δ)·Δ_rand(k), loss max over the random sets; worst-set calibration: "
            + "σ = (σ/Δ)·max(Δ_rand, Δ_adv)(k), loss max over all sets. m_U = largest grid k whose excess, and every smaller grid point's, "
            + "is ≤ the budget (0: even k = 1 is over; ≥ k: the whole grid is within it).\n\n"
        out += "| m | ε | Loss* | Δ_rand(1) | Δ_adv(1) | " + budgets.map { "m_U random cal., budget \(f($0, 3))" }.joined(separator: " | ") + " | "
            + budgets.map { "m_U worst-set cal., budget \(f($0, 3))" }.joined(separator: " | ") + " | m/(r²√(nr)) |\n"
        out += "|---:|---:|---:|---:|---:|" + String(repeating: "---:|", count: 2 * budgets.count) + "---:|\n"
        for (e, eps) in epsilons.enumerated() {
            for res in results {
                // The whole grid within budget: the capacity is at least its last point.
                func text(_ cap: Int) -> String { cap > 0 && cap == res.points.last?.k ? "≥ \(cap)" : "\(cap)" }
                let paper = Double(res.documentCount) / (Double(r * r) * Double(n * r).squareRoot())
                out += "| \(res.documentCount) | \(f(eps, 3)) | \(f(res.lossStar)) | \(f(res.points.first?.randomSensitivity ?? 0, 3)) | "
                    + "\(f(res.points.first?.adversarialSensitivity ?? 0, 3)) | "
                    + res.randomCapacity[e].map(text).joined(separator: " | ") + " | "
                    + res.worstCapacity[e].map(text).joined(separator: " | ") + " | \(f(paper, 3)) |\n"
            }
        }
        out += "\nPer grid point (excess mean column ℓ1 loss; σ = (σ/Δ)·Δ):\n\n"
        out += "| m | k | Δ_rand(k)/k | Δ_adv(k)/k | Δ_adv ÷ Δ_rand | anchors changed (random / adversarial sets) | exact excess (no noise) | "
            + epsilons.map { "ε = \(f($0, 3)): random cal. | ε = \(f($0, 3)): worst-set cal." }.joined(separator: " | ") + " |\n"
            + "|---:|---:|---:|---:|---:|:---:|---:|" + String(repeating: "---:|", count: 2 * epsilons.count) + "\n"
        for res in results {
            for p in res.points { out += detailRow(m: res.documentCount, p, randomSets: trials, adversarialSets: adversarialNames.count) + "\n" }
        }
        return out
    }
}
