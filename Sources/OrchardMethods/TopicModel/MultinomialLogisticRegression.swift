import Foundation

/// L2-regularised multinomial logistic regression trained to convergence by full-batch L-BFGS with
/// Armijo backtracking: deterministic (no sampling), so retraining on the same data gives the same head.
/// Objective: (1/N) Σ_d −log softmax(Wᵀx_d + b)_{y_d} + (λ/2)‖W‖²  (the bias is not regularised).
public struct MultinomialLogisticRegression: Sendable, Codable, Equatable {
    public let featureCount: Int
    public let classCount: Int
    /// W, features×classes row-major.
    public let weights: [Double]
    public let bias: [Double]
    public let iterations: Int
    public let gradientNorm: Double

    public struct Problem {
        public let features: [Double]  // N × featureCount
        public let labels: [Int]
        public let featureCount: Int
        public let classCount: Int
        public let l2: Double

        public var parameterCount: Int { featureCount * classCount + classCount }

        /// Objective and gradient at the flat parameter vector [W (row-major), b].
        public func evaluate(_ p: [Double]) -> (Double, [Double]) {
            let f = featureCount, c = classCount, n = labels.count
            var grad = [Double](repeating: 0, count: parameterCount)
            var loss = 0.0
            var logits = [Double](repeating: 0, count: c)
            for d in 0..<n {
                for k in 0..<c { logits[k] = p[f * c + k] }
                for j in 0..<f {
                    let x = features[d * f + j]
                    if x != 0 { for k in 0..<c { logits[k] += x * p[j * c + k] } }
                }
                let m = logits.max()!
                var z = 0.0
                for k in 0..<c { logits[k] = exp(logits[k] - m); z += logits[k] }
                loss -= log(logits[labels[d]] / z)
                for k in 0..<c {
                    let residual = logits[k] / z - (k == labels[d] ? 1 : 0)
                    grad[f * c + k] += residual
                    for j in 0..<f { grad[j * c + k] += residual * features[d * f + j] }
                }
            }
            let inv = 1 / Double(n)
            loss *= inv
            for i in grad.indices { grad[i] *= inv }
            for i in 0..<(f * c) { loss += 0.5 * l2 * p[i] * p[i]; grad[i] += l2 * p[i] }
            return (loss, grad)
        }
    }

    public static func fit(_ problem: Problem, maxIterations: Int, gradientTolerance: Double, memory: Int = 10) throws -> MultinomialLogisticRegression {
        guard !problem.labels.isEmpty, problem.classCount >= 2 else {
            throw TopicModelError.invalidConfiguration("logistic regression needs at least one example and two classes")
        }
        guard problem.l2 >= 0 else { throw TopicModelError.invalidConfiguration("l2 must be >= 0") }
        guard problem.featureCount >= 1, problem.features.count == problem.labels.count * problem.featureCount,
              problem.labels.allSatisfy({ (0..<problem.classCount).contains($0) }) else {
            throw TopicModelError.invalidConfiguration("features must be N × featureCount and labels in [0, classCount)")
        }
        var x = [Double](repeating: 0, count: problem.parameterCount)
        var (fx, g) = problem.evaluate(x)
        var s: [[Double]] = [], y: [[Double]] = []
        var iterations = 0
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        while iterations < maxIterations, (g.map(abs).max() ?? 0) > gradientTolerance {
            iterations += 1
            // Two-loop recursion: direction = −H g.
            var q = g
            var alphas: [Double] = []
            for i in stride(from: s.count - 1, through: 0, by: -1) {
                let a = dot(s[i], q) / dot(y[i], s[i])
                alphas.append(a)
                for t in q.indices { q[t] -= a * y[i][t] }
            }
            if let ls = s.last, let ly = y.last {
                let scale = dot(ls, ly) / dot(ly, ly)
                for t in q.indices { q[t] *= scale }
            }
            for (idx, i) in s.indices.enumerated() {
                let b = dot(y[i], q) / dot(y[i], s[i])
                let a = alphas[s.count - 1 - idx]
                for t in q.indices { q[t] += s[i][t] * (a - b) }
            }
            var direction = q.map { -$0 }
            var slope = dot(g, direction)
            if !(slope < 0) { direction = g.map { -$0 }; slope = dot(g, direction); s.removeAll(); y.removeAll() }
            var step = 1.0
            var candidate: [Double] = x, fc = fx, gc = g
            var accepted = false
            for _ in 0..<60 {
                candidate = zip(x, direction).map { $0 + step * $1 }
                (fc, gc) = problem.evaluate(candidate)
                if fc <= fx + 1e-4 * step * slope { accepted = true; break }
                step /= 2
            }
            guard accepted else { break }  // no decrease possible at machine precision: converged
            let sk = zip(candidate, x).map { $0 - $1 }, yk = zip(gc, g).map { $0 - $1 }
            if dot(sk, yk) > 1e-12 {
                s.append(sk); y.append(yk)
                if s.count > memory { s.removeFirst(); y.removeFirst() }
            }
            x = candidate; fx = fc; g = gc
        }
        let f = problem.featureCount, c = problem.classCount
        return MultinomialLogisticRegression(featureCount: f, classCount: c, weights: Array(x[0..<(f * c)]),
                                             bias: Array(x[(f * c)...]), iterations: iterations,
                                             gradientNorm: g.map(abs).max() ?? 0)
    }
}
