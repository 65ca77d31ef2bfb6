import Foundation
import OrchardTensor

/// The analytic Gaussian mechanism (Balle & Wang 2018, Thm 8 and Alg. 1): releasing x + N(0, σ²I) makes any two
/// inputs at ℓ2 distance ≤ Δ₂ (ε, δ)-indistinguishable if and only if
///
///     δ(σ) = Φ(Δ₂/(2σ) − εσ/Δ₂) − e^ε · Φ(−Δ₂/(2σ) − εσ/Δ₂) ≤ δ,
///
/// valid for every ε > 0. δ(σ) decreases in σ, and σ scales linearly with Δ₂ (δ(σ) depends on σ/Δ₂ only), so the
/// noise multiplier σ/Δ₂ is the smallest root of δ(·) = δ at Δ₂ = 1, found by bisection. It is never larger than
/// the classical Dwork–Roth σ = Δ₂√(2 ln(1.25/δ))/ε (which is valid only for ε < 1): 27 % smaller at ε = 0.5,
/// δ = 1e-5 (docs/methods.md).
public struct GaussianMechanism: Sendable, Codable, Equatable {
    public let epsilon: Double
    public let delta: Double
    /// Δ₂: the ℓ2 sensitivity the noise is calibrated to.
    public let sensitivity: Double

    public init(epsilon: Double, delta: Double, sensitivity: Double) throws {
        guard epsilon > 0, epsilon.isFinite else {
            throw TopicModelError.invalidConfiguration("epsilon must be finite and > 0 (got \(epsilon))")
        }
        guard delta > 0, delta < 1 else { throw TopicModelError.invalidConfiguration("delta must be in (0, 1) (got \(delta))") }
        guard sensitivity >= 0, sensitivity.isFinite else {
            throw TopicModelError.invalidConfiguration("sensitivity must be finite and >= 0 (got \(sensitivity))")
        }
        self.epsilon = epsilon
        self.delta = delta
        self.sensitivity = sensitivity
    }

    /// σ per unit of sensitivity: the smallest s with `privacyLoss(s, ε) ≤ δ`, to a relative 1e-12, rounded up
    /// (the returned s always satisfies the inequality as evaluated).
    public static func noiseMultiplier(epsilon: Double, delta: Double) -> Double {
        var hi = 1.0
        while deltaAt(sigma: hi, epsilon: epsilon) > delta { hi *= 2 }
        var lo = hi / 2
        while lo > 1e-300, deltaAt(sigma: lo, epsilon: epsilon) <= delta { hi = lo; lo /= 2 }
        while hi - lo > 1e-13 * hi {
            let mid = lo + (hi - lo) / 2
            if deltaAt(sigma: mid, epsilon: epsilon) > delta { lo = mid } else { hi = mid }
        }
        return hi
    }

    /// The classical multiplier √(2 ln(1.25/δ))/ε (Dwork–Roth Thm A.1, ε < 1), for comparison only.
    public static func classicalNoiseMultiplier(epsilon: Double, delta: Double) -> Double {
        (2 * log(1.25 / delta)).squareRoot() / epsilon
    }

    /// δ(σ) at Δ₂ = 1: Φ(1/(2σ) − εσ) − e^ε Φ(−1/(2σ) − εσ), the second term in log space so large ε cannot overflow.
    public static func deltaAt(sigma s: Double, epsilon e: Double) -> Double {
        let a = 1 / (2 * s) - e * s, b = -1 / (2 * s) - e * s
        return normalCDF(a) - exp(e + logNormalCDF(b))
    }

    /// Φ(x) = erfc(−x/√2)/2.
    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// log Φ(x); below −30 (where erfc underflows towards subnormals) the asymptotic series
    /// log φ(x) − log(−x) + log(1 − 1/x² + 3/x⁴ − 15/x⁶).
    static func logNormalCDF(_ x: Double) -> Double {
        if x > -30 { return log(normalCDF(x)) }
        let x2 = x * x
        return -x2 / 2 - 0.5 * log(2 * Double.pi) - log(-x) + log(1 - 1 / x2 + 3 / (x2 * x2) - 15 / (x2 * x2 * x2))
    }

    public var sigma: Double { sensitivity * Self.noiseMultiplier(epsilon: epsilon, delta: delta) }

    /// x + N(0, σ²I), fresh noise from `generator`.
    public func release<G: RandomNumberGenerator>(_ x: [Double], using generator: inout G) -> [Double] {
        let s = sigma
        guard s > 0 else { return x }
        return x.map { $0 + s * generator.nextGaussian() }
    }
}
