import Foundation

/// Lays variable-length windows out as the fixed `batch × length` next-token problem an engine trains on:
/// a window of k tokens gives k-1 (input, target) positions; the rest of its row is padding with weight 0.
/// Sample windows with `sequenceLength = length + 1` so a full window fills its row exactly.
public struct PaddedTokenBatch: Sendable, Hashable {
    public let batch: Int
    public let length: Int
    /// Row-major `batch × length`.
    public let inputs: [Int32]
    public let targets: [Int32]
    /// 1 for a real position, 0 for padding.
    public let weights: [Float]
    /// Real positions per row.
    public let positions: [Int]

    public init(sequences: [[Int32]], length: Int, padToken: Int32 = 0) throws {
        guard length >= 1 else { throw MixtureError("length must be ≥ 1") }
        guard !sequences.isEmpty else { throw MixtureError("empty batch") }
        var inputs = [Int32](repeating: padToken, count: sequences.count * length)
        var targets = inputs
        var weights = [Float](repeating: 0, count: inputs.count)
        var positions: [Int] = []
        for (b, s) in sequences.enumerated() {
            guard s.count >= 2 else { throw MixtureError("sequence \(b) has \(s.count) tokens; need ≥ 2 for one prediction") }
            let p = Swift.min(s.count - 1, length)
            for t in 0..<p {
                inputs[b * length + t] = s[t]
                targets[b * length + t] = s[t + 1]
                weights[b * length + t] = 1
            }
            positions.append(p)
        }
        self.batch = sequences.count; self.length = length
        self.inputs = inputs; self.targets = targets; self.weights = weights; self.positions = positions
    }

    /// Per-sequence mean-token loss from per-position losses (`batch × length`, padding ignored): what
    /// `MixtureTrainable.trainStep` must return to ADO.
    public func perSequenceMeans(positionLosses: [Double]) throws -> [Double] {
        guard positionLosses.count == batch * length else {
            throw MixtureError("expected \(batch * length) position losses, got \(positionLosses.count)")
        }
        return (0..<batch).map { b in
            var s = 0.0
            for t in 0..<positions[b] { s += positionLosses[b * length + t] }
            return s / Double(positions[b])
        }
    }
}
