import Foundation

/// How δ_min is imposed on the preference distribution ρ.
public enum ADOFloorRule: String, Sendable, Hashable, Codable {
    /// Exact projection onto {w ≥ δ_min, Σw = 1}: weights under δ_min are set to δ_min and only the
    /// others are rescaled, repeated until none falls under. Every weight ends ≥ δ_min.
    case projection
    /// The official rule: `ρ ← max(ρ, δ_min)`, then divide by the sum. A floored weight ends at
    /// δ_min/S, slightly below δ_min (bound δ_min/(1+Kδ_min)).
    case official

    /// Applies the rule to a distribution `w` (entries ≥ 0, Σ = 1, K·δ_min < 1).
    public func apply(_ w: [Double], deltaMin: Double) -> [Double] {
        switch self {
        case .official:
            let floored = w.map { Swift.max($0, deltaMin) }
            let s = floored.reduce(0, +)
            return floored.map { $0 / s }
        case .projection:
            var out = w
            var fixed = [Bool](repeating: false, count: w.count)
            while true {
                let fixedCount = fixed.filter { $0 }.count
                let freeMass = 1 - Double(fixedCount) * deltaMin
                let freeSum = zip(w, fixed).reduce(0.0) { $1.1 ? $0 : $0 + $1.0 }
                var changed = false
                for k in 0..<w.count where !fixed[k] {
                    out[k] = freeSum > 0 ? w[k] / freeSum * freeMass
                                         : freeMass / Double(w.count - fixedCount)
                    if out[k] < deltaMin { fixed[k] = true; changed = true }
                }
                for k in 0..<w.count where fixed[k] { out[k] = deltaMin }
                if !changed { return out }
            }
        }
    }
}
