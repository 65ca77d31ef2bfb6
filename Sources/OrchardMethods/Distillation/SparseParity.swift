import OrchardTensor

/// (n, k)-sparse parity (progressive-distillation paper, Def. 3.1; spec algorithms-1 §4.1): x ~ Uniform{−1, +1}ⁿ, a
/// support S ⊂ {0, …, n−1} with |S| = k, χ_S(x) = Π_{i∈S} xᵢ. As a 2-class problem the label is class 1 iff
/// χ_S(x) = −1 (class 0 iff +1).
public struct SparseParity: Sendable, Hashable, Codable {
    public let n: Int
    public let k: Int
    /// The support, ascending.
    public let support: [Int]

    public enum TaskError: Error, Equatable, CustomStringConvertible {
        case invalid(String)
        public var description: String { if case .invalid(let m) = self { return m }; return "" }
    }

    /// The support is the first k coordinates (the reference code's default), or k coordinates drawn with `supportSeed`.
    public init(n: Int, k: Int, supportSeed: UInt64? = nil) throws {
        guard n >= 1, n <= 4096 else { throw TaskError.invalid("n must be in 1...4096") }
        guard k >= 1, k <= n else { throw TaskError.invalid("k must be in 1...n") }
        self.n = n; self.k = k
        if let seed = supportSeed {
            var rng = SeededRandom(seed: seed)
            var idx = Array(0..<n)
            for i in 0..<k { idx.swapAt(i, i + rng.nextInt(below: n - i)) }   // partial Fisher–Yates
            support = idx.prefix(k).sorted()
        } else {
            support = Array(0..<k)
        }
    }

    /// χ_S′(x) for one example (x: n values in {−1, +1}).
    @inlinable public static func character(_ subset: [Int], _ x: UnsafePointer<Float>) -> Float {
        var v: Float = 1
        for i in subset { v *= x[i] }
        return v
    }

    /// The label of one example: 1 iff χ_S(x) = −1.
    public func label(_ x: UnsafePointer<Float>) -> Int32 { Self.character(support, x) < 0 ? 1 : 0 }

    /// `count` fresh examples: inputs count × n in {−1, +1} (row-major) and their labels.
    public func sample(count: Int, random rng: inout SeededRandom) -> (inputs: [Float], labels: [Int32]) {
        var inputs = [Float](repeating: 0, count: count * n), labels = [Int32](repeating: 0, count: count)
        inputs.withUnsafeMutableBufferPointer { x in
            for e in 0..<count {
                var bits: UInt64 = 0, left = 0
                for i in 0..<n {
                    if left == 0 { bits = rng.next(); left = 64 }
                    x[e * n + i] = bits & 1 == 1 ? 1 : -1
                    bits >>= 1; left -= 1
                }
                labels[e] = label(x.baseAddress! + e * n)
            }
        }
        return (inputs, labels)
    }
}
