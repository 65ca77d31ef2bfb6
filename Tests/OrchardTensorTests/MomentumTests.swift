import Foundation
import Testing
@testable import OrchardTensor

/// The deterministic checks of algorithms spec §6.5 (Wang et al. 2023, "The Marginal Value of Momentum for Small
/// Learning Rate SGD"): the EMA/practical equivalence (1), quadratic stability limits (2), β = 0 (3) and SVAG (6).
/// The statistical checks (4, 5) are `orchard bench momentum` (docs/results.md).
@Suite struct MomentumTests {
    /// A well-conditioned least-squares problem L(x) = ‖A x − y‖² / (2B) over fixed minibatches of B rows of A (n × d),
    /// rows and targets N(0, 1) (seeded); x* ≠ 0, so relative errors of the iterates stay meaningful near the minimiser.
    struct LeastSquares {
        static let n = 64, d = 8, batch = 8
        let a: [Double], y: [Double]
        /// Row indices of step k's minibatch: batches[k % batches.count].
        let batches: [[Int]]

        init(seed: UInt64 = 11, batchCount: Int = 97) {
            var rng = SeededRandom(seed: seed)
            a = (0..<(Self.n * Self.d)).map { _ in rng.nextGaussian() }
            y = (0..<Self.n).map { _ in 1 + rng.nextGaussian() }
            batches = (0..<batchCount).map { _ in (0..<Self.batch).map { _ in rng.nextInt(below: Self.n) } }
        }

        /// ∇L at x over step k's minibatch: Aᵦᵀ(Aᵦ x − yᵦ) / B.
        func gradient(_ x: [Double], step k: Int) -> [Double] {
            var g = [Double](repeating: 0, count: Self.d)
            for r in batches[k % batches.count] {
                var residual = -y[r]
                for j in 0..<Self.d { residual += a[r * Self.d + j] * x[j] }
                for j in 0..<Self.d { g[j] += a[r * Self.d + j] * residual / Double(Self.batch) }
            }
            return g
        }

        /// The same gradient for Float32 parameters, rounded to Float32.
        func gradient(_ x: [Float], step k: Int) -> [Float] { gradient(x.map(Double.init), step: k).map { Float($0) } }
    }

    /// ‖a − b‖².
    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for (u, v) in zip(a, b) { s += (u - v) * (u - v) }
        return s
    }

    /// ‖a − b‖ / ‖b‖.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        squaredDistance(a, b).squareRoot() / squaredDistance(b, b.map { _ in 0 }).squareRoot()
    }

    /// Float64 heavy-ball from x₀ = 0: m ← β·m + w·g, x ← x − lr·m, with m₁ = g₁ when `firstGradientStart`
    /// (torch), else m₀ = 0. Practical form: w = 1; EMA form: w = 1 − β. Returns x₁ … x_steps.
    static func heavyBall64(_ problem: LeastSquares, lr: Double, beta: Double, gradientWeight w: Double,
                            firstGradientStart: Bool = false, steps: Int) -> [[Double]] {
        var x = [Double](repeating: 0, count: LeastSquares.d), m = x
        var out = [[Double]]()
        for k in 0..<steps {
            let g = problem.gradient(x, step: k)
            for j in 0..<x.count {
                m[j] = firstGradientStart && k == 0 ? g[j] : beta * m[j] + w * g[j]
                x[j] -= lr * m[j]
            }
            out.append(x)
        }
        return out
    }

    /// Runs the engine's optimizer on the Float32 least-squares problem from x₀ = 0; returns x₁ … x_steps.
    static func run(_ opt: SGD, _ problem: LeastSquares, lr: Float, steps: Int) -> [[Float]] {
        let p = FloatBuffer(count: LeastSquares.d)
        var out = [[Float]]()
        for k in 0..<steps {
            let g = problem.gradient(p.array, step: k)
            g.withUnsafeBufferPointer { opt.step(parameters: p.pointer, gradients: $0.baseAddress!, learningRate: lr, threads: oneThread) }
            out.append(p.array)
        }
        return out
    }

    /// §6.5.1 in Float64: EMA-form SGDM(η, β) and practical SGDM(γ = η(1−β), β), both with m₀ = 0, agree to 1e-9
    /// relative at every one of 1000 steps. Controls: the EMA form started at m₁ = g₁ (torch's start; its first step is
    /// 1/(1−β)× larger) or the unscaled γ = η do not.
    @Test func emaAndPracticalFormsAreTheSameIteratesInFloat64() {
        let problem = LeastSquares(), eta = 0.05, beta = 0.9, steps = 1000
        let ema = Self.heavyBall64(problem, lr: eta, beta: beta, gradientWeight: 1 - beta, steps: steps)
        let practical = Self.heavyBall64(problem, lr: eta * (1 - beta), beta: beta, gradientWeight: 1, steps: steps)
        let worst = zip(ema, practical).map { Self.relativeError($0, $1) }.max()!
        #expect(worst <= 1e-9, "max relative error \(worst)")
        // Converged to the least-squares solution's neighbourhood rather than a trivial trajectory.
        #expect(practical.last!.map(abs).max()! > 0.1)

        let torchStart = Self.heavyBall64(problem, lr: eta, beta: beta, gradientWeight: 1 - beta, firstGradientStart: true, steps: steps)
        #expect(zip(ema, torchStart).map { Self.relativeError($0, $1) }.max()! > 1e-3)
        let unscaled = Self.heavyBall64(problem, lr: eta, beta: beta, gradientWeight: 1, steps: steps)
        #expect(zip(ema, unscaled).map { Self.relativeError($0, $1) }.max()! > 1e-3)
    }

    /// The same equivalence through the engine's Float32 SGD: `.ema` at η against `.zeroStart` at η(1−β), 1000 steps,
    /// within 1e-6 relative (Float32 rounding only). Without dampening `.zeroStart` is `.torch` (β·0 + g₁ = g₁) bit for
    /// bit, and `.ema` is `.zeroStart` with dampening β; torch's start with dampening β (b₁ = g₁) is not `.ema`.
    @Test func engineEMAFormMatchesZeroStartPracticalForm() throws {
        let problem = LeastSquares(), eta: Float = 0.05, beta: Float = 0.9, steps = 1000
        let count = LeastSquares.d
        let ema = Self.run(try SGD(parameterCount: count, momentum: beta, form: .ema), problem, lr: eta, steps: steps)
        let practical = Self.run(try SGD(parameterCount: count, momentum: beta, form: .zeroStart), problem, lr: eta * (1 - beta), steps: steps)
        let torch = Self.run(try SGD(parameterCount: count, momentum: beta), problem, lr: eta * (1 - beta), steps: steps)
        let dampened = Self.run(try SGD(parameterCount: count, momentum: beta, dampening: beta, form: .zeroStart), problem, lr: eta, steps: steps)
        let torchDampened = Self.run(try SGD(parameterCount: count, momentum: beta, dampening: beta), problem, lr: eta, steps: steps)
        let rel = { (a: [[Float]], b: [[Float]]) in zip(a, b).map { Self.relativeError(doubles($0), doubles($1)) }.max()! }
        let worst = rel(ema, practical)
        #expect(worst <= 1e-6, "max relative error \(worst)")
        let bits = { (a: [[Float]]) in a.map { $0.map(\.bitPattern) } }
        #expect(bits(practical) == bits(torch))
        #expect(bits(ema) == bits(dampened))
        #expect(rel(ema, torchDampened) > 1e-2)
        // The EMA buffer is (1−β)× the practical one.
        let reference = Self.heavyBall64(problem, lr: Double(eta), beta: Double(beta), gradientWeight: 1 - Double(beta), steps: steps)
        #expect(Self.relativeError(doubles(ema.last!), reference.last!) <= 1e-5)
    }

    /// §6.5.2 on f(x) = λx²/2, λ = 10, x₀ = 1, 500 steps through the engine's SGD: GD is stable iff ηλ < 2, heavy-ball
    /// (β = 0.9) iff γλ < 2(1+β), whichever way its buffer starts; EMA-form at effective lr η = γ/(1−β) follows it.
    @Test(arguments: [
        (SGD.MomentumForm.torch, Float(0), Float(0.19), true), (.torch, 0, 0.21, false),
        (.torch, 0.9, 0.37, true), (.torch, 0.9, 0.39, false),
        (.zeroStart, 0.9, 0.37, true), (.zeroStart, 0.9, 0.39, false),
        (.ema, 0.9, 3.7, true), (.ema, 0.9, 3.9, false),
    ])
    func quadraticStabilityLimits(form: SGD.MomentumForm, beta: Float, lr: Float, converges: Bool) throws {
        let lambda: Float = 10
        let opt = try SGD(parameterCount: 1, momentum: beta, form: form)
        let p = FloatBuffer(count: 1)
        p[0] = 1
        var g: Float = 0
        for _ in 0..<500 {
            g = lambda * p[0]
            opt.step(parameters: p.pointer, gradients: &g, learningRate: lr, threads: oneThread)
        }
        if converges {
            #expect(abs(p[0]) < 1e-6, "x = \(p[0])")
        } else {
            #expect(!(abs(p[0]) < 1e3), "x = \(p[0])")
        }
    }

    /// §6.5.3: with β = 0 every form is plain SGD, x ← x − lr·g, bit for bit (gradients taken at the current iterate,
    /// so one differing bit would change the rest of the trajectory).
    @Test(arguments: SGD.MomentumForm.allCases)
    func zeroMomentumIsPlainSGDBitwise(form: SGD.MomentumForm) throws {
        let problem = LeastSquares(), lr: Float = 0.03, steps = 300
        let got = Self.run(try SGD(parameterCount: LeastSquares.d, momentum: 0, form: form), problem, lr: lr, steps: steps)
        var x = [Float](repeating: 0, count: LeastSquares.d)
        for k in 0..<steps {
            let g = problem.gradient(x, step: k)
            for j in 0..<x.count { x[j] -= lr * g[j] }
            #expect(got[k].map(\.bitPattern) == x.map(\.bitPattern), "step \(k)")
        }
    }

    /// §6.5.6: on a fixed linear-regression problem (N = 200, d = 5, minibatches of 10 drawn with replacement) and a
    /// fixed w away from the optimum, 10⁴ draws of g_ℓ have mean within 5% of the full gradient and total variance within
    /// 5% of ℓ·tr(Σ)/B, Σ the per-example gradient covariance. Control: ℓ = 4's variance is not within 5% of ℓ = 1's.
    @Test func svagKeepsTheMeanAndScalesTheVariance() throws {
        let n = 200, d = 5, batch = 10, draws = 10_000
        var rng = SeededRandom(seed: 17)
        let x = (0..<(n * d)).map { _ in rng.nextGaussian() }
        let wStar = (0..<d).map { _ in rng.nextGaussian() }
        let y = (0..<n).map { i in (0..<d).reduce(0.5 * rng.nextGaussian()) { $0 + x[i * d + $1] * wStar[$1] } }
        let w = wStar.map { $0 + 3 }
        let perExample: [[Double]] = (0..<n).map { i in
            let r = (0..<d).reduce(-y[i]) { $0 + x[i * d + $1] * w[$1] }
            return (0..<d).map { x[i * d + $0] * r }
        }
        let full = (0..<d).map { j in perExample.map { $0[j] }.reduce(0, +) / Double(n) }
        let traceSigma = perExample.map { Self.squaredDistance($0, full) }.reduce(0, +) / Double(n)
        func minibatch() -> [Float] {
            var g = [Double](repeating: 0, count: d)
            for _ in 0..<batch { let e = perExample[rng.nextInt(below: n)]; for j in 0..<d { g[j] += e[j] / Double(batch) } }
            return g.map { Float($0) }
        }
        var totalVariance = [Double: Double]()
        for ell in [1.0, 4.0] {
            var sum = [Double](repeating: 0, count: d), sumSq = sum
            var out = [Float](repeating: 0, count: d)
            for _ in 0..<draws {
                let g1 = minibatch(), g2 = minibatch()
                try SVAG.combine(out: &out, first: g1, second: g2, count: d, ell: ell)
                for j in 0..<d { sum[j] += Double(out[j]); sumSq[j] += Double(out[j]) * Double(out[j]) }
            }
            let mean = sum.map { $0 / Double(draws) }
            let variance = (0..<d).map { sumSq[$0] / Double(draws) - mean[$0] * mean[$0] }.reduce(0, +)
            let meanError = Self.relativeError(mean, full)
            #expect(meanError < 0.05, "ℓ = \(ell): mean off by \(meanError)")
            let expected = ell * traceSigma / Double(batch)
            #expect(abs(variance / expected - 1) < 0.05, "ℓ = \(ell): variance \(variance), expected \(expected)")
            totalVariance[ell] = variance
        }
        #expect(abs(totalVariance[4]! / totalVariance[1]! - 1) > 0.05)
        #expect(throws: EngineError.self) { try SVAG.coefficients(ell: 0.5) }
        let (a, b) = try SVAG.coefficients(ell: 8)
        #expect(abs(a + b - 1) < 1e-15 && abs(a * a + b * b - 8) < 1e-12)
    }
}
