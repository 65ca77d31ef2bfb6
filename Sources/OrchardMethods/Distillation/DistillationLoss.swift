import Foundation

/// Knowledge-distillation loss (spec algorithms-1 §4.1–4.2):
///   ℓ = κ·CE(p_S, y) + (1 − κ)·Σ_c p_T(c)·(−log p_S(c)),   p_T = softmax(z_T / τ)  (the temperature scales the teacher only).
/// Both terms are cross-entropies of the student, so ℓ = −Σ_c q(c)·log p_S(c) with the target q = κ·onehot(y) + (1 − κ)·p_T;
/// the engine differentiates that (soft targets). Σ_c p_T·(−log p_S) = KL(p_T ‖ p_S) + H(p_T): against the teacher the
/// loss is forward KL up to the teacher's entropy. τ ≤ `argmaxTemperature` is the τ → 0 limit, p_T = onehot(argmax z_T)
/// (ties: the lowest class), as the reference code's τ = 1e−20.
public struct DistillationLoss: Sendable, Hashable, Codable {
    public static let argmaxTemperature = 1e-6
    /// τ > 0.
    public var temperature: Double
    /// κ ∈ [0, 1]: the weight of the true labels.
    public var hardLabelWeight: Double

    public init(temperature: Double = 1, hardLabelWeight: Double = 0) {
        self.temperature = temperature; self.hardLabelWeight = hardLabelWeight
    }

    /// The teacher's distribution p_T = softmax(z_T/τ) of each row (rows × classes, row-major), in Float64.
    public func teacherDistribution(logits: UnsafeBufferPointer<Float>, rows: Int, classes: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * classes)
        for r in 0..<rows {
            let z = logits.baseAddress! + r * classes
            if temperature <= Self.argmaxTemperature {
                var best = 0
                for c in 1..<classes where z[c] > z[best] { best = c }
                out[r * classes + best] = 1
                continue
            }
            var m = -Double.infinity
            for c in 0..<classes { m = max(m, Double(z[c]) / temperature) }
            var total = 0.0
            for c in 0..<classes { let e = exp(Double(z[c]) / temperature - m); out[r * classes + c] = e; total += e }
            for c in 0..<classes { out[r * classes + c] /= total }
        }
        return out
    }

    /// The student's target q = κ·onehot(y) + (1 − κ)·p_T per row, as Float for the engine. `labels` may be nil when κ = 0.
    public func targets(teacherLogits: UnsafeBufferPointer<Float>, rows: Int, classes: Int, labels: [Int32]?) -> [Float] {
        let pT = teacherDistribution(logits: teacherLogits, rows: rows, classes: classes)
        let kappa = hardLabelWeight
        var q = [Float](repeating: 0, count: rows * classes)
        for r in 0..<rows {
            for c in 0..<classes { q[r * classes + c] = Float((1 - kappa) * pT[r * classes + c]) }
            if kappa > 0, let labels { q[r * classes + Int(labels[r])] += Float(kappa) }
        }
        return q
    }

    /// Mean over rows of −Σ_c q(c)·log softmax(z)(c), in Float64 (a reference for checks).
    public static func crossEntropy(logits: [Float], targets q: [Double], rows: Int, classes: Int) -> Double {
        var total = 0.0
        for r in 0..<rows {
            let z = (0..<classes).map { Double(logits[r * classes + $0]) }
            let m = z.max()!, lse = m + log(z.reduce(0) { $0 + exp($1 - m) })
            for c in 0..<classes where q[r * classes + c] > 0 { total += q[r * classes + c] * (lse - z[c]) }
        }
        return total / Double(rows)
    }

    /// Mean over rows of KL(p ‖ q) for distributions given row-major.
    public static func kl(_ p: [Double], _ q: [Double], rows: Int, classes: Int) -> Double {
        var total = 0.0
        for i in 0..<(rows * classes) where p[i] > 0 { total += p[i] * (log(p[i]) - log(q[i])) }
        return total / Double(rows)
    }

    /// Mean over rows of the entropy H(p).
    public static func entropy(_ p: [Double], rows: Int) -> Double {
        -p.reduce(0) { $0 + ($1 > 0 ? $1 * log($1) : 0) } / Double(rows)
    }
}
