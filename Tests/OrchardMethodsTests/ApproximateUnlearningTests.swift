import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor
import Testing

/// Spec algorithms-2 §6.2 checks 4–6 and 9 for the approximate unlearning methods.
@Suite struct ApproximateUnlearningTests {
    static let forgetText = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife. However little known the feelings or views of such a man may be."
    static let retainText = "The family of Dashwood had long been settled in Sussex. Their estate was large, and their residence was at Norland Park, in the centre of their property."

    /// A tiny byte-level GPT that has memorised both texts (the target), and a frozen copy (the reference).
    static func target() throws -> (GPT, GPT, forget: [[Int32]], retain: [[Int32]]) {
        let config = GPTConfig(vocabularySize: 256, contextLength: 32, layers: 1, channels: 32, heads: 2)
        let model = try GPT(config: config, maxBatch: 8, seed: 5)
        let forget = ApproximateUnlearning.chunks([TextTokenizer.bytes.encode(forgetText)], length: 32)
        let retain = ApproximateUnlearning.chunks([TextTokenizer.bytes.encode(retainText)], length: 32)
        let trainer = try GPTTrainer.adamW(model: model, learningRate: .constant(rate: 1e-2), seed: 5)
        let all = forget + retain
        for s in 0..<150 {
            let batch = (0..<4).map { all[(s * 4 + $0) % all.count] }
            _ = try trainer.trainStep(inputs: batch.flatMap { $0[0..<32] }, targets: batch.flatMap { $0[1...32] }, batch: 4, length: 32)
        }
        let reference = try GPT(config: config, maxBatch: 8, seed: 0)
        try reference.load(namedParameters: model.namedParameters())
        return (model, reference, forget, retain)
    }

    static func meanNLL(_ m: GPT, _ chunks: [[Int32]]) throws -> Double {
        let ll = try ApproximateUnlearning.sequenceLogLikelihoods(m, chunks)
        return -ll.reduce(0, +) / Double(chunks.count * 32)
    }

    @Test func npoAtTheReferenceIsGradientAscentOnTheSummedNLL() throws {
        var config = ApproximateUnlearningConfig(method: .npo)
        config.beta = 0.1
        let t = 3, f = 2
        let lp: [Float] = [-1.0, -2.0, -0.5, -0.25, -3.0, -1.5]
        let seq = [-3.5, -4.75]
        let atRef = ApproximateUnlearning.coefficients(config, logProbabilities: lp, forgetRows: f, retainRows: 0, length: t, referenceLogLikelihoods: seq)
        #expect(abs(atRef.loss - 2 / 0.1 * log(2.0)) < 1e-9 && abs(atRef.loss - 13.862943611198906) < 1e-9)
        #expect(atRef.coefficients.allSatisfy { abs($0 + 1 / Float(f)) < 1e-7 }, "weight 1: −1/B_f on every token (GA on the summed NLL)")
        // Away from the reference: the coefficient is −dL/d log p per token, checked by central differences in Float64.
        let ref = [-3.0, -6.0]
        let o = ApproximateUnlearning.coefficients(config, logProbabilities: lp, forgetRows: f, retainRows: 0, length: t, referenceLogLikelihoods: ref)
        for i in 0..<lp.count {
            func loss(_ d: Double) -> Double {
                var row = lp.map(Double.init); row[i] += d
                let s0 = row[0..<3].reduce(0, +), s1 = row[3..<6].reduce(0, +)
                return (2 / 0.1) * (log1p(exp(0.1 * (s0 - ref[0]))) + log1p(exp(0.1 * (s1 - ref[1])))) / 2
            }
            let numeric = (loss(1e-5) - loss(-1e-5)) / 2e-5
            // The engine differentiates Σ c·(−log p): d/d(log p) = −c.
            #expect(abs(numeric - Double(-o.coefficients[i])) <= 1e-5 * max(1, abs(numeric)), "token \(i)")
        }
        // β → 0: the NPO weights become equal, so the gradient is proportional to GA's (cosine > 0.999).
        config.beta = 1e-4
        let small = ApproximateUnlearning.coefficients(config, logProbabilities: lp, forgetRows: f, retainRows: 0, length: t, referenceLogLikelihoods: [-9, 2])
        let ga = [Float](repeating: -1, count: lp.count)
        let dot = zip(small.coefficients, ga).reduce(0.0) { $0 + Double($1.0 * $1.1) }
        let cosine = dot / (sqrt(small.coefficients.reduce(0.0) { $0 + Double($1 * $1) }) * sqrt(Double(ga.count)))
        #expect(cosine > 0.999)
    }

    @Test func klRegulariserIsZeroAtTheReferenceAndTaskVectorIsExact() throws {
        let (model, reference, forget, retain) = try Self.target()
        // One ga_klr step at lr 0: the model is the reference, so the KL term (and its gradient) is 0 and the loss is GA's.
        var config = ApproximateUnlearningConfig(method: .ga_klr)
        config.learningRate = 0; config.epochs = 1; config.batch = 2
        let steps = try ApproximateUnlearning.run(model: model, reference: reference, forget: forget, retain: retain, config: config, seed: 1)
        #expect(abs(steps[0].loss + steps[0].forgetNLL) < 1e-4, "loss \(steps[0].loss) = −NLL_f \(steps[0].forgetNLL) + KL 0")
        // Task vector: α = 0 returns the target bit for bit; α = 1 with θ_ft = θ + δ returns θ − δ.
        let theta = model.namedParameters()
        var tuned = theta
        for k in tuned.keys { tuned[k]!.values = tuned[k]!.values.map { $0 + 0.25 } }
        #expect(ApproximateUnlearning.negate(target: theta, fineTuned: tuned, alpha: 0) == theta)
        let one = ApproximateUnlearning.negate(target: theta, fineTuned: tuned, alpha: 1)
        for (k, t) in theta { #expect(zip(one[k]!.values, t.values).allSatisfy { abs($0 - ($1 - 0.25)) < 1e-5 }) }
    }

    /// Check 9 at toy scale: GA and NPO raise the forget loss; GDR and KLR keep the retain loss lower than GA alone.
    @Test func methodsForgetAndRegularisersKeepRetain() throws {
        var after: [ApproximateUnlearningMethod: (forget: Double, retain: Double)] = [:]
        var base: (Double, Double) = (0, 0)
        for method in [ApproximateUnlearningMethod.ga, .ga_gdr, .ga_klr, .npo, .npo_gdr, .task_vector] {
            let (model, reference, forget, retain) = try Self.target()
            base = (try Self.meanNLL(model, forget), try Self.meanNLL(model, retain))
            var config = ApproximateUnlearningConfig(method: method)
            config.learningRate = method == .task_vector ? 1e-3 : 2e-3; config.epochs = method == .task_vector ? 3 : 4; config.batch = 2
            config.alpha = 5   // MUSE's α
            try ApproximateUnlearning.run(model: model, reference: reference, forget: forget, retain: retain, config: config, seed: 3)
            after[method] = (try Self.meanNLL(model, forget), try Self.meanNLL(model, retain))
        }
        for m in [ApproximateUnlearningMethod.ga, .npo, .ga_gdr, .ga_klr, .npo_gdr, .task_vector] {
            #expect(after[m]!.forget > base.0 + 0.5, "\(m): forget NLL \(base.0) → \(after[m]!.forget)")
        }
        #expect(after[.ga_gdr]!.retain < after[.ga]!.retain && after[.ga_klr]!.retain < after[.ga]!.retain,
                "retain NLL: GA \(after[.ga]!.retain), GDR \(after[.ga_gdr]!.retain), KLR \(after[.ga_klr]!.retain) (target \(base.1))")
    }

    /// WHP (spec §6.2 check 7): where the reinforced logits are nowhere above the target's, the output is the target's;
    /// elsewhere the preferred tokens are pushed down by α·(l_r − l_t). On the memorised toy, the combination of the
    /// target with a model reinforced on the forget text raises the forget loss.
    @Test func whoIsHarryPotterCombination() throws {
        let t: [Float] = [1, 2, -1, 0.5], below: [Float] = [0.5, 2, -3, 0.5]
        #expect(WHPScorer.combine(target: t, reinforced: below, alpha: 1) == t)
        let above: [Float] = [3, 2, 1, 0.5], expected: [Float] = [-3, 2, -5, 0.5]   // 1 − 2·2, 2, −1 − 2·2, 0.5
        #expect(WHPScorer.combine(target: t, reinforced: above, alpha: 2) == expected)

        let (model, reference, forget, retain) = try Self.target()
        let before = try Self.meanNLL(reference, forget)
        var config = ApproximateUnlearningConfig(method: .whp)
        config.learningRate = 1e-3; config.epochs = 3; config.batch = 2
        #expect(config.alpha == 1)
        try ApproximateUnlearning.run(model: model, reference: reference, forget: forget, retain: retain, config: config, seed: 3)
        let whp = try WHPScorer(target: reference, reinforced: model, alpha: 1)
        let lp = try whp.tokenLogProbabilities(forget)
        let combined = -lp.flatMap { $0 }.reduce(0, +) / Double(forget.count * 32)
        #expect(combined > 1.5 * before, "forget NLL \(before) → WHP \(combined)")
        // α = 0 is the target itself: its log-probabilities and greedy continuation.
        let plain = GPTScorer(model: reference), zero = try WHPScorer(target: reference, reinforced: model, alpha: 0)
        let a = try plain.tokenLogProbabilities([forget[0]])[0], b = try zero.tokenLogProbabilities([forget[0]])[0]
        #expect(zip(a, b).allSatisfy { abs($0 - $1) < 1e-4 })
        #expect(try plain.greedy(prompt: Array(forget[0].prefix(8)), newTokens: 12) == zero.greedy(prompt: Array(forget[0].prefix(8)), newTokens: 12))
    }
}
