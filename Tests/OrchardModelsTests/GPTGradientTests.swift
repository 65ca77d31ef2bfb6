import Foundation
import Testing
import OrchardReferenceModels
import OrchardTensor
@testable import OrchardModels

/// Whole-model gradient check: the engine's Float32 backward against central differences of
/// ReferenceGPT (Float64) for every parameter of a tiny GPT. Tolerance: scaled max error ≤ 1e-3 per tensor
/// (GradientCheck.scaledMaxError), checked on every entry of
/// tensors up to 64 values and 40 random entries of larger ones; the forward loss must match the reference within 1e-4.
@Suite struct GPTGradientTests {
    static let config = GPTConfig(vocabularySize: 11, contextLength: 6, layers: 2, channels: 16, heads: 2)

    func check(threads: Int, weights: [Float]?, normalize: Bool, kernel: GEMMKernel = .openBLAS, softTargetPositions: [Int] = [], dense: Bool = false) throws {
        let cfg = Self.config, b = 2, t = 5
        let model = try GPT(config: cfg, maxBatch: b, threads: try ComputeThreads(threads), seed: 42, gemmKernel: kernel)
        // Larger-than-default weights make every path (attention, LN) carry real gradient.
        var named = model.namedParameters()
        var rng = SeededRandom(seed: 7)
        // Sorted names: a Dictionary's order changes from process to process, and the draws must not.
        for k in named.keys.sorted() where k.hasSuffix("weight") || k == "wte" || k == "wpe" || k.hasSuffix("bias") {
            named[k]!.values = named[k]!.values.map { $0 + rng.nextNormal() * 0.3 }
        }
        try model.load(namedParameters: named)
        var trng = SeededRandom(seed: 3)
        let inputs = (0..<(b * t)).map { _ in Int32(trng.nextInt(below: cfg.vocabularySize)) }
        let targets = (0..<(b * t)).map { _ in Int32(trng.nextInt(below: cfg.vocabularySize)) }
        model.zeroGradients()
        let loss = try #require(try model.forward(inputs: inputs, targets: targets, weights: weights, normalizeWeights: normalize,
                                                  batch: b, length: t))
        // Soft targets (KL regulariser, distillation): random distributions at some positions.
        var soft: [Int: [Float]] = [:]
        for i in softTargetPositions {
            let raw = (0..<cfg.vocabularySize).map { _ in Float(exp(trng.nextNormal())) }
            let total = raw.reduce(0, +)
            soft[i] = raw.map { $0 / total }
        }
        if dense {
            let q = (0..<(b * t)).flatMap { soft[$0]! }
            let value = try model.setSoftTargets(dense: q)
            let expected = (0..<(b * t)).reduce(0.0) { total, i in
                let z = model.lastLogits(sequence: i / t, position: i % t).map(Double.init)
                let m = z.max()!, lse = m + log(z.reduce(0) { $0 + exp($1 - m) })
                return total + (1 / Double(b * t)) * (0..<cfg.vocabularySize).reduce(0.0) { $0 + Double(soft[i]![$1]) * (lse - z[$1]) }
            }
            #expect(abs(value - expected) < 1e-5, "the dense soft loss \(value) vs \(expected)")
        } else if !soft.isEmpty { try model.setSoftTargets(soft) }
        try model.backward()

        let coef: [Double]
        if let weights {
            let total = normalize ? Double(weights.reduce(0, +)) : 1
            coef = weights.map { Double($0) / total }
        } else {
            coef = [Double](repeating: 1 / Double(b * t), count: b * t)
        }
        let ref = ReferenceGPT(config: cfg, p: named.mapValues { $0.values.map(Double.init) })
        let softRef = soft.mapValues { $0.map(Double.init) }
        let refLoss = ref.loss(inputs: inputs, targets: targets, coefficients: coef, batch: b)
        #expect(abs(Double(loss) - refLoss) < 1e-4)

        let grads = model.gradients.array
        for tensor in model.layout.tensors {
            // Every entry of small tensors, 40 fixed random entries of large ones (keeps the suite fast).
            let picks = tensor.count <= 64 ? Array(0..<tensor.count) : (0..<40).map { k in
                k * tensor.count / 40 + rng.nextInt(below: tensor.count / 40)  // one per 1/40 slice: distinct
            }
            let analytic = picks.map { grads[tensor.offset + $0] }
            let base = ref.p[tensor.name]!
            let numeric = GradientCheck.numericGradient(at: picks.map { base[$0] }) { sub in
                var r = ref
                var x = base
                for (k, i) in picks.enumerated() { x[i] = sub[k] }
                r.p[tensor.name] = x
                return r.loss(inputs: inputs, targets: targets, coefficients: coef, batch: b, softTargets: softRef)
            }
            let err = GradientCheck.scaledMaxError(analytic, numeric)
            #expect(err < 1e-3, "\(tensor.name): scaled error \(err) (\(kernel))")
        }
    }

    /// Distillation's dense soft targets (a teacher distribution at every position) against the reference's KL path.
    @Test(arguments: [1, 2]) func denseSoftTargetsEverywhere(threads: Int) throws {
        try check(threads: threads, weights: nil, normalize: true, softTargetPositions: Array(0..<10), dense: true)
    }

    @Test(arguments: [1, 2], GEMMKernel.allCases) func wholeModelMeanLoss(threads: Int, kernel: GEMMKernel) throws {
        try check(threads: threads, weights: nil, normalize: true, kernel: kernel)
    }

    /// With 512 rows the threads split every projection into claimed row tiles, with the LayerNorms and GELU fused
    /// into those tiles (one tile on one thread, which the check above validates against the reference); the gradients
    /// must agree with one thread's up to Float32 rounding, with either GEMM kernel.
    @Test(arguments: GEMMKernel.allCases) func tiledTwoThreadGradientsMatchOneThread(kernel: GEMMKernel) throws {
        let one = try Self.tiledGradients(threads: 1, kernel: kernel), two = try Self.tiledGradients(threads: 2, kernel: kernel)
        #expect(abs(one.loss - two.loss) < 1e-5)
        // Relative to the largest gradient entry: a wrong tile would be off by the size of the gradients themselves.
        let largest = try #require(one.grads.map(abs).max())
        #expect(largest > 0)
        let worst = zip(one.grads, two.grads).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst / largest < 1e-4, "largest gradient \(largest), worst difference \(worst)")
    }

    /// The packed GEMM and OpenBLAS compute the same sums in different orders: the same loss and gradients up to
    /// Float32 rounding, on 512 rows and two threads (the packed kernel's own tiles and shared packed weights).
    @Test func packedKernelMatchesOpenBLAS() throws {
        let blas = try Self.tiledGradients(threads: 2, kernel: .openBLAS)
        let packed = try Self.tiledGradients(threads: 2, kernel: .packed)
        #expect(abs(blas.loss - packed.loss) < 1e-5)
        let largest = try #require(blas.grads.map(abs).max())
        let worst = zip(blas.grads, packed.grads).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst / largest < 1e-4, "largest gradient \(largest), worst difference \(worst)")
    }

    /// Loss and gradients of a 512-row batch (B 8 × T 64), where the threads split every projection into claimed row
    /// tiles with the LayerNorms and GELU fused into them.
    static func tiledGradients(threads: Int, kernel: GEMMKernel) throws -> (loss: Float, grads: [Float]) {
        let cfg = GPTConfig(vocabularySize: 11, contextLength: 64, layers: 2, channels: 16, heads: 2)
        let b = 8, t = 64
        var trng = SeededRandom(seed: 5)
        let inputs = (0..<(b * t)).map { _ in Int32(trng.nextInt(below: cfg.vocabularySize)) }
        let targets = (0..<(b * t)).map { _ in Int32(trng.nextInt(below: cfg.vocabularySize)) }
        let model = try GPT(config: cfg, maxBatch: b, threads: try ComputeThreads(threads), seed: 42, gemmKernel: kernel)
        model.zeroGradients()
        let loss = try #require(try model.forward(inputs: inputs, targets: targets, batch: b, length: t))
        try model.backward()
        return (loss, model.gradients.array)
    }

    @Test func wholeModelMaskedWeightedLoss() throws {
        // Loss on a subset of positions with unequal weights (e.g. continuation tokens only).
        let w: [Float] = [0, 0, 1, 1, 2, 0, 1, 0, 0.5, 1]
        try check(threads: 1, weights: w, normalize: true)
    }

    @Test func wholeModelUnnormalisedSignedCoefficients() throws {
        let w: [Float] = [0.3, -0.2, 0, 0.1, 0.5, -1, 0.25, 0, 0.4, 0.2]
        try check(threads: 2, weights: w, normalize: false)
    }

    @Test func wholeModelSoftTargetsAtSomePositions() throws {
        // KL(q ‖ p) rows (a KL regulariser's retain positions) beside signed hard-target rows (gradient ascent).
        let w: [Float] = [-0.2, -0.2, 0.1, 0.1, 0.1, -0.3, 0.25, 0.25, 0.4, 0.2]
        try check(threads: 2, weights: w, normalize: false, softTargetPositions: [2, 3, 4, 6, 8])
    }
}
