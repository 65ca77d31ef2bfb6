import Foundation

/// The per-domain objective of the official ADO fit, in log-loss space (a sum over points, not a mean):
///
///     J(a,e,α) = Σ_j Huber_δ(logsumexp(a - α log n_j, e) - log L_j)
///              + max(α-αmax,0) - min(α,αfloor) + max(a-amax,0) + max(emin-e,0)
///              + betaPenalty · e^a                       (our tie-break, spec §1.8; 0 = official)
///
/// The penalties are piecewise linear; the optimiser uses their one-sided (sub)gradients, as jaxopt does.
public struct ScalingLawObjective: Sendable {
    public let logN: [Double]
    public let logLoss: [Double]
    public let bounds: ScalingLawBounds
    public let huberDelta: Double
    public let betaPenalty: Double

    /// `counts` and `losses` must be positive and finite and of equal length (the fitter filters them).
    public init(counts: [Double], losses: [Double], bounds: ScalingLawBounds,
                huberDelta: Double = 1e-3, betaPenalty: Double = 0) {
        precondition(counts.count == losses.count)
        self.logN = counts.map { Foundation.log($0) }
        self.logLoss = losses.map { Foundation.log($0) }
        self.bounds = bounds
        self.huberDelta = huberDelta
        self.betaPenalty = betaPenalty
    }

    public var pointCount: Int { logN.count }

    /// J at θ = (a, e, α).
    public func value(_ theta: ScalingLaw) -> Double {
        var g = (0.0, 0.0, 0.0)
        return evaluate(theta, gradient: &g, wantGradient: false)
    }

    /// J and ∂J/∂(a, e, α).
    public func valueAndGradient(_ theta: ScalingLaw) -> (value: Double, gradient: (a: Double, e: Double, alpha: Double)) {
        var g = (0.0, 0.0, 0.0)
        let v = evaluate(theta, gradient: &g, wantGradient: true)
        return (v, (g.0, g.1, g.2))
    }

    private func evaluate(_ t: ScalingLaw, gradient g: inout (Double, Double, Double), wantGradient: Bool) -> Double {
        var total = 0.0
        var ga = 0.0, ge = 0.0, gal = 0.0
        let delta = huberDelta
        logN.withUnsafeBufferPointer { xs in
            logLoss.withUnsafeBufferPointer { ys in
                for j in 0..<xs.count {
                    let z = t.a - t.alpha * xs[j]
                    let d = z - t.e
                    // logsumexp(z, e) and the softmax weight of z, computed stably. log(1+x) instead of
                    // log1p: x ∈ (0,1], the absolute error is < 1e-16, and it is ~2x faster in glibc.
                    let ex = Foundation.exp(-Swift.abs(d))
                    let pred = Swift.max(z, t.e) + Foundation.log(1 + ex)
                    let r = pred - ys[j]
                    total += HuberLoss.value(r, delta: delta)
                    if wantGradient {
                        let w = d >= 0 ? 1 / (1 + ex) : ex / (1 + ex)
                        let h = HuberLoss.derivative(r, delta: delta)
                        ga += h * w
                        ge += h * (1 - w)
                        gal -= h * w * xs[j]
                    }
                }
            }
        }
        // Penalties (official, unweighted).
        if t.alpha > bounds.alphaMax { total += t.alpha - bounds.alphaMax; gal += 1 }
        if t.alpha < bounds.alphaFloor { total -= t.alpha; gal -= 1 } else { total -= bounds.alphaFloor }
        if t.a > bounds.aMax { total += t.a - bounds.aMax; ga += 1 }
        if t.e < bounds.eMin { total += bounds.eMin - t.e; ge -= 1 }
        if betaPenalty != 0 {
            let b = betaPenalty * Foundation.exp(t.a)
            total += b; ga += b
        }
        if wantGradient { g = (ga, ge, gal) }
        return total
    }
}
