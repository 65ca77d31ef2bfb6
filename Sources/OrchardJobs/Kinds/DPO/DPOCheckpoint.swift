import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// `state.json` of a dpo checkpoint (a `GPTCheckpoint`, so any LM kind can read the aligned model): what a resumed
/// run needs to continue the identical trajectory — the step, the trainer's RNG, the reference log-probabilities
/// (computed once, before the first step), the CHES scores and the filter's choice, the displacement monitor.
struct DPOState: Codable {
    static let format = "orchard.dpo.v1"
    var format = DPOState.format
    var step: Int
    var model: GPTConfig
    var tokenizer: String
    var baseCheckpoint: String
    /// The job that wrote the base checkpoint (its lineage is this model's too).
    var baseJob: String
    var trainerRandom: [String]
    /// Every pair's id, in the order of `reference` and `ches`.
    var pairIDs: [String]
    /// Indices (into `pairIDs`) kept by the CHES filter: what the batches are drawn from.
    var kept: [Int]
    var reference: PairLogProbabilities
    var ches: [CHESScore]
    var promptTruncated: Int
    var responseTruncated: Int
    var firstWindowLoss: Double?
    var displacementStep: Int?
    /// The window in progress when the checkpoint was written, and the last step's metrics.
    var lastWindow: DPOWindow?
    var lastMetrics: PreferenceStepMetrics?
}

/// Means of the step metrics over one metrics window.
struct DPOWindow: Codable, Equatable {
    var steps = 0
    var loss = 0.0, rewardMargin = 0.0, rewardAccuracy = 0.0, chosenChange = 0.0, rejectedChange = 0.0

    mutating func add(_ m: PreferenceStepMetrics) {
        steps += 1
        loss += m.loss; rewardMargin += m.rewardMargin; rewardAccuracy += m.rewardAccuracy
        chosenChange += m.chosenLogProbChange; rejectedChange += m.rejectedLogProbChange
    }

    var mean: DPOWindow {
        let n = Double(Swift.max(steps, 1))
        return DPOWindow(steps: steps, loss: loss / n, rewardMargin: rewardMargin / n, rewardAccuracy: rewardAccuracy / n,
                         chosenChange: chosenChange / n, rejectedChange: rejectedChange / n)
    }
}

enum DPOCheckpoint {
    static func write(to dir: URL, state: DPOState, snapshot: TrainingSnapshot, tokenizer: TextTokenizer) throws {
        try GPTCheckpoint.write(to: dir, snapshot: snapshot, tokenizer: tokenizer, state: state,
                                metadata: ["format": DPOState.format, "step": String(state.step)])
    }

    static func read(from dir: URL) throws -> (DPOState, GPTCheckpoint.Contents) {
        do {
            let gpt = try GPTCheckpoint.read(from: dir)
            let state = try JSONDecoder().decode(DPOState.self, from: gpt.state)
            guard state.format == DPOState.format else {
                throw JobError.permanent(code: "checkpoint_format", message: "checkpoint format \(state.format), expected \(DPOState.format)")
            }
            return (state, gpt)
        } catch let e as JobError {
            throw e
        } catch {
            throw JobError.permanent(code: "checkpoint_unreadable", message: "cannot resume from \(dir.lastPathComponent): \(error)")
        }
    }
}
