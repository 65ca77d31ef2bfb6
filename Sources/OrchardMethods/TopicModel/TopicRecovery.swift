import Foundation

/// RecoverL2 / RecoverKL (spec §1.4; Arora et al. 2013 Alg. 3; ankura `recover_topics`): each word's
/// row of Q̄ is written as a convex combination c_i of the anchor rows, then Bayes' rule turns
/// P(topic | word) into the column-stochastic topic–word matrix A.
public enum TopicRecovery {
    /// Word marginals p_w[i] = Σ_j Q̂[i,j]; NaN or 0 becomes 1e-16 (spec §1.4 step 1).
    public static func wordMarginals(_ q: [Double], vocabularySize n: Int) -> [Double] {
        (0..<n).map { i in
            var s = 0.0
            for j in 0..<n { s += q[i * n + j] }
            return (s.isNaN || s == 0) ? 1e-16 : s
        }
    }

    /// Q̄ = diag(p_w)⁻¹ Q̂.
    public static func rowNormalize(_ q: [Double], marginals: [Double], vocabularySize n: Int) -> [Double] {
        var out = q
        for i in 0..<n { let inv = 1 / marginals[i]; for j in 0..<n { out[i * n + j] *= inv } }
        return out
    }

    public struct Output: Sendable {
        /// A, n×r row-major, columns sum to 1.
        public var topicWord: [Double]
        /// c_i = P(topic | word i), n×r row-major.
        public var wordTopicPosterior: [Double]
        public var maxSolverIterations: Int
    }

    /// - Parameters:
    ///   - rowNormalized: Q̄ (n×n); `marginals`: p_w; `anchors`: r word ids.
    public static func recover(rowNormalized qbar: [Double], marginals: [Double], vocabularySize n: Int,
                               anchors: [Int], objective: TopicRecoveryObjective,
                               tolerance: Double, maxIterations: Int) throws -> Output {
        let r = anchors.count
        let x = anchors.flatMap { qbar[($0 * n)..<($0 * n + n)] }                     // r×n
        let gram = DenseLinearAlgebra.multiply(x, x, m: r, k: n, n: r, transposeB: true)  // XXᵀ
        let xy = objective == .l2
            ? DenseLinearAlgebra.multiply(x, qbar, m: r, k: n, n: n, transposeB: true)   // column i = X y_i
            : []
        var posterior = [Double](repeating: 0, count: n * r)
        let chunks = 2 * ProcessInfo.processInfo.activeProcessorCount
        var iterations = [Int](repeating: 0, count: chunks)
        iterations.withUnsafeMutableBufferPointer { iterationsBuffer in
        posterior.withUnsafeMutableBufferPointer { postBuffer in
            // Words are independent problems: split them over the cores; results do not depend on the split.
            let post = SharedBuffer(postBuffer), iterationsPerChunk = SharedBuffer(iterationsBuffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var word = chunk
                var maxIter = 0
                while word < n {
                    let result: ExponentiatedGradient.Result
                    switch objective {
                    case .l2:
                        var yy = 0.0
                        for j in 0..<n { let v = qbar[word * n + j]; yy += v * v }
                        let f = ExponentiatedGradient.SquaredDistance(gram: gram, projected: (0..<r).map { xy[$0 * n + word] }, yy: yy)
                        result = ExponentiatedGradient.minimize(f, tolerance: tolerance, maxIterations: maxIterations)
                    case .kl:
                        var support: [Int] = []
                        for j in 0..<n where qbar[word * n + j] > 0 { support.append(j) }
                        let cols = (0..<r).flatMap { k in support.map { x[k * n + $0] } }
                        let f = ExponentiatedGradient.KLDivergence(supportColumns: cols, supportValues: support.map { qbar[word * n + $0] })
                        result = support.isEmpty
                            ? ExponentiatedGradient.Result(weights: [Double](repeating: 1 / Double(r), count: r), iterations: 0, dualityGap: 0)
                            : ExponentiatedGradient.minimize(f, tolerance: tolerance, maxIterations: maxIterations)
                    }
                    for k in 0..<r { post[word * r + k] = result.weights[k] }
                    maxIter = max(maxIter, result.iterations)
                    word += chunks
                }
                iterationsPerChunk[chunk] = maxIter
            }
        }
        }
        // Bayes: A'[i,k] = p_w[i] c_i[k], then normalise each column.
        var a = [Double](repeating: 0, count: n * r)
        var columnSums = [Double](repeating: 0, count: r)
        for i in 0..<n { for k in 0..<r { let v = marginals[i] * posterior[i * r + k]; a[i * r + k] = v; columnSums[k] += v } }
        for k in 0..<r {
            guard columnSums[k] > 0, columnSums[k].isFinite else { throw TopicModelError.degenerateAnchors("topic \(k) received no mass") }
        }
        for i in 0..<n { for k in 0..<r { a[i * r + k] /= columnSums[k] } }
        return Output(topicWord: a, wordTopicPosterior: posterior, maxSolverIterations: iterations.max() ?? 0)
    }
}

/// A buffer written by disjoint indices from concurrent workers (each index by exactly one worker).
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<T>
    init(_ base: UnsafeMutableBufferPointer<T>) { self.base = base }
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
