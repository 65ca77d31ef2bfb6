import Foundation
import OrchardModels

/// log π(y⁺|x) and log π(y⁻|x) of every pair under a model, forward passes only (the model is not changed):
/// the reference of DPO (computed once, before training), and the evaluation of any checkpoint.
public struct PairLogProbabilities: Sendable, Codable, Equatable {
    public var chosen: [Double]
    public var rejected: [Double]

    public init(chosen: [Double], rejected: [Double]) { self.chosen = chosen; self.rejected = rejected }

    /// `pairs` must already be fitted to the model's context. Rows go through the model `batchPairs` pairs at a time
    /// (2·batchPairs rows ≤ the model's maxBatch).
    public static func compute(model: GPT, pairs: [EncodedPreferencePair], batchPairs: Int) throws -> PairLogProbabilities {
        let b = Swift.max(1, Swift.min(batchPairs, model.maxBatch / 2))
        var chosen: [Double] = [], rejected: [Double] = []
        chosen.reserveCapacity(pairs.count); rejected.reserveCapacity(pairs.count)
        var start = 0
        while start < pairs.count {
            let slice = pairs[start..<Swift.min(pairs.count, start + b)]
            let rows = PreferenceRows(slice.flatMap { [($0.prompt, $0.chosen), ($0.prompt, $0.rejected)] })
            try model.forward(inputs: rows.inputs, targets: rows.targets, batch: rows.batch, length: rows.length)
            let sums = rows.sequenceLogProbabilities(model.lastTokenLogProbabilities())
            for i in 0..<slice.count { chosen.append(sums[2 * i]); rejected.append(sums[2 * i + 1]) }
            start += b
        }
        return PairLogProbabilities(chosen: chosen, rejected: rejected)
    }
}
