import Foundation
import Testing
@testable import OrchardTensor

/// Optimizers against straightforward Float64 transcriptions of the torch.optim update rules.
@Suite struct OptimizerTests {
    static let count = 37
    static let steps = 5

    func gradients(_ step: Int) -> [Float] { randomFloats(Self.count, seed: UInt64(100 + step)) }

    func runEngine(_ opt: any Optimizer, lrs: [Float], threads: ComputeThreads = twoThreads) -> [Float] {
        let p = FloatBuffer(count: Self.count)
        try! p.copy(from: randomFloats(Self.count, seed: 1))
        for s in 0..<Self.steps {
            let g = gradients(s)
            g.withUnsafeBufferPointer { opt.step(parameters: p.pointer, gradients: $0.baseAddress!, learningRate: lrs[s], threads: threads) }
        }
        return p.array
    }

    @Test func adamWMatchesReference() throws {
        let lr: [Float] = [1e-2, 2e-2, 3e-2, 2e-2, 1e-2]
        let decayed = [0..<10, 20..<30]
        let opt = try AdamW(parameterCount: Self.count, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1, decayedRanges: decayed)
        let got = runEngine(opt, lrs: lr)
        var p = doubles(randomFloats(Self.count, seed: 1))
        var m = [Double](repeating: 0, count: Self.count), v = m
        for s in 0..<Self.steps {
            let g = doubles(gradients(s)), t = Double(s + 1), a = Double(lr[s])
            for i in 0..<Self.count {
                if decayed.contains(where: { $0.contains(i) }) { p[i] *= 1 - a * 0.1 }
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i]
                p[i] -= a * (m[i] / (1 - pow(0.9, t))) / ((v[i] / (1 - pow(0.95, t))).squareRoot() + 1e-8)
            }
        }
        #expect(GradientCheck.scaledMaxError(got, p) < 1e-5)
        #expect(opt.stepCount == Self.steps)
    }

    @Test(arguments: [(0.0, 0.0, false, SGD.MomentumForm.torch), (0.9, 0.0, false, .torch), (0.9, 0.3, false, .torch),
                      (0.9, 0.0, true, .torch), (0.9, 0.0, false, .zeroStart), (0.9, 0.3, false, .zeroStart),
                      (0.9, 0.0, true, .zeroStart), (0.9, 0.0, false, .ema)])
    func sgdMatchesReference(momentum: Double, dampening: Double, nesterov: Bool, form: SGD.MomentumForm) throws {
        let lr: [Float] = [0.1, 0.1, 0.05, 0.05, 0.02]
        let opt = try SGD(parameterCount: Self.count, momentum: Float(momentum), dampening: Float(dampening),
                          nesterov: nesterov, weightDecay: 0.01, form: form)
        let got = runEngine(opt, lrs: lr)
        var p = doubles(randomFloats(Self.count, seed: 1))
        var buf = [Double](repeating: 0, count: Self.count)
        for s in 0..<Self.steps {
            let g0 = doubles(gradients(s))
            for i in 0..<Self.count {
                var g = g0[i] + 0.01 * p[i]
                if momentum > 0 {
                    let gradientWeight = form == .ema ? 1 - momentum : 1 - dampening
                    buf[i] = s == 0 && form == .torch ? g : momentum * buf[i] + gradientWeight * g
                    g = nesterov ? g + momentum * buf[i] : buf[i]
                }
                p[i] -= Double(lr[s]) * g
            }
        }
        #expect(GradientCheck.scaledMaxError(got, p) < 1e-5)
    }

    @Test func stateRoundTripContinuesBitIdentically() throws {
        let lrs = [Float](repeating: 1e-2, count: Self.steps)
        for make in [{ try AdamW(parameterCount: Self.count) as any Optimizer },
                     { try SGD(parameterCount: Self.count, momentum: 0.9, nesterov: true) as any Optimizer },
                     { try SGD(parameterCount: Self.count, momentum: 0.9, form: .zeroStart) as any Optimizer },
                     { try SGD(parameterCount: Self.count, momentum: 0.9, form: .ema) as any Optimizer }] {
            let a = try make()
            let p = FloatBuffer(count: Self.count)
            try p.copy(from: randomFloats(Self.count, seed: 1))
            let g = gradients(0)
            for _ in 0..<3 { g.withUnsafeBufferPointer { a.step(parameters: p.pointer, gradients: $0.baseAddress!, learningRate: lrs[0], threads: oneThread) } }
            let b = try make()
            try b.load(stateTensors: a.stateTensors())
            #expect(b.stepCount == 3)
            let pb = FloatBuffer(count: Self.count); try pb.copy(from: p.array)
            g.withUnsafeBufferPointer {
                a.step(parameters: p.pointer, gradients: $0.baseAddress!, learningRate: lrs[0], threads: oneThread)
                b.step(parameters: pb.pointer, gradients: $0.baseAddress!, learningRate: lrs[0], threads: oneThread)
            }
            #expect(p.array.map(\.bitPattern) == pb.array.map(\.bitPattern))
            #expect(throws: EngineError.self) { try b.load(stateTensors: [:]) }
        }
    }

    @Test func invalidHyperparametersAreErrors() {
        #expect(throws: EngineError.self) { try AdamW(parameterCount: 0) }
        #expect(throws: EngineError.self) { try AdamW(parameterCount: 3, beta1: 1.0) }
        #expect(throws: EngineError.self) { try SGD(parameterCount: 3, momentum: 0, nesterov: true) }
        #expect(throws: EngineError.self) { try SGD(parameterCount: 3, momentum: 0.9, dampening: 0.1, nesterov: true) }
        #expect(throws: EngineError.self) { try SGD(parameterCount: 3, momentum: 0.9, dampening: 0.1, form: .ema) }
        #expect(throws: EngineError.self) { try SGD(parameterCount: 3, momentum: 0.9, nesterov: true, form: .ema) }
        #expect(throws: EngineError.self) { try SGD(parameterCount: 3, momentum: 1, form: .ema) }
    }

    @Test func clippingByGlobalNorm() {
        let g = randomFloats(1000, seed: 3)
        let norm = g.map { Double($0 * $0) }.reduce(0, +).squareRoot()
        let res = withBuffers([g]) { p in
            let before = GradientClipping.clipGlobalNorm(p[0], count: 1000, maxNorm: 1, threads: twoThreads)
            #expect(abs(Double(before) - norm) < 1e-3)
        }
        let after = res[0].map { Double($0 * $0) }.reduce(0, +).squareRoot()
        #expect(abs(after - 1) < 1e-5)
        let small = withBuffers([g]) { p in _ = GradientClipping.clipGlobalNorm(p[0], count: 1000, maxNorm: 1e6, threads: oneThread) }
        #expect(small[0] == g)
    }

    @Test func schedules() throws {
        #expect(LearningRateSchedule.constant(rate: 0.1).rate(at: 1000) == 0.1)
        let warm = LearningRateSchedule.linearWarmup(rate: 1, warmupSteps: 4)
        #expect([0, 1, 2, 3, 4, 10].map { warm.rate(at: $0) } == [0.25, 0.5, 0.75, 1, 1, 1])
        let cos = LearningRateSchedule.cosine(rate: 1, warmupSteps: 2, totalSteps: 12, minimumRate: 0.1)
        #expect(cos.rate(at: 0) == 0.5)
        #expect(cos.rate(at: 2) == 1)
        #expect(abs(cos.rate(at: 7) - 0.55) < 1e-6)  // halfway: min + (max-min)/2
        #expect(abs(cos.rate(at: 12) - 0.1) < 1e-6)
        #expect(abs(cos.rate(at: 50) - 0.1) < 1e-6)
        #expect(throws: EngineError.self) { try LearningRateSchedule.cosine(rate: 1, warmupSteps: 5, totalSteps: 2, minimumRate: 0).validate() }
    }
}
