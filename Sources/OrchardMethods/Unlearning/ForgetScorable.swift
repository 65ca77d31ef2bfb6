import Foundation
import OrchardModels
import OrchardTensor

/// What MUSE's evaluation needs of a language model: per-token log-probabilities and greedy decoding.
public protocol ForgetScorable {
    var contextLength: Int { get }
    /// log p(x_t | x_<t) for t = 1..<n of each window (each ≤ context + 1 tokens), in Float64.
    func tokenLogProbabilities(_ windows: [[Int32]]) throws -> [[Double]]
    /// The greedy continuation of `prompt` (prompt + newTokens ≤ context).
    func greedy(prompt: [Int32], newTokens: Int) throws -> [Int32]
}

/// Rows of windows for one forward pass: inputs, targets, length (shorter rows padded with 0).
func windowRows(_ slice: ArraySlice<[Int32]>) -> (inputs: [Int32], targets: [Int32], length: Int) {
    let length = slice.map { $0.count - 1 }.max() ?? 1
    var inputs = [Int32](repeating: 0, count: slice.count * length), targets = inputs
    for (r, w) in slice.enumerated() {
        for t in 0..<(w.count - 1) { inputs[r * length + t] = w[t]; targets[r * length + t] = w[t + 1] }
    }
    return (inputs, targets, length)
}

/// A single GPT.
public struct GPTScorer: ForgetScorable {
    public let model: GPT
    public init(model: GPT) { self.model = model }
    public var contextLength: Int { model.config.contextLength }

    public func tokenLogProbabilities(_ windows: [[Int32]]) throws -> [[Double]] {
        var out: [[Double]] = []
        let b = Swift.max(1, model.maxBatch)
        var i = 0
        while i < windows.count {
            let slice = windows[i..<Swift.min(windows.count, i + b)]
            let (inputs, targets, length) = windowRows(slice)
            try model.forward(inputs: inputs, targets: targets, batch: slice.count, length: length)
            let lp = model.lastTokenLogProbabilities()
            for (r, w) in slice.enumerated() { out.append((0..<(w.count - 1)).map { Double(lp[r * length + $0]) }) }
            i += b
        }
        return out
    }

    public func greedy(prompt: [Int32], newTokens: Int) throws -> [Int32] {
        var random = SeededRandom(seed: 0)
        return try GPTGenerator(model: model).generate(prompt: prompt, maxNewTokens: newTokens, random: &random)
    }
}

/// Who's Harry Potter (Eldan & Russinovich 2023) as MUSE runs it (spec algorithms-2 §2.3): an inference-time
/// combination of the target and a "reinforced" model (the target fine-tuned further on the forget set),
///   l = l_target − α·ReLU(l_reinforced − l_target),
/// which lowers the logits of tokens the reinforced model prefers. MUSE's code does not run WHP's anchored-term /
/// generic-label fine-tuning, and neither does this.
public struct WHPScorer: ForgetScorable {
    public let target: GPT
    public let reinforced: GPT
    public let alpha: Float

    public init(target: GPT, reinforced: GPT, alpha: Float) throws {
        guard target.config == reinforced.config else { throw ModelError.invalidConfig("WHP needs two models of one configuration") }
        self.target = target; self.reinforced = reinforced; self.alpha = alpha
    }
    public var contextLength: Int { target.config.contextLength }

    /// l_t − α·ReLU(l_r − l_t), elementwise.
    public static func combine(target: [Float], reinforced: [Float], alpha: Float) -> [Float] {
        zip(target, reinforced).map { t, r in t - alpha * Swift.max(0, r - t) }
    }

    static func logSoftmax(_ l: [Float], at j: Int) -> Double {
        let m = Double(l.max() ?? 0)
        let lse = m + Foundation.log(l.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) })
        return Double(l[j]) - lse
    }

    public func tokenLogProbabilities(_ windows: [[Int32]]) throws -> [[Double]] {
        var out: [[Double]] = []
        let b = Swift.max(1, Swift.min(target.maxBatch, reinforced.maxBatch))
        var i = 0
        while i < windows.count {
            let slice = windows[i..<Swift.min(windows.count, i + b)]
            let (inputs, targets, length) = windowRows(slice)
            try reinforced.forward(inputs: inputs, targets: targets, batch: slice.count, length: length)
            let rein: [[[Float]]] = slice.indices.map { r in (0..<length).map { reinforced.lastLogits(sequence: r - slice.startIndex, position: $0) } }
            try target.forward(inputs: inputs, targets: targets, batch: slice.count, length: length)
            for (r, w) in slice.enumerated() {
                out.append((0..<(w.count - 1)).map { t in
                    let l = Self.combine(target: target.lastLogits(sequence: r, position: t), reinforced: rein[r][t], alpha: alpha)
                    return Self.logSoftmax(l, at: Int(w[t + 1]))
                })
            }
            i += b
        }
        return out
    }

    public func greedy(prompt: [Int32], newTokens: Int) throws -> [Int32] {
        let gt = GPTGenerator(model: target), gr = GPTGenerator(model: reinforced)
        for t in prompt { try gt.append(t); try gr.append(t) }
        var out: [Int32] = []
        while out.count < newTokens {
            let l = Self.combine(target: gt.logits, reinforced: gr.logits, alpha: alpha)
            var best = 0
            for j in 1..<l.count where l[j] > l[best] { best = j }
            out.append(Int32(best))
            if out.count == newTokens || gt.position == contextLength { break }
            try gt.append(Int32(best)); try gr.append(Int32(best))
        }
        return out
    }
}
