import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// `state.json` of a pretrain checkpoint (a `GPTCheckpoint`: its `model`, `tokenizer` and `step` are the header
/// every LM kind reads): everything besides the tensors that a resumed run needs to continue the identical
/// trajectory.
struct PretrainState: Codable {
    static let format = "orchard.pretrain.v1"
    var format: String
    /// Optimizer steps completed.
    var step: Int
    var tokensSeen: Int
    /// The trainer's RNG words, as 16-digit hex.
    var trainerRandom: [String]
    var sampler: MixtureSamplerState
    /// The catalog the sampler draws from (ids, domains, token lengths), fixed at the job's first start.
    var catalog: [CatalogRecord]
    var tokenizer: String
    var vocabularySize: Int
    var model: GPTConfig
}

enum PretrainCheckpoint {
    /// Writes the checkpoint files into `dir` (a fresh directory the store renames into place).
    static func write(to dir: URL, state: PretrainState, snapshot: TrainingSnapshot, tokenizer: TextTokenizer) throws {
        try GPTCheckpoint.write(to: dir, snapshot: snapshot, tokenizer: tokenizer, state: state,
                                metadata: ["format": PretrainState.format, "step": String(state.step)])
    }

    struct Loaded {
        var state: PretrainState
        var parameters: [String: TensorRecord]
        var optimizer: [String: TensorRecord]
        var random: [UInt64]
        var tokenizer: TextTokenizer

        /// Restores the trainer (a snapshot of the fresh trainer with every field replaced: the engine's
        /// snapshot has no public initialiser).
        func restore(into trainer: GPTTrainer) throws {
            var s = trainer.snapshot()
            s.parameters = parameters; s.optimizer = optimizer; s.step = state.step; s.randomState = random
            try trainer.restore(s)
        }
    }

    /// Reads a checkpoint back: state, tensors, tokenizer.
    static func read(from dir: URL) throws -> Loaded {
        do {
            let gpt = try GPTCheckpoint.read(from: dir)
            let state = try JSONDecoder().decode(PretrainState.self, from: gpt.state)
            guard state.format == PretrainState.format else {
                throw JobError.permanent(code: "checkpoint_format", message: "checkpoint format \(state.format), expected \(PretrainState.format)")
            }
            let words = state.trainerRandom.compactMap { UInt64($0, radix: 16) }
            guard words.count == state.trainerRandom.count else {
                throw JobError.permanent(code: "checkpoint_corrupt", message: "bad RNG words in state.json")
            }
            return Loaded(state: state, parameters: gpt.parameters, optimizer: gpt.optimizer, random: words, tokenizer: gpt.tokenizer)
        } catch let e as JobError {
            throw e
        } catch {
            throw JobError.permanent(code: "checkpoint_unreadable", message: "cannot resume from \(dir.lastPathComponent): \(error)")
        }
    }
}
