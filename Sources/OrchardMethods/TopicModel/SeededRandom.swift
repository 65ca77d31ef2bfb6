import Foundation

/// A small deterministic generator (SplitMix64) so every seeded step of the topic-model code
/// (projections, synthetic corpora, calibration forget sets, test noise) is reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Distributions used by the mechanism and the synthetic corpus, on any generator.
public enum RandomDraws {
    /// Uniform in (0, 1): never exactly 0, so logs are finite.
    public static func unitOpen<G: RandomNumberGenerator>(_ g: inout G) -> Double {
        (Double(g.next() >> 11) + 0.5) / 9_007_199_254_740_992.0
    }

    /// Standard normal by Box–Muller.
    public static func standardNormal<G: RandomNumberGenerator>(_ g: inout G) -> Double {
        let u1 = unitOpen(&g), u2 = unitOpen(&g)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Gamma(shape, 1) by Marsaglia–Tsang, with the U^(1/a) boost for shape < 1.
    public static func gamma<G: RandomNumberGenerator>(shape: Double, _ g: inout G) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1, &g) * pow(unitOpen(&g), 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = standardNormal(&g); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = unitOpen(&g)
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// Dirichlet(α·1) of dimension k.
    public static func dirichlet<G: RandomNumberGenerator>(alpha: Double, count k: Int, _ g: inout G) -> [Double] {
        var x = (0..<k).map { _ in gamma(shape: alpha, &g) }
        var s = x.reduce(0, +)
        if s == 0 { x[Int(g.next() % UInt64(k))] = 1; s = 1 }
        return x.map { $0 / s }
    }

    /// Index drawn from a discrete distribution given by its cumulative sums (last entry ≈ 1).
    public static func categorical<G: RandomNumberGenerator>(cumulative: [Double], _ g: inout G) -> Int {
        let u = unitOpen(&g) * cumulative[cumulative.count - 1]
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
