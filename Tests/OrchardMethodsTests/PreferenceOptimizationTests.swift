import Foundation
import Testing
import OrchardMethods
import OrchardModels
import OrchardReferenceModels
import OrchardTensor

/// The checks of spec algorithms-1 §6.2 (DPO, CHES) and §6.3 (ranking accuracy) on the method types.
@Suite struct PreferenceOptimizationTests {
    static let config = GPTConfig(vocabularySize: 13, contextLength: 12, layers: 2, channels: 16, heads: 2)

    /// A tiny GPT with larger-than-default weights (every path carries gradient) and its named parameters.
    static func model(maxBatch: Int = 8) throws -> (GPT, [String: TensorRecord]) {
        let m = try GPT(config: config, maxBatch: maxBatch, threads: .single, seed: 42)
        var named = m.namedParameters()
        var rng = SeededRandom(seed: 7)
        for k in named.keys.sorted() { named[k]!.values = named[k]!.values.map { $0 + rng.nextNormal() * 0.3 } }
        try m.load(namedParameters: named)
        return (m, named)
    }

    static func pairs(_ n: Int, seed: UInt64) -> [EncodedPreferencePair] {
        var g = SeededRandom(seed: seed)
        func tokens(_ k: Int) -> [Int32] { (0..<k).map { _ in Int32(g.nextInt(below: config.vocabularySize)) } }
        return (0..<n).map { i in
            EncodedPreferencePair(id: "p\(i)", prompt: tokens(1 + g.nextInt(below: 4)), chosen: tokens(1 + g.nextInt(below: 5)),
                                  rejected: tokens(1 + g.nextInt(below: 5)))
        }
    }

    @Test func lossValuesDerivativesAndStability() throws {
        for beta in [0.01, 0.1, 1, 10] {
            let dpo = try PreferenceLoss(kind: .dpo, beta: beta)
            #expect(Swift.abs(dpo.value(margin: 0) - Foundation.log(2)) < 1e-12)
            #expect(Swift.abs(dpo.derivative(margin: 0) + beta / 2) < 1e-15)
            for d in [-3.0, -0.2, 0.7, 5] {
                // Swapping y⁺ and y⁻: L(D) − L(−D) = −βD.
                #expect(Swift.abs(dpo.value(margin: d) - dpo.value(margin: -d) + beta * d) < 1e-12)
                let h = 1e-6, numeric = (dpo.value(margin: d + h) - dpo.value(margin: d - h)) / (2 * h)
                #expect(Swift.abs(numeric - dpo.derivative(margin: d)) < 1e-7)
            }
            let ipo = try PreferenceLoss(kind: .ipo, beta: beta)
            #expect(Swift.abs(ipo.value(margin: 0) - 1 / (4 * beta * beta)) < 1e-9 * (1 / (4 * beta * beta)))
            #expect(ipo.value(margin: 1 / (2 * beta)) == 0 && ipo.derivative(margin: 1 / (2 * beta)) == 0)
        }
        let one = try PreferenceLoss(kind: .dpo, beta: 1)
        let big = one.value(margin: 1e4), small = one.value(margin: -1e4)
        #expect(big.isFinite && big >= 0 && big < 1e-300)
        #expect(Swift.abs(small - 1e4) <= 1e-6 * 1e4)
        #expect(throws: PreferenceLoss.ConfigurationError.self) { try PreferenceLoss(kind: .dpo, beta: 0) }
        #expect(throws: PreferenceLoss.ConfigurationError.self) { try PreferenceLoss(kind: .dpoSFT, beta: 0.1, sftWeight: -1) }
    }

    /// Response log-probs sum the shifted per-token log-softmax over the response only: equal to one pair at a time
    /// without padding, and unchanged by what the prompt's targets are.
    @Test func responseLogProbabilitiesMaskPromptAndPadding() throws {
        let (m, named) = try Self.model()
        let pairs = Self.pairs(3, seed: 1)
        let batched = try PairLogProbabilities.compute(model: m, pairs: pairs, batchPairs: 3)
        let ref = ReferenceGPT(config: Self.config, p: named.mapValues { $0.values.map(Double.init) })
        for (i, p) in pairs.enumerated() {
            for (response, value) in [(p.chosen, batched.chosen[i]), (p.rejected, batched.rejected[i])] {
                let one = try m.continuationLogProbabilities(prompt: p.prompt, continuation: response).reduce(0.0) { $0 + Double($1) }
                #expect(Swift.abs(one - value) < 1e-4, "batched with padding vs alone")
                let seq = p.prompt + response
                let exact = ref.logProbabilities(inputs: Array(seq.dropLast()), targets: Array(seq.dropFirst())).suffix(response.count).reduce(0, +)
                #expect(Swift.abs(exact - value) < 1e-4, "brute force in Float64")
            }
        }
        var rows = PreferenceRows([(pairs[0].prompt, pairs[0].chosen)])
        let before = rows.responsePositions
        rows = PreferenceRows([(pairs[0].prompt, pairs[0].chosen), (pairs[1].prompt + pairs[1].prompt, pairs[1].chosen)])
        #expect(rows.responsePositions[0] == before[0] && rows.responsePositions[0].count == pairs[0].chosen.count)
    }

    /// Policy = reference: the first step's loss is ln 2, the margin 0 (spec §6.2 check 1, through the whole model).
    @Test func firstStepLossIsLn2() throws {
        let (m, _) = try Self.model()
        let pairs = Self.pairs(4, seed: 2)
        let reference = try PairLogProbabilities.compute(model: m, pairs: pairs, batchPairs: 4)
        let trainer = try GPTTrainer.adamW(model: m, learningRate: .constant(rate: 1e-3), seed: 1)
        let dpo = try PreferenceTrainer(trainer: trainer, loss: PreferenceLoss(kind: .dpo, beta: 0.1), pairs: pairs, reference: reference)
        let s = try dpo.step([0, 1, 2, 3])
        #expect(Swift.abs(s.loss - Foundation.log(2)) < 1e-6 && Swift.abs(s.rewardMargin) < 1e-6 && s.rewardAccuracy == 0)
        let next = try dpo.step([0, 1, 2, 3])
        #expect(next.loss < s.loss && next.rewardMargin > 0, "a step lowers the loss")
    }

    /// The gradient the trainer applies equals central differences of the objective (DPO + SFT) computed by an
    /// independent Float64 GPT, for every parameter tensor.
    @Test(arguments: [PreferenceLoss.Kind.dpoSFT, .ipo])
    func gradientMatchesFiniteDifferencesThroughTheWholeGPT(kind: PreferenceLoss.Kind) throws {
        let (m, named) = try Self.model()
        let pairs = Self.pairs(3, seed: 3)
        let reference = try PairLogProbabilities.compute(model: m, pairs: pairs, batchPairs: 3)
        // Move the policy off the reference first, so D ≠ 0 and every term of ℓ′ matters.
        var moved = named
        var rng = SeededRandom(seed: 9)
        for k in moved.keys.sorted() { moved[k]!.values = moved[k]!.values.map { $0 + rng.nextNormal() * 0.05 } }
        try m.load(namedParameters: moved)
        let loss = try PreferenceLoss(kind: kind, beta: 0.5, sftWeight: 0.3)
        // SGD with lr 1 and no clipping: the update is exactly −gradient.
        let trainer = try GPTTrainer(model: m, optimizer: SGD(parameterCount: m.parameters.count), schedule: .constant(rate: 1),
                                     gradientClip: nil, seed: 1)
        let dpo = try PreferenceTrainer(trainer: trainer, loss: loss, pairs: pairs, reference: reference)
        let before = m.parameters.array
        try dpo.step([0, 1, 2])
        let after = m.parameters.array
        let ref = ReferenceGPT(config: Self.config, p: moved.mapValues { $0.values.map(Double.init) })
        func objective(_ r: ReferenceGPT) -> Double {
            var total = 0.0
            for (i, p) in pairs.enumerated() {
                func lp(_ y: [Int32]) -> Double {
                    let seq = p.prompt + y
                    return r.logProbabilities(inputs: Array(seq.dropLast()), targets: Array(seq.dropFirst())).suffix(y.count).reduce(0, +)
                }
                let c = lp(p.chosen), d = (c - reference.chosen[i]) - (lp(p.rejected) - reference.rejected[i])
                total += loss.value(margin: d) - loss.sftWeight * c
            }
            return total / Double(pairs.count)
        }
        for tensor in m.layout.tensors {
            let picks = tensor.count <= 12 ? Array(0..<tensor.count) : (0..<12).map { $0 * tensor.count / 12 }
            let analytic = picks.map { before[tensor.offset + $0] - after[tensor.offset + $0] }
            let base = ref.p[tensor.name]!
            let numeric = GradientCheck.numericGradient(at: picks.map { base[$0] }) { sub in
                var r = ref, x = base
                for (k, i) in picks.enumerated() { x[i] = sub[k] }
                r.p[tensor.name] = x
                return objective(r)
            }
            let err = GradientCheck.scaledMaxError(analytic, numeric)
            #expect(err < 2e-3, "\(kind) \(tensor.name): scaled error \(err)")
        }
    }

    /// CHES (spec §6.2 check 8): 0 for identical responses, ⟨S⁺, S⁻ − S⁺⟩ from the hidden states of each response alone
    /// (no padding), |y| positions summed.
    @Test func chesMatchesADirectComputation() throws {
        let (m, _) = try Self.model()
        var pairs = Self.pairs(3, seed: 4)
        pairs.append(EncodedPreferencePair(id: "same", prompt: [1, 2], chosen: [3, 4, 5], rejected: [3, 4, 5]))
        let scores = try CHESScore.compute(model: m, pairs: pairs, batchPairs: 4)
        // Identical responses: exactly 0 from equal sums; through the model, 0 up to Float32 noise between batch rows.
        let s = [0.3, -1.2, 2.5]
        let same = CHESScore(chosenSum: s, rejectedSum: s, chosenLength: 3, rejectedLength: 3)
        #expect(same.ches == 0 && same.lengthNormalized == 0)
        #expect(Swift.abs(scores[3].ches) < 1e-5 * Swift.max(1, scores.map { Swift.abs($0.ches) }.max()!), "\(scores[3])")
        let c = Self.config.channels
        for (i, p) in pairs.enumerated() {
            func sum(_ y: [Int32]) throws -> [Double] {
                let seq = p.prompt + y
                try m.forward(inputs: Array(seq.dropLast()), batch: 1, length: seq.count - 1)
                let h = m.lastHiddenStates()
                var s = [Double](repeating: 0, count: c)
                for pos in (p.prompt.count - 1)..<(seq.count - 1) { for j in 0..<c { s[j] += Double(h[pos * c + j]) } }
                return s
            }
            let s1 = try sum(p.chosen), s2 = try sum(p.rejected)
            let dot = zip(s1, s2).reduce(0.0) { $0 + $1.0 * $1.1 }, own = s1.reduce(0.0) { $0 + $1 * $1 }
            let n1 = Double(p.chosen.count), n2 = Double(p.rejected.count)
            #expect(Swift.abs(scores[i].ches - (dot - own)) < 1e-4 * Swift.max(1, Swift.abs(dot - own)))
            #expect(Swift.abs(scores[i].lengthNormalized - (dot / (n1 * n2) - own / (n1 * n1))) < 1e-4 * Swift.max(1, Swift.abs(dot)))
        }
        // The LN-CHES filter keeps the least similar; the identical pair (the most similar possible: 0) goes first.
        let kept = CHESScore.keepingLeastSimilar([CHESScore(chosenSum: [1], rejectedSum: [-1], chosenLength: 1, rejectedLength: 1),
                                                  CHESScore(chosenSum: [1], rejectedSum: [1], chosenLength: 1, rejectedLength: 1),
                                                  CHESScore(chosenSum: [1], rejectedSum: [0], chosenLength: 1, rejectedLength: 1)],
                                                 droppingFraction: 0.34)
        #expect(kept == [0, 2])
        #expect(CHESScore.quantileSlice(sortedCount: 100, quantile: 0, size: 10) == 0..<10)
        #expect(CHESScore.quantileSlice(sortedCount: 100, quantile: 1, size: 10) == 90..<100)
        #expect(CHESScore.quantileSlice(sortedCount: 100, quantile: 0.5, size: 10) == 45..<55)
    }

    /// Thm 4.1 as a property (spec §6.3 check 1), Prop 2.6, the limits of R*, and R vs R̃.
    @Test func rankingAccuracyTheoremsHold() throws {
        var g = SeededRandom(seed: 21)
        var violations = 0
        for _ in 0..<100_000 {
            let lc = -20 * g.nextDouble(), lr = -20 * g.nextDouble(), rc = -20 * g.nextDouble(), rr = -20 * g.nextDouble()
            let beta = [0.01, 0.1, 1, 10][g.nextInt(below: 4)]
            guard Swift.abs(lc - lr) > 1e-9 else { continue }
            let dpo = try PreferenceLoss(kind: .dpo, beta: beta)
            let l = dpo.value(margin: (lc - lr) - (rc - rr))
            let c = RankingAccuracy.difficulty(referenceChosen: rc, referenceRejected: rr)
            if (lc >= lr) != (l <= RankingAccuracy.lossThreshold(difficulty: c, beta: beta)) { violations += 1 }
            if c <= 0 && l <= 0.6 && lc < lr { violations += 1 }   // Prop 2.6
        }
        #expect(violations == 0)
        let refC = [-3.0, -5, -2, -7], refR = [-4.0, -4, -2.5, -1]
        let strict = 2.0 / 4   // −3 > −4, −5 < −4, −2 > −2.5, −7 < −1
        #expect(RankingAccuracy.idealized(referenceChosen: refC, referenceRejected: refR, beta: 0.1, alpha: [0.5, 0.5, 0.5, 0.5]) == strict)
        #expect(RankingAccuracy.idealized(referenceChosen: refC, referenceRejected: refR, beta: 1e9) == strict)
        // A tie of the reference is misranked at α = 0.5 (strict >) and ranked by any majority.
        #expect(RankingAccuracy.idealized(referenceChosen: [-2], referenceRejected: [-2], beta: 1, alpha: [0.5]) == 0)
        #expect(RankingAccuracy.idealized(referenceChosen: [-2], referenceRejected: [-2], beta: 1, alpha: [1]) == 1)
        #expect(RankingAccuracy.idealized(referenceChosen: refC, referenceRejected: refR, beta: 1e-3) == 1)
        // A long y_w with the higher per-token likelihood: R̃ says correct, R says wrong.
        #expect(RankingAccuracy.accuracy(chosen: [-10], rejected: [-4]) == 0)
        #expect(RankingAccuracy.lengthNormalizedAccuracy(chosen: [-10], rejected: [-4], chosenLengths: [10], rejectedLengths: [2]) == 1)
    }

    @Test func fittingToTheContextCutsThePromptFromTheLeft() {
        let p = EncodedPreferencePair(id: "x", prompt: Array(1...10), chosen: [20, 21, 22], rejected: [30])
        let (f, cut) = p.fitted(context: 8)
        #expect(cut.prompt && !cut.response && f.prompt == Array(5...10) && f.chosen == [20, 21, 22])
        #expect(f.prompt.count + f.chosen.count - 1 <= 8)
        let long = EncodedPreferencePair(id: "y", prompt: [1], chosen: Array(1...20), rejected: [2]).fitted(context: 8)
        #expect(long.truncation.response && long.pair.chosen.count == 7 && long.pair.prompt == [1])
        #expect(PreferenceTrainer.batch(step: 0, batchPairs: 3, count: 5, seed: 1).count == 3)
        let epoch = (0..<5).flatMap { PreferenceTrainer.batch(step: $0, batchPairs: 1, count: 5, seed: 1) }
        #expect(Set(epoch) == Set(0..<5), "one epoch visits every pair once")
    }
}

/// Spec §2.8-1 and §6.2 checks 6–7: the single-token toy with unconstrained features (π = softmax(W h)), DPO with
/// y⁺ = "No", y⁻ = "Never" (nearly collinear unembeddings) and "Yes" aligned with W_No − W_Never. With logits z = W h,
/// dℓ/dz = ℓ′(D)·(e_No − e_Never) (the softmax terms cancel), so ∇_W ℓ = ℓ′(e_No − e_Never)hᵀ and ∇_h ℓ = ℓ′(W_No − W_Never).
@Suite struct LikelihoodDisplacementToyTests {
    static let v = 50, d = 16, no = 0, never = 1, yes = 2

    struct Toy {
        var w: [[Double]]
        var h: [Double]
        func logProbs() -> [Double] {
            let z = w.map { row in zip(row, h).reduce(0) { $0 + $1.0 * $1.1 } }
            let m = z.max()!, lse = m + Foundation.log(z.reduce(0) { $0 + Foundation.exp($1 - m) })
            return z.map { $0 - lse }
        }
    }

    static func toy() -> Toy {
        var g = SeededRandom(seed: 0)
        var w = (0..<v).map { _ in (0..<d).map { _ in 0.1 * g.nextGaussian() } }
        w[no] = (0..<d).map { $0 == 0 ? 10 : 0 }
        w[never] = (0..<d).map { $0 == 0 ? 10 : ($0 == 1 ? -3 : 0) }
        w[yes] = (0..<d).map { $0 == 1 ? 5 : 0 }
        return Toy(w: w, h: (0..<d).map { $0 == 0 ? 0.5 : ($0 == 1 ? 0.1 : 0) })
    }

    /// Plain gradient descent on the DPO loss; returns the final model.
    static func train(_ start: Toy, steps: Int, lr: Double, freezeH: Bool) throws -> Toy {
        let loss = try PreferenceLoss(kind: .dpo, beta: 0.1)
        let ref = start.logProbs()
        var t = start
        for _ in 0..<steps {
            let lp = t.logProbs()
            let g = loss.derivative(margin: (lp[no] - lp[never]) - (ref[no] - ref[never]))
            let dh = (0..<d).map { g * (t.w[no][$0] - t.w[never][$0]) }
            for j in 0..<d { t.w[no][j] -= lr * g * t.h[j]; t.w[never][j] += lr * g * t.h[j] }
            if !freezeH { for j in 0..<d { t.h[j] -= lr * dh[j] } }
        }
        return t
    }

    @Test func preferringNoOverNeverMovesMassToYes() throws {
        let start = Self.toy()
        let p0 = start.logProbs().map(Foundation.exp)
        let end = try Self.train(start, steps: 200, lr: 0.05, freezeH: false).logProbs().map(Foundation.exp)
        // Spec prototype: π(No) 0.48 → 0.28, π(Never) 0.36 → 0.001, π(Yes) 0.005 → 0.70.
        #expect(Swift.abs(p0[Self.no] - 0.48) < 0.02 && Swift.abs(p0[Self.yes] - 0.005) < 0.003, "\(p0[0...2])")
        #expect(p0[Self.no] - end[Self.no] >= 0.1, "π(No) falls: \(p0[Self.no]) → \(end[Self.no])")
        #expect(end.indices.max { end[$0] - p0[$0] < end[$1] - p0[$1] } == Self.yes, "Yes gains the most: \(end[Self.yes])")
        #expect(end[Self.yes] > 0.5 && end[Self.never] < 0.01)
        #expect(Foundation.log(end[Self.no] / end[Self.never]) > Foundation.log(p0[Self.no] / p0[Self.never]), "the margin still grows")
        // Frozen representation (App. F): no displacement.
        let frozen = try Self.train(start, steps: 200, lr: 0.05, freezeH: true).logProbs().map(Foundation.exp)
        #expect(frozen[Self.no] > p0[Self.no], "with h frozen π(No) rises: \(frozen[Self.no])")
    }

    /// First order (spec §6.2 check 7): for a tiny step the change of log π(y⁺) equals ⟨∇ log π(y⁺), −η∇ℓ⟩ within 1 %.
    @Test func oneSmallStepMatchesTheFirstOrderPrediction() throws {
        let t = Self.toy(), eta = 1e-4
        let lp = t.logProbs(), p = lp.map(Foundation.exp)
        let g = try PreferenceLoss(kind: .dpo, beta: 0.1).derivative(margin: 0)
        // ∇_W log π(No) = (e_No − π) hᵀ, ∇_h log π(No) = W_No − Σ π_z W_z.
        var predicted = 0.0
        let mean = (0..<Self.d).map { j in (0..<Self.v).reduce(0.0) { $0 + p[$1] * t.w[$1][j] } }
        for j in 0..<Self.d {
            let gradH = t.w[Self.no][j] - mean[j], stepH = -eta * g * (t.w[Self.no][j] - t.w[Self.never][j])
            predicted += gradH * stepH
            // W rows No and Never move by ∓η g h_j; ∇_{W_z,j} log π(No) = (1[z = No] − π_z) h_j.
            predicted += (1 - p[Self.no]) * t.h[j] * (-eta * g * t.h[j]) + (-p[Self.never]) * t.h[j] * (eta * g * t.h[j])
        }
        let after = try Self.train(t, steps: 1, lr: eta, freezeH: false).logProbs()
        let actual = after[Self.no] - lp[Self.no]
        #expect(Swift.abs(actual - predicted) <= 0.01 * Swift.abs(predicted), "actual \(actual), predicted \(predicted)")
    }
}
