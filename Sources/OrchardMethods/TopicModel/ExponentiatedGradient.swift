import Foundation

/// Exponentiated-gradient solver over the probability simplex Δ_r, following ankura's
/// `_exponentiated_gradient` (spec §1.4 step 4): log-space steps, Armijo backtracking (c1 = 1e-4),
/// step doubling (c2 = 0.75) and a duality-gap stopping rule.
public enum ExponentiatedGradient {
    public static let armijoC1 = 1e-4
    public static let curvatureC2 = 0.75

    /// An objective on the simplex: value and gradient at c.
    public protocol Objective {
        var dimension: Int { get }
        func value(_ c: [Double]) -> Double
        func gradient(_ c: [Double]) -> [Double]
        /// Both at once; objectives override it when the two share work (the L2 form shares XXᵀc).
        func evaluate(_ c: [Double]) -> (value: Double, gradient: [Double])
    }

    public struct Result: Sendable {
        public var weights: [Double]
        public var iterations: Int
        public var dualityGap: Double
    }

    public static func minimize<O: Objective>(_ f: O, tolerance: Double, maxIterations: Int) -> Result {
        let r = f.dimension
        var alpha = [Double](repeating: 1 / Double(r), count: r)
        var logAlpha = alpha.map { log($0) }
        var (objective, grad) = f.evaluate(alpha)
        var step = 1.0
        var decreased = false
        var gap = Double.infinity
        var iterations = 0

        while gap >= tolerance && iterations < maxIterations {
            iterations += 1
            if objective == 0 || step == 0 { break }
            let oldAlpha = alpha, oldLog = logAlpha, oldObjective = objective
            for k in 0..<r { logAlpha[k] -= step * grad[k] }
            let lse = logSumExp(logAlpha)
            for k in 0..<r { logAlpha[k] -= lse; alpha[k] = exp(logAlpha[k]) }

            let (newObjective, newGrad) = f.evaluate(alpha)
            var gradDotMove = 0.0
            for k in 0..<r { gradDotMove += grad[k] * (alpha[k] - oldAlpha[k]) }
            if !(newObjective < oldObjective + armijoC1 * step * gradDotMove) {  // also rejects NaN
                step /= 2
                alpha = oldAlpha; logAlpha = oldLog
                decreased = true
                continue
            }
            var newDot = 0.0
            for k in 0..<r { newDot += newGrad[k] * (alpha[k] - oldAlpha[k]) }
            if !decreased && newDot < curvatureC2 * gradDotMove {
                step *= 2
                alpha = oldAlpha; logAlpha = oldLog
                continue
            }
            decreased = false
            grad = newGrad
            objective = newObjective
            let minGrad = grad.min()!
            gap = 0
            for k in 0..<r { gap += alpha[k] * (grad[k] - minGrad) }
        }
        if alpha.contains(where: { !$0.isFinite }) {
            alpha = [Double](repeating: 1 / Double(r), count: r)
        }
        return Result(weights: alpha, iterations: iterations, dualityGap: gap)
    }

    static func logSumExp(_ x: [Double]) -> Double {
        let m = x.max()!
        guard m.isFinite else { return m }
        return m + log(x.reduce(0) { $0 + exp($1 - m) })
    }

    /// f(c) = ‖cᵀX − y‖² expanded as cᵀ(XXᵀ)c − 2cᵀ(Xy) + yᵀy; ∇f = 2(XXᵀc − Xy). O(r²) per evaluation.
    public struct SquaredDistance: Objective {
        public let gram: [Double]       // XXᵀ, r×r
        public let projected: [Double]  // Xy, r
        public let yy: Double
        public var dimension: Int { projected.count }
        public init(gram: [Double], projected: [Double], yy: Double) {
            self.gram = gram; self.projected = projected; self.yy = yy
        }
        public func value(_ c: [Double]) -> Double {
            let r = dimension
            var quad = 0.0, lin = 0.0
            for i in 0..<r {
                var row = 0.0
                for j in 0..<r { row += gram[i * r + j] * c[j] }
                quad += c[i] * row
                lin += c[i] * projected[i]
            }
            return quad - 2 * lin + yy
        }
        public func gradient(_ c: [Double]) -> [Double] { evaluate(c).gradient }
        public func evaluate(_ c: [Double]) -> (value: Double, gradient: [Double]) {
            let r = dimension
            var grad = [Double](repeating: 0, count: r)
            var quad = 0.0, lin = 0.0
            gram.withUnsafeBufferPointer { g in
                c.withUnsafeBufferPointer { c in
                    for i in 0..<r {
                        var row = 0.0
                        for j in 0..<r { row += g[i * r + j] * c[j] }
                        quad += c[i] * row
                        lin += c[i] * projected[i]
                        grad[i] = 2 * (row - projected[i])
                    }
                }
            }
            return (quad - 2 * lin + yy, grad)
        }
    }

    /// f(c) = KL(y ‖ cᵀX) = Σ_j y_j log(y_j / (cᵀX)_j) over the support of y (terms with y_j = 0 vanish);
    /// ∇_k f = −Σ_j y_j X_kj / (cᵀX)_j.
    public struct KLDivergence: Objective {
        public let supportColumns: [Double]  // X restricted to supp(y): r × s, row-major
        public let supportValues: [Double]   // y on its support, s
        public var dimension: Int { supportColumns.count / max(supportValues.count, 1) }
        public init(supportColumns: [Double], supportValues: [Double]) {
            self.supportColumns = supportColumns; self.supportValues = supportValues
        }
        private func mixture(_ c: [Double]) -> [Double] {
            let s = supportValues.count, r = c.count
            var out = [Double](repeating: 0, count: s)
            for k in 0..<r where c[k] != 0 { for j in 0..<s { out[j] += c[k] * supportColumns[k * s + j] } }
            // A word that co-occurs with no anchor would give log(y/0); floor keeps the solver finite.
            for j in 0..<s { out[j] = max(out[j], 1e-300) }
            return out
        }
        public func value(_ c: [Double]) -> Double {
            let mix = mixture(c)
            var v = 0.0
            for j in supportValues.indices { v += supportValues[j] * log(supportValues[j] / mix[j]) }
            return v
        }
        public func gradient(_ c: [Double]) -> [Double] {
            let mix = mixture(c), s = supportValues.count
            return (0..<c.count).map { k in
                var g = 0.0
                for j in 0..<s { g -= supportValues[j] * supportColumns[k * s + j] / mix[j] }
                return g
            }
        }
    }
}

extension ExponentiatedGradient.Objective {
    public func evaluate(_ c: [Double]) -> (value: Double, gradient: [Double]) { (value(c), gradient(c)) }
}
