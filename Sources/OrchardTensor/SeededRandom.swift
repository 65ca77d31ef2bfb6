import Foundation

/// The package's one seeded generator: xoshiro256** (Blackman & Vigna), its four state words filled by
/// SplitMix64 from the seed. Fast, the same stream on every platform, and its whole state is four UInt64s,
/// so a checkpoint can save it and resume the exact stream (`state` / `init(state:)`, or Codable).
///
/// Every seeded draw of the engine goes through it: GPT and MLP initialisation, the trainer's windows, token
/// sampling, the mixture sampler's domain draws and epoch permutations, and the topic model's projections,
/// synthetic corpora, forget sets and noise. Distributions built on it: `RandomDistributions.swift`.
///
/// Codable form: four 16-digit lower-case hex strings (a UInt64 does not survive every JSON reader as a
/// number); this is the format of the mixture sampler's `generator` in pretrain checkpoints.
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// s0...s3 of xoshiro256**; never all zero.
    public private(set) var state: [UInt64]

    /// state[i] = the (i+1)-th SplitMix64 output from `seed`. SplitMix64's output function is a bijection of
    /// its counter, and the four counters differ, so at most one word is zero: the state is always valid.
    public init(seed: UInt64) {
        var s = seed
        var st = [UInt64](repeating: 0, count: 4)
        for i in 0..<4 { st[i] = Self.splitMix(&s) }
        state = st
    }

    /// An independent stream for a labelled purpose (e.g. one domain's epoch permutation), so it does not
    /// depend on how much of any other stream was used. Derivation (fixed: pretraining checkpoints and
    /// lineage depend on it): h = seed ^ 0x9E3779B97F4A7C15; for each label l, h = splitMix(h ^ (l · 0xBF58476D1CE4E5B9))
    /// (splitMix advancing a copy of that value, wrapping arithmetic); then `init(seed: h)`.
    public init(seed: UInt64, stream labels: [UInt64]) {
        var h = seed ^ 0x9E37_79B9_7F4A_7C15
        for l in labels {
            var x = h ^ (l &* 0xBF58_476D_1CE4_E5B9)
            h = Self.splitMix(&x)
        }
        self.init(seed: h)
    }

    /// Restores a saved state (4 words, not all zero).
    public init(state: [UInt64]) throws {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else {
            throw EngineError.invalidArgument("random state must be 4 words, not all zero")
        }
        self.state = state
    }

    /// SplitMix64 (Steele, Lea & Flood): advances `s` by the golden-ratio increment and returns the mixed value.
    static func splitMix(_ s: inout UInt64) -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// xoshiro256**: result = rotl(s1 · 5, 7) · 9, then the linear state transition.
    public mutating func next() -> UInt64 {
        let result = ((state[1] &* 5) << 7 | (state[1] &* 5) >> 57) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = state[3] << 45 | state[3] >> 19
        return result
    }

    public init(from decoder: Decoder) throws {
        let words = try decoder.singleValueContainer().decode([String].self)
        let parsed = words.compactMap { UInt64($0, radix: 16) }
        guard parsed.count == 4, words.count == 4, parsed.contains(where: { $0 != 0 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "generator state must be four hex words, not all zero"))
        }
        state = parsed
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(state.map(Self.hexWord))
    }

    /// A state word as 16 lower-case hex digits (how checkpoints store generator state).
    public static func hexWord(_ w: UInt64) -> String {
        let s = String(w, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
