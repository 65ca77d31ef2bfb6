import OrchardTensor

/// Draws random training windows (inputs = tokens[i..<i+T], targets shifted by one) from a token stream,
/// reusing caller-owned arrays so a training loop allocates nothing.
public struct TokenWindowSampler: Sendable {
    public let tokens: [Int32]
    public let batch: Int
    public let length: Int

    public init(tokens: [Int32], batch: Int, length: Int) throws {
        guard batch >= 1, length >= 1 else { throw ModelError.invalidInput("batch and length must be >= 1") }
        guard tokens.count > length + 1 else {
            throw ModelError.invalidInput("need more than \(length + 1) tokens, got \(tokens.count)")
        }
        self.tokens = tokens; self.batch = batch; self.length = length
    }

    /// Fills inputs and targets (each batch × length, resized once if needed) from `random`.
    public func sample(inputs: inout [Int32], targets: inout [Int32], random: inout SeededRandom) {
        let n = batch * length
        if inputs.count != n { inputs = [Int32](repeating: 0, count: n) }
        if targets.count != n { targets = [Int32](repeating: 0, count: n) }
        let span = tokens.count - length - 1
        for b in 0..<batch {
            let start = random.nextInt(below: span + 1)
            for t in 0..<length {
                inputs[b * length + t] = tokens[start + t]
                targets[b * length + t] = tokens[start + t + 1]
            }
        }
    }
}
