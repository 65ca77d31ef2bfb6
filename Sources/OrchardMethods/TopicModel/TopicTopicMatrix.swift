/// The topic–topic moment matrix R̂ (spec §1.4 step 6) and the pseudo-inverse A^† it is built from,
/// which also maps a document's word frequencies to topic proportions θ̂ = A^† h̄ (spec §1.7).
public enum TopicTopicMatrix {
    /// A^† = (AᵀA)⁻¹Aᵀ, r×n row-major, for A n×r of full column rank.
    public static func pseudoInverse(_ a: [Double], vocabularySize n: Int, topicCount r: Int) throws -> [Double] {
        let ata = DenseLinearAlgebra.multiply(a, a, m: r, k: n, n: r, transposeA: true)
        var at = [Double](repeating: 0, count: r * n)
        for i in 0..<n { for k in 0..<r { at[k * n + i] = a[i * r + k] } }
        return try DenseLinearAlgebra.solveSPD(ata, at, size: r, columns: n)
    }

    /// R̂ = A^† Q̂ (A^†)ᵀ.
    public static func byPseudoInverse(q: [Double], pseudoInverse p: [Double], vocabularySize n: Int, topicCount r: Int) -> [Double] {
        let pq = DenseLinearAlgebra.multiply(p, q, m: r, k: n, n: n)
        return DenseLinearAlgebra.multiply(pq, p, m: r, k: n, n: r, transposeB: true)
    }

    /// R̂ = D⁻¹ Q̂[S,S] D⁻¹ with D = diag(A[s_k, k]).
    public static func byAnchorBlock(q: [Double], topicWord a: [Double], anchors: [Int], vocabularySize n: Int) -> [Double] {
        let r = anchors.count
        var out = [Double](repeating: 0, count: r * r)
        for k in 0..<r {
            for l in 0..<r {
                out[k * r + l] = q[anchors[k] * n + anchors[l]] / (a[anchors[k] * r + k] * a[anchors[l] * r + l])
            }
        }
        return out
    }
}
