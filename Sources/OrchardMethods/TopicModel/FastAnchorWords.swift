import OrchardTensor

/// FastAnchorWords, Gram–Schmidt version (spec §1.3; Arora et al. 2013 Alg. 4; ankura `gram_schmidt_anchors`).
/// Picks r anchor words among the candidates as the vertices of the convex hull of the row-normalised
/// co-occurrence rows, greedily by largest residual after projecting out the span of those chosen.
/// Ties go to the lowest word id, so the result is a deterministic function of (Q̄, candidates, seed).
/// The optional cleanup step (Alg. 4 step 5) is not implemented, as in ankura.
public enum FastAnchorWords {
    /// - Parameters:
    ///   - rowNormalized: Q̄ (n×n row-major), rows are P(w₂ | w₁).
    ///   - candidates: candidate word ids in increasing order.
    ///   - projectionDimension: nil = use the rows as they are (exactly reproducible).
    /// - Returns: r word ids in selection order.
    public static func select(rowNormalized: [Double], vocabularySize n: Int, candidates: [Int], topicCount r: Int,
                              projectionDimension: Int?, projectionSeed: UInt64) throws -> [Int] {
        guard candidates.count >= r else { throw TopicModelError.tooFewAnchorCandidates(candidates: candidates.count, topics: r) }
        let c = candidates.count
        var rows: [Double]
        let d: Int
        if let dim = projectionDimension {
            d = dim
            let candidateRows = candidates.flatMap { rowNormalized[($0 * n)..<($0 * n + n)] }
            rows = DenseLinearAlgebra.multiply(candidateRows, achlioptasProjection(rows: n, columns: dim, seed: projectionSeed),
                                               m: c, k: n, n: dim)
        } else {
            d = n
            rows = candidates.flatMap { rowNormalized[($0 * n)..<($0 * n + n)] }
        }

        func squaredNorm(_ i: Int) -> Double {
            var s = 0.0
            for t in 0..<d { let v = rows[i * d + t]; s += v * v }
            return s
        }
        /// Strictly-greater scan over increasing candidate index: the lowest word id wins ties.
        func argmaxNorm() -> (Int, Double) {
            var best = 0, bestValue = -1.0
            for i in 0..<c { let v = squaredNorm(i); if v > bestValue { best = i; bestValue = v } }
            return (best, bestValue)
        }

        var chosen: [Int] = []
        let (first, _) = argmaxNorm()
        chosen.append(first)
        // Translate every candidate row (including the first anchor's) so the first anchor is the origin.
        let origin = Array(rows[(first * d)..<(first * d + d)])
        for i in 0..<c { for t in 0..<d { rows[i * d + t] -= origin[t] } }

        var (next, nextNorm) = argmaxNorm()
        guard nextNorm > 0 else { throw TopicModelError.degenerateAnchors("all candidate rows are identical") }
        chosen.append(next)
        var basis = (0..<d).map { rows[next * d + $0] / nextNorm.squareRoot() }

        while chosen.count < r {
            // Stabilised Gram–Schmidt: remove each row's component along the newest basis vector.
            for i in 0..<c {
                var dot = 0.0
                for t in 0..<d { dot += rows[i * d + t] * basis[t] }
                for t in 0..<d { rows[i * d + t] -= dot * basis[t] }
            }
            (next, nextNorm) = argmaxNorm()
            guard nextNorm > 1e-300 else {
                throw TopicModelError.degenerateAnchors("candidate rows span only \(chosen.count) dimensions, need \(r)")
            }
            chosen.append(next)
            basis = (0..<d).map { rows[next * d + $0] / nextNorm.squareRoot() }
        }
        return chosen.map { candidates[$0] }
    }

    /// Achlioptas projection: entries √3·{+1 w.p. 1/6, 0 w.p. 2/3, −1 w.p. 1/6}, n×dim row-major.
    public static func achlioptasProjection(rows n: Int, columns dim: Int, seed: UInt64) -> [Double] {
        var g = SeededRandom(seed: seed)
        let s = 3.0.squareRoot()
        return (0..<(n * dim)).map { _ in
            switch g.next() % 6 {
            case 0: return s
            case 1: return -s
            default: return 0
            }
        }
    }
}
