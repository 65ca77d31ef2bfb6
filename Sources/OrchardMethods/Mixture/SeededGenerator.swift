import Foundation

/// xoshiro256** seeded through SplitMix64: fast, deterministic on every platform, and its whole state is
/// four words, so it can be saved in a checkpoint and restored exactly. JSON: four 16-digit hex strings
/// (UInt64 does not survive every JSON reader as a number).
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var sm = seed
        state = (0..<4).map { _ in Self.splitMix(&sm) }
        if state.allSatisfy({ $0 == 0 }) { state[0] = 1 }
    }

    /// An independent stream for a labelled purpose (e.g. one domain's epoch permutation):
    /// seeded from a hash of (seed, labels), so it does not depend on how much of any other stream was used.
    public init(seed: UInt64, stream labels: [UInt64]) {
        var h = seed ^ 0x9E37_79B9_7F4A_7C15
        for l in labels {
            var x = h ^ (l &* 0xBF58_476D_1CE4_E5B9)
            h = Self.splitMix(&x)
        }
        self.init(seed: h)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A standard normal draw (Box–Muller), for synthetic data in checks.
    public mutating func nextGaussian() -> Double {
        let u1 = Swift.max(nextUnit(), 0x1p-60), u2 = nextUnit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public init(from decoder: Decoder) throws {
        let words = try decoder.singleValueContainer().decode([String].self)
        let parsed = words.compactMap { UInt64($0, radix: 16) }
        guard parsed.count == 4, words.count == 4, parsed.contains(where: { $0 != 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "generator state must be four non-zero-in-total hex words"))
        }
        state = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(state.map { w -> String in
            let s = String(w, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        })
    }
}
