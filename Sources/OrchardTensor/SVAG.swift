/// Stochastic Variance Amplified Gradient (Li, Malladi & Arora 2021), as used by Wang et al. 2023 (§5.3 of the
/// algorithms spec): from two independent minibatch gradients g¹, g² of the same size,
///   g_ℓ = a·g¹ + b·g²,  a = (1 + √(2ℓ−1))/2,  b = (1 − √(2ℓ−1))/2,
/// so a + b = 1 (the mean is unchanged) and a² + b² = ℓ (the covariance is multiplied by ℓ). Run with lr η/ℓ for
/// ℓ× as many steps, it has the same SDE limit as SGD at lr η with the plain gradient.
public enum SVAG {
    /// (a, b) for ℓ ≥ 1; ℓ = 1 gives (1, 0), the plain gradient.
    public static func coefficients(ell: Double) throws -> (first: Double, second: Double) {
        guard ell >= 1, ell.isFinite else { throw EngineError.invalidArgument("SVAG needs a finite ℓ ≥ 1, got \(ell)") }
        let s = (2 * ell - 1).squareRoot()
        return ((1 + s) / 2, (1 - s) / 2)
    }

    /// out[i] = a·first[i] + b·second[i] over `count` values (out may alias first or second).
    public static func combine(out: UnsafeMutablePointer<Float>, first: UnsafePointer<Float>, second: UnsafePointer<Float>,
                               count: Int, ell: Double) throws {
        let (a, b) = try coefficients(ell: ell)
        let fa = Float(a), fb = Float(b)
        for i in 0..<count { out[i] = fa * first[i] + fb * second[i] }
    }
}
