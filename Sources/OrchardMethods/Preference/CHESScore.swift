import Foundation
import OrchardModels

/// The centered hidden embedding similarity of a preference pair (spec algorithms-1 §2.4; Razin et al. Def. 2/3),
/// from the last layer's hidden states h (after the final LayerNorm: logits = W_te·h) of the model being trained:
///
///     S⁺ = Σ_{k=1}^{|y⁺|} h_{x, y⁺<k},  S⁻ likewise       (h_{x,y<k}: the state at the position that predicts token k)
///     CHES    = ⟨S⁺, S⁻⟩ − ‖S⁺‖²                          = ⟨S⁺, S⁻ − S⁺⟩
///     LN-CHES = ⟨S⁺, S⁻⟩/(|y⁺||y⁻|) − ‖S⁺‖²/|y⁺|²          = ⟨m⁺, m⁻ − m⁺⟩,  m = S/|y|
///
/// The positions run from the last prompt token to the second-to-last token of x + y (|y| of them). Sums in Float64.
/// Higher = the responses look more alike to the model = more likelihood displacement expected.
public struct CHESScore: Sendable, Hashable, Codable {
    public var ches: Double
    public var lengthNormalized: Double

    /// From the summed hidden states and the response lengths.
    public init(chosenSum s1: [Double], rejectedSum s2: [Double], chosenLength n1: Int, rejectedLength n2: Int) {
        var cross = 0.0, own = 0.0
        for i in 0..<s1.count { cross += s1[i] * s2[i]; own += s1[i] * s1[i] }
        ches = cross - own
        lengthNormalized = cross / (Double(n1) * Double(n2)) - own / (Double(n1) * Double(n1))
    }

    /// CHES of every pair under `model` (pairs fitted to its context), `batchPairs` pairs per forward pass.
    public static func compute(model: GPT, pairs: [EncodedPreferencePair], batchPairs: Int) throws -> [CHESScore] {
        let b = Swift.max(1, Swift.min(batchPairs, model.maxBatch / 2))
        let c = model.config.channels
        var out: [CHESScore] = []
        out.reserveCapacity(pairs.count)
        var start = 0
        while start < pairs.count {
            let slice = Array(pairs[start..<Swift.min(pairs.count, start + b)])
            let rows = PreferenceRows(slice.flatMap { [($0.prompt, $0.chosen), ($0.prompt, $0.rejected)] })
            try model.forward(inputs: rows.inputs, batch: rows.batch, length: rows.length)
            let h = model.lastHiddenStates()
            func sum(_ r: Range<Int>) -> [Double] {
                var s = [Double](repeating: 0, count: c)
                for p in r { for j in 0..<c { s[j] += Double(h[p * c + j]) } }
                return s
            }
            for (i, pair) in slice.enumerated() {
                out.append(CHESScore(chosenSum: sum(rows.responsePositions[2 * i]), rejectedSum: sum(rows.responsePositions[2 * i + 1]),
                                     chosenLength: pair.chosen.count, rejectedLength: pair.rejected.count))
            }
            start += b
        }
        return out
    }

    /// The indices kept after dropping the `fraction` of pairs with the highest LN-CHES (ties: the later index is
    /// dropped first), in increasing index order. `fraction` in [0, 1).
    public static func keepingLeastSimilar(_ scores: [CHESScore], droppingFraction fraction: Double) -> [Int] {
        let drop = Int((fraction * Double(scores.count)).rounded(.down))
        let order = scores.indices.sorted { a, b in
            scores[a].lengthNormalized != scores[b].lengthNormalized ? scores[a].lengthNormalized < scores[b].lengthNormalized : a < b
        }
        return order.prefix(scores.count - drop).sorted()
    }

    /// The spec's quantile slice (§2.4): indices sorted by score ascending, a window of `size` centred at
    /// round(q·(N − 1)), clamped to the ends. q = 0: the most dissimilar; q = 1: the most similar.
    public static func quantileSlice(sortedCount n: Int, quantile q: Double, size: Int) -> Range<Int> {
        let k = Swift.min(size, n)
        let centre = Int((q * Double(n - 1)).rounded())
        let start = Swift.max(0, Swift.min(n - k, centre - k / 2))
        return start..<(start + k)
    }
}
