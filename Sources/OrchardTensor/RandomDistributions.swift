import Foundation

/// The distributions the package draws from, on any generator (in practice `SeededRandom`; the topic model's
/// default releases use the system generator). One place for them, so every caller draws the same way.
/// The formulas are fixed: GPT and MLP initialisation (`nextNormal`), the trainer's windows (`nextInt`) and the
/// mixture sampler (`nextDouble`) must reproduce saved runs bit for bit.
extension RandomNumberGenerator {
    /// Uniform in [0, 1) with 24 random bits (the top bits of one draw): exactly representable as Float.
    @inlinable public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 random bits (the top bits of one draw).
    @inlinable public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform in (0, 1): (k + 1/2) / 2^53 for 53 random bits k, never exactly 0 or 1, so logs and powers are finite.
    @inlinable public mutating func nextOpenUnit() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }

    /// Uniform integer in 0..<bound (bound > 0): one draw modulo bound (bias ≤ bound / 2^64).
    @inlinable public mutating func nextInt(below bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Standard normal by Box–Muller, one value per two uniform draws (the cosine branch):
    /// z = √(−2 ln u1) · cos(2π u2), u1 = max(nextDouble(), 1e-300) so the log is finite.
    @inlinable public mutating func nextGaussian() -> Double {
        let u1 = Swift.max(nextDouble(), 1e-300), u2 = nextDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// `nextGaussian()` rounded to Float (parameter initialisation).
    @inlinable public mutating func nextNormal() -> Float { Float(nextGaussian()) }

    /// Gamma(shape, 1) by Marsaglia–Tsang (d = shape − 1/3, c = 1/√(9d); accept v = (1 + c·x)³ when
    /// ln u < x²/2 + d − d·v + d·ln v), with the U^(1/shape) boost for shape < 1. shape > 0.
    @inlinable public mutating func nextGamma(shape: Double) -> Double {
        if shape < 1 {
            return nextGamma(shape: shape + 1) * pow(nextOpenUnit(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = nextGaussian(); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = nextOpenUnit()
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// Symmetric Dirichlet(α·1) of dimension k: k Gamma(α) draws normalised to sum 1 (if all underflow to 0,
    /// a uniformly chosen vertex).
    @inlinable public mutating func nextDirichlet(alpha: Double, count k: Int) -> [Double] {
        var x = (0..<k).map { _ in nextGamma(shape: alpha) }
        var s = x.reduce(0, +)
        if s == 0 { x[nextInt(below: k)] = 1; s = 1 }
        return x.map { $0 / s }
    }

    /// An index drawn from a discrete distribution given by its cumulative sums (non-decreasing, last > 0; need
    /// not be normalised): the first i with cumulative[i] ≥ u · cumulative.last, u uniform in (0, 1).
    @inlinable public mutating func nextCategorical(cumulative: [Double]) -> Int {
        let u = nextOpenUnit() * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
