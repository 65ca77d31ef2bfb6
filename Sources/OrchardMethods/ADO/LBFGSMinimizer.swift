import Foundation

/// Limited-memory BFGS for the 3-parameter scaling-law fit, with a backtracking Armijo line search.
/// jaxopt (official) uses a zoom line search; on this smooth-plus-kinks objective either reaches the
/// same minimum, and backtracking is simpler to make robust around the penalty kinks.
public struct LBFGSMinimizer: Sendable {
    /// Stop when the gradient's L2 norm falls below this (jaxopt `tol`, official 1e-5).
    public var tolerance: Double
    /// Iteration cap (official `maxiter` 200).
    public var maxIterations: Int
    /// Curvature pairs kept.
    public var memory: Int
    /// Also stop when J fell by less than `relativeTolerance·|J|` over the last 10 iterations. The fit's
    /// Huber δ = 1e-3 makes J almost L1, where L-BFGS creeps along kinks long after the parameters have
    /// settled; this ends that creep (ours; jaxopt stops on the gradient norm only).
    public var relativeTolerance: Double

    public init(tolerance: Double = 1e-5, maxIterations: Int = 200, memory: Int = 10, relativeTolerance: Double = 1e-5) {
        self.tolerance = tolerance; self.maxIterations = maxIterations; self.memory = memory
        self.relativeTolerance = relativeTolerance
    }

    public struct Result: Sendable {
        public var x: SIMD3<Double>
        public var value: Double
        public var iterations: Int
        public var evaluations: Int
    }

    /// Minimises `f` (returning value and gradient) from `start`. Never returns a point worse than `start`.
    public func minimize(from start: SIMD3<Double>,
                         _ f: (SIMD3<Double>) -> (Double, SIMD3<Double>)) -> Result {
        var x = start
        var (fx, g) = f(x)
        var evaluations = 1
        guard fx.isFinite, all(g: g) else { return Result(x: x, value: fx, iterations: 0, evaluations: 1) }
        var ss: [SIMD3<Double>] = [], ys: [SIMD3<Double>] = [], rhos: [Double] = []
        ss.reserveCapacity(memory); ys.reserveCapacity(memory); rhos.reserveCapacity(memory)
        var alphas = [Double](repeating: 0, count: memory)
        var iteration = 0
        var recent: [Double] = [fx]
        while iteration < maxIterations {
            if (g * g).sum().squareRoot() <= tolerance { break }
            // Two-loop recursion: d = -H g.
            var q = g
            for i in stride(from: ss.count - 1, through: 0, by: -1) {
                alphas[i] = rhos[i] * (ss[i] * q).sum()
                q -= alphas[i] * ys[i]
            }
            if let s = ss.last, let y = ys.last {
                q *= (s * y).sum() / (y * y).sum()
            } else {
                q /= Swift.max(1, (g * g).sum().squareRoot())   // first step: unit length
            }
            for i in 0..<ss.count {
                let beta = rhos[i] * (ys[i] * q).sum()
                q += (alphas[i] - beta) * ss[i]
            }
            var d = -q
            var slope = (g * d).sum()
            if !(slope < 0) {   // not a descent direction (kinks): restart from steepest descent
                ss.removeAll(); ys.removeAll(); rhos.removeAll()
                d = -g / Swift.max(1, (g * g).sum().squareRoot())
                slope = (g * d).sum()
            }
            // Backtracking Armijo.
            var step = 1.0
            var accepted = false
            var xNew = x, fNew = fx, gNew = g
            for _ in 0..<40 {
                xNew = x + step * d
                (fNew, gNew) = f(xNew)
                evaluations += 1
                if fNew.isFinite && fNew <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            iteration += 1
            guard accepted, all(g: gNew) else { break }
            let s = xNew - x, y = gNew - g
            let sy = (s * y).sum()
            if sy > 1e-12 {
                if ss.count == memory { ss.removeFirst(); ys.removeFirst(); rhos.removeFirst() }
                ss.append(s); ys.append(y); rhos.append(1 / sy)
            }
            let improvement = fx - fNew
            x = xNew; fx = fNew; g = gNew
            if improvement <= 1e-15 * Swift.max(1, Swift.abs(fx)) { break }
            recent.append(fx)
            if recent.count > 10 {
                recent.removeFirst()
                if recent[0] - fx <= relativeTolerance * Swift.abs(fx) { break }
            }
        }
        return Result(x: x, value: fx, iterations: iteration, evaluations: evaluations)
    }

    private func all(g: SIMD3<Double>) -> Bool { g.x.isFinite && g.y.isFinite && g.z.isFinite }
}
