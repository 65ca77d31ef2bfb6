import Testing
import Foundation
import OrchardTensor
@testable import OrchardMethods

/// The SIMD objective (polynomial exp/log, four points at a time) against a plain scalar transcription of
/// the official objective with libm exp/log, and the polynomials against libm over their whole input range.
@Suite struct ScalingLawObjectiveSIMDTests {
    /// The official J and gradient, point by point with libm.
    static func scalarReference(_ o: ScalingLawObjective, _ t: ScalingLaw) -> (Double, Double, Double, Double) {
        var total = 0.0, ga = 0.0, ge = 0.0, gal = 0.0
        for j in 0..<o.pointCount {
            let z = t.a - t.alpha * o.logN[j]
            let pred = Swift.max(z, t.e) + Foundation.log1p(Foundation.exp(-Swift.abs(z - t.e)))
            let r = pred - o.logLoss[j]
            total += HuberLoss.value(r, delta: o.huberDelta)
            let w = 1 / (1 + Foundation.exp(t.e - z))   // softmax weight of z
            let h = HuberLoss.derivative(r, delta: o.huberDelta)
            ga += h * w; ge += h * (1 - w); gal -= h * w * o.logN[j]
        }
        let b = o.bounds
        if t.alpha > b.alphaMax { total += t.alpha - b.alphaMax; gal += 1 }
        if t.alpha < b.alphaFloor { total -= t.alpha; gal -= 1 } else { total -= b.alphaFloor }
        if t.a > b.aMax { total += t.a - b.aMax; ga += 1 }
        if t.e < b.eMin { total += b.eMin - t.e; ge -= 1 }
        if o.betaPenalty != 0 { let p = o.betaPenalty * Foundation.exp(t.a); total += p; ga += p }
        return (total, ga, ge, gal)
    }

    @Test(arguments: [1, 7, 8, 9, 203])   // point counts around the SIMD width, and a long history
    func matchesScalarReference(points: Int) {
        var rng = SeededRandom(seed: UInt64(points))
        let counts = (0..<points).map { Double(64 * (10 + 3 * $0)) }
        let losses = counts.map { (0.8 + 9 * Foundation.pow($0, -0.28)) * (1 + 0.02 * rng.nextGaussian()) }
        for delta in [1e-3, 0.05] {
            let o = ScalingLawObjective(counts: counts, losses: losses, bounds: .byteLevel, huberDelta: delta, betaPenalty: 1e-4)
            // Starts of the official grid and random points, including both signs of z - e and penalised regions.
            var thetas = ScalingLawStartGrid.coarse.starts
            for _ in 0..<50 {
                thetas.append(ScalingLaw(a: Double.random(in: -2...8, using: &rng), e: Double.random(in: -4...2, using: &rng),
                                         alpha: Double.random(in: -0.2...1.2, using: &rng)))
            }
            for t in thetas {
                let (v, g) = o.valueAndGradient(t)
                let (rv, rga, rge, rgal) = Self.scalarReference(o, t)
                #expect(Swift.abs(v - rv) <= 1e-12 * Swift.max(1, Swift.abs(rv)), "J at \(t)")
                #expect(Swift.abs(o.value(t) - v) == 0)
                for (x, y) in [(g.a, rga), (g.e, rge), (g.alpha, rgal)] {
                    #expect(Swift.abs(x - y) <= 1e-12 * Swift.max(1, Swift.abs(y)), "gradient at \(t)")
                }
            }
        }
    }

    @Test func expAndLogMatchLibm() {
        var worstExp = 0.0, worstLog = 0.0
        var x = -740.0
        while x <= 0 {
            let v = ScalingLawMath.expNonPositive(SIMD8(x, x / 3, x / 100, x / 1e4, x / 7, x / 50, x / 1e3, x / 2))
            for (i, xi) in [x, x / 3, x / 100, x / 1e4, x / 7, x / 50, x / 1e3, x / 2].enumerated() where xi >= -708 {
                let ref = Foundation.exp(xi)
                worstExp = Swift.max(worstExp, Swift.abs(v[i] - ref) / ref)
            }
            x += 0.37
        }
        var u = 0.0
        while u <= 1 {
            let v = ScalingLawMath.logOnePlus(SIMD8(u, u * 0.5, u * 1e-3, 1 - u, u * 0.25, u * 1e-6, u * 0.9, u * 0.1))
            for (i, ui) in [u, u * 0.5, u * 1e-3, 1 - u, u * 0.25, u * 1e-6, u * 0.9, u * 0.1].enumerated() {
                let ref = Foundation.log(1 + ui)   // what the objective computed before: log of the rounded 1 + u
                worstLog = Swift.max(worstLog, Swift.abs(v[i] - ref) / Swift.max(ref, 1e-300))
            }
            u += 1.0 / 4096
        }
        #expect(worstExp < 1e-15, "exp relative error \(worstExp)")
        #expect(worstLog < 1e-15, "log relative error \(worstLog)")
        #expect(ScalingLawMath.expNonPositive(SIMD8(repeating: -1e6))[0] < 1e-300)
        #expect(ScalingLawMath.expNonPositive(SIMD8(repeating: 0))[0] == 1)
        #expect(ScalingLawMath.logOnePlus(SIMD8(repeating: 0))[0] == 0)
    }
}
