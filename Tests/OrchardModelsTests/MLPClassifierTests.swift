import Foundation
import Testing
import OrchardTensor
@testable import OrchardModels

@Suite struct MLPClassifierTests {
    static func gelu(_ v: Double) -> Double { 0.5 * v * (1 + tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v))) }

    /// Float64 reference MLP: mean over the batch of −Σ_c target(i, c)·log softmax(logitsᵢ)(c), with `activation`
    /// between layers; `p` holds `layers.{l}.weight` (out × in) and `layers.{l}.bias`; x is batch × widths[0].
    static func referenceLoss(_ p: [String: [Double]], _ x: [Float], widths: [Int], batch: Int, activation: (Double) -> Double,
                              target: (Int, Int) -> Double) -> Double {
        let d = widths[0]
        var total = 0.0
        for i in 0..<batch {
            var h = (0..<d).map { Double(x[i * d + $0]) }
            for l in 0..<(widths.count - 1) {
                let w = p["layers.\(l).weight"]!, b = p["layers.\(l).bias"]!
                var o = (0..<widths[l + 1]).map { j in (0..<widths[l]).reduce(b[j]) { $0 + w[j * widths[l] + $1] * h[$1] } }
                if l < widths.count - 2 { o = o.map(activation) }
                h = o
            }
            let m = h.max()!, lse = m + log(h.map { exp($0 - m) }.reduce(0, +))
            for c in 0..<h.count { total += target(i, c) * (lse - h[c]) }
        }
        return total / Double(batch)
    }

    /// Each tensor's accumulated gradient against central differences of `reference` at `ref` (scaled max error ≤ 1e-3).
    static func expectGradients(_ mlp: MLPClassifier, _ ref: [String: [Double]], _ reference: ([String: [Double]]) -> Double) {
        let grads = mlp.gradients.array
        for t in mlp.tensors {
            let numeric = GradientCheck.numericGradient(at: ref[t.name]!) { v in var r = ref; r[t.name] = v; return reference(r) }
            let err = GradientCheck.scaledMaxError(Array(grads[t.range]), numeric)
            #expect(err < 1e-3, "\(t.name): \(err)")
        }
    }

    /// Gradient check against a Float64 reference MLP; tolerance: scaled max error ≤ 1e-3 per tensor.
    @Test(arguments: [1, 2]) func gradientMatchesFiniteDifferences(threads: Int) throws {
        let d = 6, hidden = [17, 9], classes = 3, batch = 20
        let mlp = try MLPClassifier(inputSize: d, hiddenSizes: hidden, classes: classes, maxBatch: batch,
                                    threads: try ComputeThreads(threads), seed: 5)
        var rng = SeededRandom(seed: 8)
        let x = (0..<(batch * d)).map { _ in rng.nextNormal() }
        let y = (0..<batch).map { _ in Int32(rng.nextInt(below: classes)) }
        var named = mlp.namedParameters()
        for k in named.keys.sorted() where k.hasSuffix("bias") {   // sorted: Dictionary order varies per process
            named[k]!.values = named[k]!.values.map { _ in rng.nextNormal() * 0.3 }
        }
        try mlp.load(namedParameters: named)
        mlp.zeroGradients()
        let loss = try #require(try mlp.forward(inputs: x, labels: y, batch: batch))
        try mlp.backward()
        let ref = named.mapValues { $0.values.map(Double.init) }
        let reference = { (p: [String: [Double]]) in
            Self.referenceLoss(p, x, widths: [d] + hidden + [classes], batch: batch, activation: Self.gelu) { i, c in c == Int(y[i]) ? 1 : 0 }
        }
        #expect(abs(Double(loss) - reference(ref)) < 1e-5)
        Self.expectGradients(mlp, ref, reference)
    }

    /// Sparse parity (n = 10 bits, parity of 2 fixed bits): a small MLP trained with AdamW must reach ≥ 95% held-out accuracy.
    @Test func learnsSparseParity() throws {
        let n = 10, relevant = [2, 7], batch = 64
        let mlp = try MLPClassifier(inputSize: n, hiddenSizes: [64], classes: 2, maxBatch: 256, seed: 3)
        let opt = try AdamW(parameterCount: mlp.parameters.count, weightDecay: 0.01)
        var rng = SeededRandom(seed: 21)
        func draw(_ count: Int) -> ([Float], [Int32]) {
            var x = [Float](), y = [Int32]()
            for _ in 0..<count {
                let bits = (0..<n).map { _ in rng.nextInt(below: 2) }
                x += bits.map { Float(2 * $0 - 1) }
                y.append(Int32(relevant.reduce(0) { $0 ^ bits[$1] }))
            }
            return (x, y)
        }
        for _ in 0..<400 {
            let (x, y) = draw(batch)
            mlp.zeroGradients()
            try mlp.forward(inputs: x, labels: y, batch: batch)
            try mlp.backward()
            opt.step(parameters: mlp.parameters.pointer, gradients: mlp.gradients.pointer, learningRate: 1e-2, threads: .single)
        }
        let (tx, ty) = draw(256)
        try mlp.forward(inputs: tx, batch: 256)
        let accuracy = Double(zip(mlp.predictions(), ty).filter { $0 == $1 }.count) / 256
        #expect(accuracy >= 0.95, "held-out accuracy \(accuracy)")
    }

    /// The distillation loss's gradient (soft targets κ·onehot + (1 − κ)·softmax(z_T/τ)) through a ReLU MLP with
    /// PyTorch's initialisation, against finite differences of a Float64 reference (issue 16 item 6).
    @Test func softTargetGradientMatchesFiniteDifferencesWithReLU() throws {
        let d = 5, hidden = [13], classes = 3, batch = 9
        let mlp = try MLPClassifier(inputSize: d, hiddenSizes: hidden, classes: classes, maxBatch: batch, seed: 2,
                                    activation: .relu, initialization: .uniform)
        let initial = mlp.namedParameters()
        #expect(initial.keys.filter { $0.hasSuffix("bias") }.allSatisfy { k in initial[k]!.values.allSatisfy { $0 != 0 && abs($0) <= 1 / Float(initial[k]!.values.count == 13 ? 5 : 13).squareRoot() } },
                "uniform init: biases in ±1/√fan_in too")
        var rng = SeededRandom(seed: 6)
        let x = (0..<(batch * d)).map { _ in rng.nextNormal() }
        let y = (0..<batch).map { _ in Int32(rng.nextInt(below: classes)) }
        var q = [Float]()
        for i in 0..<batch {
            let raw = (0..<classes).map { _ in rng.nextUniform() + 0.05 }
            let total = raw.reduce(0, +)
            q += raw.enumerated().map { c, v in 0.6 * v / total + (c == Int(y[i]) ? 0.4 : 0) }
        }
        mlp.zeroGradients()
        try mlp.forward(inputs: x, labels: y, batch: batch)
        let loss = try mlp.setSoftTargets(q)
        try mlp.backward()
        let ref = mlp.namedParameters().mapValues { $0.values.map(Double.init) }
        let reference = { (p: [String: [Double]]) in
            Self.referenceLoss(p, x, widths: [d] + hidden + [classes], batch: batch, activation: { max($0, 0) }) { i, c in Double(q[i * classes + c]) }
        }
        #expect(abs(loss - reference(ref)) < 1e-5)
        Self.expectGradients(mlp, ref, reference)
        // Soft targets equal to the one-hot labels give the hard-label gradient, bit for bit.
        var onehot = [Float](repeating: 0, count: batch * classes)
        for i in 0..<batch { onehot[i * classes + Int(y[i])] = 1 }
        mlp.zeroGradients(); try mlp.forward(inputs: x, labels: y, batch: batch); try mlp.backward()
        let hard = mlp.gradients.array
        mlp.zeroGradients(); try mlp.forward(inputs: x, labels: y, batch: batch); try mlp.setSoftTargets(onehot); try mlp.backward()
        let viaSoft = mlp.gradients.array
        #expect(zip(hard, viaSoft).allSatisfy { abs($0 - $1) <= 1e-7 })
    }
}
