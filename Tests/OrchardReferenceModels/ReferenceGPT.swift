import Foundation
import OrchardModels

/// An independent, scalar Float64 GPT-2 forward pass over named parameters, used as the ground truth
/// for finite-difference gradient checks and for the engine's forward outputs.
public struct ReferenceGPT {
    public let config: GPTConfig
    public var p: [String: [Double]]

    public init(config: GPTConfig, p: [String: [Double]]) { self.config = config; self.p = p }

    func linear(_ x: [[Double]], _ w: String, _ b: String?, out: Int) -> [[Double]] {
        let W = p[w]!, B = b.map { p[$0]! }
        let inC = x[0].count
        return x.map { row in
            (0..<out).map { o in
                var s = B?[o] ?? 0
                for k in 0..<inC { s += row[k] * W[o * inC + k] }
                return s
            }
        }
    }

    func layerNorm(_ x: [[Double]], _ prefix: String) -> [[Double]] {
        let w = p[prefix + ".weight"]!, b = p[prefix + ".bias"]!
        return x.map { row in
            let m = row.reduce(0, +) / Double(row.count)
            let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(row.count)
            let s = 1 / (v + 1e-5).squareRoot()
            return row.indices.map { (row[$0] - m) * s * w[$0] + b[$0] }
        }
    }

    /// Logits per position for one sequence.
    public func logits(_ tokens: [Int32]) -> [[Double]] {
        let C = config.channels, H = config.heads, hs = C / H, T = tokens.count
        let wte = p["wte"]!, wpe = p["wpe"]!
        var x = (0..<T).map { t in (0..<C).map { wte[Int(tokens[t]) * C + $0] + wpe[t * C + $0] } }
        for l in 0..<config.layers {
            let pre = "h.\(l)."
            let qkv = linear(layerNorm(x, pre + "ln_1"), pre + "attn.c_attn.weight", pre + "attn.c_attn.bias", out: 3 * C)
            var y = [[Double]](repeating: [Double](repeating: 0, count: C), count: T)
            for h in 0..<H { for i in 0..<T {
                var sc = [Double]()
                for j in 0...i {
                    var s = 0.0
                    for d in 0..<hs { s += qkv[i][h * hs + d] * qkv[j][C + h * hs + d] }
                    sc.append(s / Double(hs).squareRoot())
                }
                let m = sc.max()!, e = sc.map { exp($0 - m) }, z = e.reduce(0, +)
                for j in 0...i { for d in 0..<hs { y[i][h * hs + d] += e[j] / z * qkv[j][2 * C + h * hs + d] } }
            } }
            let proj = linear(y, pre + "attn.c_proj.weight", pre + "attn.c_proj.bias", out: C)
            x = zip(x, proj).map { zip($0, $1).map(+) }
            let fc = linear(layerNorm(x, pre + "ln_2"), pre + "mlp.c_fc.weight", pre + "mlp.c_fc.bias", out: 4 * C)
            let g = fc.map { $0.map { 0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) } }
            let mlp = linear(g, pre + "mlp.c_proj.weight", pre + "mlp.c_proj.bias", out: C)
            x = zip(x, mlp).map { zip($0, $1).map(+) }
        }
        let f = layerNorm(x, "ln_f")
        return f.map { row in (0..<config.vocabularySize).map { v in (0..<C).reduce(0) { $0 + row[$1] * wte[v * C + $1] } } }
    }

    /// log p(target) per position of one sequence.
    public func logProbabilities(inputs: [Int32], targets: [Int32]) -> [Double] {
        let lg = logits(inputs)
        return (0..<inputs.count).map { i in
            let row = lg[i], m = row.max()!
            return row[Int(targets[i])] - (m + log(row.map { exp($0 - m) }.reduce(0, +)))
        }
    }

    /// Σ coef·(−log p(target)) over batch × length positions.
    /// Σᵢ cᵢ·(−log p(targetᵢ)), or with `softTargets[i]` set, Σ cᵢ·(−Σⱼ qᵢⱼ log pᵢⱼ) at that position.
    public func loss(inputs: [Int32], targets: [Int32], coefficients: [Double], batch: Int, softTargets: [Int: [Double]] = [:]) -> Double {
        let t = inputs.count / batch
        var total = 0.0
        for b in 0..<batch {
            let lg = logits(Array(inputs[(b * t)..<(b * t + t)]))
            for i in 0..<t {
                let row = lg[i], m = row.max()!
                let lse = m + log(row.map { exp($0 - m) }.reduce(0, +))
                if let q = softTargets[b * t + i] {
                    total += coefficients[b * t + i] * zip(q, row).reduce(0.0) { $0 + $1.0 * (lse - $1.1) }
                } else {
                    total += coefficients[b * t + i] * (lse - row[Int(targets[b * t + i])])
                }
            }
        }
        return total
    }
}
