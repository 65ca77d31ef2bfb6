/// The implicit-curriculum probe (spec algorithms-1 §4.4): corr(S′) = |E_x[χ_S′(x)·p₁(x)]| over a sample, where p₁ is
/// a model's probability of class 1. For the exact predictor p₁ = 1[χ_S = −1], corr(S) = 0.5 and every monomial of lower
/// degree is orthogonal to it; a checkpoint inside the phase transition correlates with the in-support coordinates.
/// With N examples the noise floor of |E[χ·p₁]| is about 0.5/√N.
public enum FourierProbe {
    /// |mean over examples of χ_S′(x)·p₁(x)|; inputs: count × n.
    public static func correlation(subset: [Int], inputs: [Float], n: Int, p1: [Float]) -> Double {
        precondition(inputs.count == p1.count * n, "inputs must be p1.count × n")
        guard !p1.isEmpty else { return 0 }
        var sum = 0.0
        inputs.withUnsafeBufferPointer { x in
            for e in 0..<p1.count { sum += Double(SparseParity.character(subset, x.baseAddress! + e * n)) * Double(p1[e]) }
        }
        return abs(sum / Double(p1.count))
    }

    public struct DegreeOne: Sendable, Hashable, Codable {
        /// Mean |corr({i})| over i ∈ S, and over i ∉ S (0 when every coordinate is in S).
        public var in_support: Double
        public var off_support: Double
        /// |corr(S)|: the full parity.
        public var full_support: Double
        /// 0.5/√N.
        public var noise_floor: Double
    }

    /// Degree-1 correlations of every coordinate, averaged in and off the support, and the full parity's.
    public static func degreeOne(task: SparseParity, inputs: [Float], p1: [Float]) -> DegreeOne {
        let inS = Set(task.support)
        var on = 0.0, off = 0.0
        for i in 0..<task.n {
            let c = correlation(subset: [i], inputs: inputs, n: task.n, p1: p1)
            if inS.contains(i) { on += c } else { off += c }
        }
        return DegreeOne(in_support: on / Double(task.k), off_support: task.n > task.k ? off / Double(task.n - task.k) : 0,
                         full_support: correlation(subset: task.support, inputs: inputs, n: task.n, p1: p1),
                         noise_floor: 0.5 / Double(max(1, p1.count)).squareRoot())
    }
}
