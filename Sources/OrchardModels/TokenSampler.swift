import Foundation
import OrchardTensor

/// How the next token is picked from logits: temperature 0 = greedy (argmax, lowest id on ties);
/// otherwise softmax(logits / temperature) restricted to the topK largest logits (nil = all).
public struct SamplingOptions: Sendable, Equatable, Codable {
    public var temperature: Float
    public var topK: Int?

    public init(temperature: Float = 0, topK: Int? = nil) { self.temperature = temperature; self.topK = topK }
    public static let greedy = SamplingOptions()

    public func validate() throws {
        guard temperature >= 0, temperature.isFinite else { throw ModelError.invalidInput("temperature must be finite and >= 0") }
        if let k = topK, k < 1 { throw ModelError.invalidInput("topK must be >= 1") }
    }
}

public enum TokenSampler {
    public static func sample(logits: UnsafePointer<Float>, count: Int, options: SamplingOptions, random: inout SeededRandom) -> Int32 {
        if options.temperature == 0 {
            var best = 0
            for i in 1..<count where logits[i] > logits[best] { best = i }
            return Int32(best)
        }
        var order = Array(0..<count)
        if let k = options.topK, k < count {
            order.sort { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            order.removeLast(count - k)
        }
        let m = order.map { logits[$0] }.max()!
        let weights = order.map { Foundation.exp(Double(logits[$0] - m) / Double(options.temperature)) }
        let total = weights.reduce(0, +)
        var u = random.nextDouble() * total
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return Int32(order[i]) }
        }
        return Int32(order[order.count - 1])
    }
}
