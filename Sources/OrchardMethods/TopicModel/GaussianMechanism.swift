import Foundation
import OrchardTensor

/// The Gaussian mechanism (Dwork–Roth, Thm A.1): releasing x + N(0, σ²I) with
/// σ = Δ₂·√(2 ln(1.25/δ))/ε makes any two inputs at ℓ2 distance ≤ Δ₂ (ε, δ)-indistinguishable, for ε ∈ (0, 1).
public struct GaussianMechanism: Sendable, Codable, Equatable {
    public let epsilon: Double
    public let delta: Double
    /// Δ₂: the ℓ2 sensitivity the noise is calibrated to.
    public let sensitivity: Double

    public init(epsilon: Double, delta: Double, sensitivity: Double) throws {
        guard epsilon > 0, epsilon < 1 else {
            throw TopicModelError.invalidConfiguration("epsilon must be in (0, 1) for the classical Gaussian mechanism (got \(epsilon))")
        }
        guard delta > 0, delta < 1 else { throw TopicModelError.invalidConfiguration("delta must be in (0, 1) (got \(delta))") }
        guard sensitivity >= 0, sensitivity.isFinite else {
            throw TopicModelError.invalidConfiguration("sensitivity must be finite and >= 0 (got \(sensitivity))")
        }
        self.epsilon = epsilon
        self.delta = delta
        self.sensitivity = sensitivity
    }

    /// √(2 ln(1.25/δ))/ε: σ per unit of sensitivity.
    public static func noiseMultiplier(epsilon: Double, delta: Double) -> Double {
        (2 * log(1.25 / delta)).squareRoot() / epsilon
    }

    public var sigma: Double { sensitivity * Self.noiseMultiplier(epsilon: epsilon, delta: delta) }

    /// x + N(0, σ²I), fresh noise from `generator`.
    public func release<G: RandomNumberGenerator>(_ x: [Double], using generator: inout G) -> [Double] {
        let s = sigma
        guard s > 0 else { return x }
        return x.map { $0 + s * generator.nextGaussian() }
    }
}
