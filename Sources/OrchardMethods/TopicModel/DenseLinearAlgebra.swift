import CBLAS

/// Row-major dense helpers for the topic model: a BLAS product and a small SPD solver (r×r systems).
public enum DenseLinearAlgebra {
    /// C (m×n) = op(A) · op(B), all row-major; op(A) is m×k, op(B) is k×n.
    static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int,
                         transposeA: Bool = false, transposeB: Bool = false) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        guard m > 0, n > 0, k > 0 else { return c }
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1.0, a, Int32(transposeA ? m : k), b, Int32(transposeB ? k : n),
                    0.0, &c, Int32(n))
        return c
    }

    /// Solves S X = B for symmetric positive-definite S (r×r) and B (r×c), by Cholesky.
    static func solveSPD(_ s: [Double], _ b: [Double], size r: Int, columns c: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: r * r)
        let scale = (0..<r).map { abs(s[$0 * r + $0]) }.max() ?? 0
        for i in 0..<r {
            for j in 0...i {
                var sum = s[i * r + j]
                for k in 0..<j { sum -= l[i * r + k] * l[j * r + k] }
                if i == j {
                    guard sum > 1e-14 * max(scale, 1e-300) else {
                        throw TopicModelError.singularMatrix("Cholesky pivot \(i) is \(sum) (matrix scale \(scale))")
                    }
                    l[i * r + i] = sum.squareRoot()
                } else {
                    l[i * r + j] = sum / l[j * r + j]
                }
            }
        }
        var x = b
        for col in 0..<c {
            for i in 0..<r {  // forward: L y = b
                var sum = x[i * c + col]
                for k in 0..<i { sum -= l[i * r + k] * x[k * c + col] }
                x[i * c + col] = sum / l[i * r + i]
            }
            for i in stride(from: r - 1, through: 0, by: -1) {  // backward: Lᵀ x = y
                var sum = x[i * c + col]
                for k in (i + 1)..<r { sum -= l[k * r + i] * x[k * c + col] }
                x[i * c + col] = sum / l[i * r + i]
            }
        }
        return x
    }

    /// ‖a‖_F = √Σ a_i².
    public static func frobeniusNorm(_ a: [Double]) -> Double { a.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// ‖a − b‖_F (same count).
    public static func frobeniusDistance(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var s = 0.0
        for i in a.indices { let d = a[i] - b[i]; s += d * d }
        return s.squareRoot()
    }
}
