import Foundation

/// The pairwise preference objectives of spec algorithms-1 §2.1, as functions of one pair's margin
/// D = Δθ − Δref, where Δ = log π(y⁺|x) − log π(y⁻|x) (sums over response tokens). All in Float64.
///
///     dpo:      ℓ = −log σ(βD)              dℓ/dD = −β·σ(−βD)         (ℓ = ln 2 and dℓ/dD = −β/2 at D = 0)
///     ipo:      ℓ = (D − 1/(2β))²           dℓ/dD = 2(D − 1/(2β))      (β plays τ; ℓ = 1/(4β²) at D = 0)
///     dpo_sft:  dpo, plus −λ·log πθ(y⁺|x) per pair (λ = `sftWeight`; its gradient is not a function of D)
public struct PreferenceLoss: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable { case dpo, ipo, dpoSFT = "dpo_sft" }
    public let kind: Kind
    public let beta: Double
    /// λ of the SFT term (dpo_sft only; 0 otherwise).
    public let sftWeight: Double

    public struct ConfigurationError: Error, CustomStringConvertible { public var description: String }

    public init(kind: Kind, beta: Double, sftWeight: Double = 0) throws {
        guard beta > 0, beta.isFinite else { throw ConfigurationError(description: "beta must be a finite number > 0 (got \(beta))") }
        guard sftWeight >= 0, sftWeight.isFinite else { throw ConfigurationError(description: "sft_weight must be ≥ 0 (got \(sftWeight))") }
        self.kind = kind; self.beta = beta; self.sftWeight = kind == .dpoSFT ? sftWeight : 0
    }

    /// ℓ(D) without the SFT term.
    public func value(margin d: Double) -> Double {
        switch kind {
        case .dpo, .dpoSFT: return -Self.logSigmoid(beta * d)
        case .ipo: let e = d - 1 / (2 * beta); return e * e
        }
    }

    /// dℓ/dD.
    public func derivative(margin d: Double) -> Double {
        switch kind {
        case .dpo, .dpoSFT: return -beta * Self.sigmoid(-beta * d)
        case .ipo: return 2 * (d - 1 / (2 * beta))
        }
    }

    /// log σ(z) = −log(1 + e^{−z}), without overflow for any finite z.
    public static func logSigmoid(_ z: Double) -> Double { z >= 0 ? -Foundation.log1p(Foundation.exp(-z)) : z - Foundation.log1p(Foundation.exp(z)) }

    public static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
    }
}
