import Foundation
import OrchardModels
import OrchardTensor

/// What one preference step reports (batch means). Rewards are r = β·(log πθ(y|x) − log π_ref(y|x)).
public struct PreferenceStepMetrics: Sendable, Equatable, Codable {
    /// The objective: mean ℓ(D), plus −λ·mean log πθ(y⁺|x) for dpo_sft.
    public var loss: Double
    /// Mean r⁺ − r⁻ = β·D.
    public var rewardMargin: Double
    /// Share of pairs with r⁺ > r⁻ (D > 0).
    public var rewardAccuracy: Double
    /// Mean log πθ(y⁺|x) − log π_ref(y⁺|x), and the same for y⁻ (likelihood displacement: the first falls).
    public var chosenLogProbChange: Double
    public var rejectedLogProbChange: Double
    public var gradientNorm: Float
    public var learningRate: Float
}

/// Preference optimisation of a GPT against a frozen reference whose log-probabilities were computed once
/// (`PairLogProbabilities`). One step = one forward and one backward over the batch's 2B rows (chosen and rejected
/// response of each pair), with per-position loss coefficients from the forward's own log-probabilities:
/// c = −ℓ′(D)/B on y⁺ tokens, +ℓ′(D)/B on y⁻ tokens (and +λ/B on y⁺ for dpo_sft), so the gradient is that of the
/// batch-mean objective.
public final class PreferenceTrainer {
    public let trainer: GPTTrainer
    public let loss: PreferenceLoss
    public let pairs: [EncodedPreferencePair]
    public let reference: PairLogProbabilities

    public init(trainer: GPTTrainer, loss: PreferenceLoss, pairs: [EncodedPreferencePair], reference: PairLogProbabilities) throws {
        guard reference.chosen.count == pairs.count, reference.rejected.count == pairs.count else {
            throw ModelError.invalidInput("reference log-probabilities for \(reference.chosen.count) pairs, \(pairs.count) pairs given")
        }
        self.trainer = trainer; self.loss = loss; self.pairs = pairs; self.reference = reference
    }

    /// One optimisation step on the pairs at `indices` (at most maxBatch/2 of them).
    @discardableResult
    public func step(_ indices: [Int]) throws -> PreferenceStepMetrics {
        guard !indices.isEmpty, 2 * indices.count <= trainer.model.maxBatch else {
            throw ModelError.invalidInput("a step needs 1...\(trainer.model.maxBatch / 2) pairs, got \(indices.count)")
        }
        let rows = PreferenceRows(indices.flatMap { [(pairs[$0].prompt, pairs[$0].chosen), (pairs[$0].prompt, pairs[$0].rejected)] })
        let b = Double(indices.count), beta = loss.beta, lambda = loss.sftWeight
        var m = PreferenceStepMetrics(loss: 0, rewardMargin: 0, rewardAccuracy: 0, chosenLogProbChange: 0, rejectedLogProbChange: 0,
                                      gradientNorm: 0, learningRate: 0)
        let result = try trainer.trainStep(inputs: rows.inputs, targets: rows.targets, batch: rows.batch, length: rows.length) { logProbs in
            let sums = rows.sequenceLogProbabilities(logProbs)
            var c = [Float](repeating: 0, count: logProbs.count)
            var total = 0.0
            for (i, p) in indices.enumerated() {
                let chosen = sums[2 * i], rejected = sums[2 * i + 1]
                let dc = chosen - reference.chosen[p], dr = rejected - reference.rejected[p]
                let d = dc - dr
                total += loss.value(margin: d) - lambda * chosen
                m.rewardMargin += beta * d / b
                m.rewardAccuracy += (d > 0 ? 1 : 0) / b
                m.chosenLogProbChange += dc / b
                m.rejectedLogProbChange += dr / b
                let g = loss.derivative(margin: d) / b
                for j in rows.responsePositions[2 * i] { c[j] = Float(-g + lambda / b) }
                for j in rows.responsePositions[2 * i + 1] { c[j] = Float(g) }
            }
            m.loss = total / b
            return (m.loss, c)
        }
        m.gradientNorm = result.gradientNorm; m.learningRate = result.learningRate
        return m
    }

    /// The pairs of step `step` (0-based) with `batchPairs` pairs per step: consecutive slices of a per-epoch
    /// permutation of 0..<count drawn from (seed, epoch) alone, so a resumed run needs only the step number.
    public static func batch(step: Int, batchPairs: Int, count: Int, seed: UInt64) -> [Int] {
        guard count > 0 else { return [] }
        var out: [Int] = []
        var position = step * batchPairs
        var cachedEpoch = -1, permutation: [Int] = []
        while out.count < batchPairs {
            let epoch = position / count
            if epoch != cachedEpoch { permutation = Self.permutation(count: count, seed: seed, epoch: epoch); cachedEpoch = epoch }
            out.append(permutation[position % count])
            position += 1
        }
        return out
    }

    static func permutation(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var g = SeededRandom(seed: seed, stream: [0x5052_4546, UInt64(epoch)])  // "PREF"
        var p = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) { p.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        return p
    }
}
