import Foundation
import OrchardTensor
import OrchardMethods
import OrchardModels

/// Binds the GPT engine to the mixture machinery: one `GPTTrainer` step per batch of windows, returning
/// each sequence's mean-token training loss (read from the forward pass's per-position losses, so ADO
/// needs no extra pass). A window of n tokens gives n-1 (input, target) positions; shorter windows are
/// padded to the context and masked out with zero weights, so the step's loss is the token mean.
public struct GPTMixtureModel: MixtureTrainable {
    public let trainer: GPTTrainer
    public var model: GPT { trainer.model }

    public init(trainer: GPTTrainer) { self.trainer = trainer }

    public var computeThreads: ComputeThreads { trainer.model.threads }

    public mutating func trainStep(_ batch: [[Int32]]) throws -> [Double] {
        let packed = try pack(batch)
        try trainer.trainStep(inputs: packed.inputs, targets: packed.targets, weights: packed.weights,
                              batch: batch.count, length: packed.length)
        return perSequenceLoss(lengths: packed.positions, length: packed.length)
    }

    public func evaluate(_ sequences: [[Int32]]) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(sequences.count)
        var start = 0
        while start < sequences.count {
            let chunk = Array(sequences[start..<min(sequences.count, start + model.maxBatch)])
            let packed = try pack(chunk)
            try model.forward(inputs: packed.inputs, targets: packed.targets, weights: packed.weights,
                              batch: chunk.count, length: packed.length)
            out += perSequenceLoss(lengths: packed.positions, length: packed.length)
            start += chunk.count
        }
        return out
    }

    struct Packed {
        var inputs: [Int32], targets: [Int32], weights: [Float]?, positions: [Int], length: Int
    }

    /// Pads every window to the longest one's positions (≤ context) and masks the padding.
    func pack(_ batch: [[Int32]]) throws -> Packed {
        guard !batch.isEmpty, batch.count <= model.maxBatch else {
            throw ModelError.invalidInput("batch of \(batch.count) sequences, model takes 1...\(model.maxBatch)")
        }
        let positions = batch.map { $0.count - 1 }
        guard let t = positions.max(), positions.allSatisfy({ $0 >= 1 }), t <= model.config.contextLength else {
            throw ModelError.invalidInput("every window needs 2...\(model.config.contextLength + 1) tokens")
        }
        var inputs = [Int32](repeating: 0, count: batch.count * t)
        var targets = inputs
        var weights = [Float](repeating: 0, count: batch.count * t)
        for (b, s) in batch.enumerated() {
            for i in 0..<positions[b] {
                inputs[b * t + i] = s[i]; targets[b * t + i] = s[i + 1]; weights[b * t + i] = 1
            }
        }
        let full = positions.allSatisfy { $0 == t }
        return Packed(inputs: inputs, targets: targets, weights: full ? nil : weights, positions: positions, length: t)
    }

    /// Mean −log p(target) over each sequence's real positions, from the last forward pass.
    func perSequenceLoss(lengths: [Int], length t: Int) -> [Double] {
        let logp = model.lastTokenLogProbabilities()
        return lengths.enumerated().map { b, n in
            var s = 0.0
            for i in 0..<n { s -= Double(logp[b * t + i]) }
            return s / Double(n)
        }
    }
}
