import Foundation

/// One domain's scaling law `L(n) = ε + β·n^(-α)` in the official ADO parameterisation
/// θ = (a, e, α) with β = e^a and ε = e^e, so both stay positive without constraints.
public struct ScalingLaw: Sendable, Hashable, Codable {
    /// log β
    public var a: Double
    /// log ε
    public var e: Double
    /// exponent α
    public var alpha: Double

    public init(a: Double, e: Double, alpha: Double) {
        self.a = a; self.e = e; self.alpha = alpha
    }

    /// Builds the law from (ε, β, α) directly; ε and β must be positive.
    public init(epsilon: Double, beta: Double, alpha: Double) {
        precondition(epsilon > 0 && beta > 0, "ε and β must be positive")
        self.init(a: Foundation.log(beta), e: Foundation.log(epsilon), alpha: alpha)
    }

    public var epsilon: Double { Foundation.exp(e) }
    public var beta: Double { Foundation.exp(a) }

    public var isFinite: Bool { a.isFinite && e.isFinite && alpha.isFinite }

    /// L̂(n) = ε + β n^(-α).
    public func loss(at n: Double) -> Double {
        epsilon + beta * Foundation.pow(n, -alpha)
    }

    /// log L̂(n) computed as logsumexp(a - α log n, e): the quantity the fit compares to log L.
    public func logLoss(at n: Double) -> Double {
        let z = a - alpha * Foundation.log(n)
        let m = Swift.max(z, e)
        return m + Foundation.log1p(Foundation.exp(-Swift.abs(z - e)))
    }

    /// dL̂/dn = -(α/n)(L̂(n) - ε) = -α β n^(-α-1). Negative when the domain still learns.
    public func derivative(at n: Double) -> Double {
        -alpha * beta * Foundation.pow(n, -alpha - 1)
    }
}
