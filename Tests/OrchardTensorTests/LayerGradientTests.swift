import Foundation
import Testing
@testable import OrchardTensor

/// Every layer's Float32 backward against central differences of an independent Float64 reference forward.
/// The scalar probed is L = Σ out·r with a fixed random r, so backward gets dout = r.
/// Tolerance: scaled max error (GradientCheck.scaledMaxError) ≤ 1e-3; forward outputs within 1e-4 of the reference.
/// Observed errors are ~1e-6–1e-5 (Float32 rounding and the polynomial exp); a wrong term is off by O(1).
@Suite struct LayerGradientTests {
    static let tolerance = 1e-3

    // oc = 19: above the 16-row/16-column split thresholds for 2 threads; oc = 150: the bias gradient's
    // 64-column SIMD blocks plus a scalar tail in every thread's share; c = 40 > oc = 19: dweight split by
    // input channels instead of output channels; n = 300 rows: five row tiles of forward and dinp claimed by the
    // threads (80, 64, 64, 64 and a partial 28; Linear.rowTile = 64), after each thread's static share of dweight.
    // Each shape runs with OpenBLAS and the packed kernel's two micro-tiles (5 and 19 columns are partial panels).
    @Test(arguments: [1, 2], [(19, 5, 37), (150, 5, 37), (19, 40, 37), (19, 5, 300)])
    func linear(threads: Int, shape: (oc: Int, c: Int, n: Int)) throws {
        let th = try ComputeThreads(threads)
        let n = shape.n, c = shape.c, oc = shape.oc
        let x = randomFloats(n * c, seed: 1), w = randomFloats(oc * c, seed: 2), b = randomFloats(oc, seed: 3)
        let r = randomFloats(n * oc, seed: 4)
        func reference(_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: n * oc)
            for i in 0..<n { for o in 0..<oc {
                var s = b[o]; for k in 0..<c { s += x[i * c + k] * w[o * c + k] }; out[i * oc + o] = s
            } }
            return out
        }
        let rd = doubles(r)
        let gx = GradientCheck.numericGradient(at: doubles(x)) { dot(reference($0, doubles(w), doubles(b)), rd) }
        let gw = GradientCheck.numericGradient(at: doubles(w)) { dot(reference(doubles(x), $0, doubles(b)), rd) }
        let gb = GradientCheck.numericGradient(at: doubles(b)) { dot(reference(doubles(x), doubles(w), $0), rd) }
        for kernel in Self.kernels {
            let packed = Self.workspace(kernel, oc: oc, c: c, threads: threads)
            let res = withBuffers([x, w, b, r, [Float](repeating: 0, count: n * oc), [Float](repeating: 0, count: n * c),
                                   [Float](repeating: 0.5, count: oc * c), [Float](repeating: 0.25, count: oc)]) { p in
                Linear.forward(out: p[4], inp: p[0], weight: p[1], bias: p[2], n: n, inChannels: c, outChannels: oc,
                               threads: th, packed: packed)
                Linear.backward(dinp: p[5], dweight: p[6], dbias: p[7], dout: p[3], inp: p[0], weight: p[1],
                                n: n, inChannels: c, outChannels: oc, threads: th, packed: packed)
            }
            #expect(GradientCheck.scaledMaxError(res[4], reference(doubles(x), doubles(w), doubles(b))) < 1e-4, "\(Self.name(kernel))")
            #expect(GradientCheck.scaledMaxError(res[5], gx) < Self.tolerance, "\(Self.name(kernel))")
            // dweight and dbias accumulate onto their previous contents (0.5 and 0.25 here).
            #expect(GradientCheck.scaledMaxError(res[6].map { $0 - 0.5 }, gw) < Self.tolerance, "\(Self.name(kernel))")
            #expect(GradientCheck.scaledMaxError(res[7].map { $0 - 0.25 }, gb) < Self.tolerance, "\(Self.name(kernel))")
        }
    }

    /// Every way a Linear's products run: OpenBLAS (nil), and the packed kernel with each micro-tile (the AVX-512
    /// one too: on a machine without it, its 16-wide vectors are split, but it computes the same sums).
    static let kernels: [PackedGEMM.MicroTile?] = [nil] + PackedGEMM.MicroTile.allCases
    static func name(_ kernel: PackedGEMM.MicroTile?) -> String { kernel.map { "packed \($0.rawValue)" } ?? "openblas" }

    /// The packed kernel's workspace for a Linear layer's forward (weightᵀ) and input gradient (weight), or nil.
    static func workspace(_ tile: PackedGEMM.MicroTile?, oc: Int, c: Int, threads: Int) -> PackedGEMM? {
        guard let tile else { return nil }
        return PackedGEMM(capacity: PackedGEMM.linearCapacity(outChannels: oc, inChannels: c, tile: tile),
                          workers: threads, tile: tile)
    }

    /// The fused residual connection: out = inp·Wᵀ + bias + residual, with the residual in its own buffer or
    /// in out itself, with and without a bias (the residual's gradient is dout, so only the forward needs a check).
    @Test(arguments: [1, 2]) func linearForwardAddsAResidual(threads: Int) throws {
        let th = try ComputeThreads(threads)
        let n = 37, c = 24, oc = 150
        let x = randomFloats(n * c, seed: 11), w = randomFloats(oc * c, seed: 12), b = randomFloats(oc, seed: 13)
        let resid = randomFloats(n * oc, seed: 14)
        for (kernel, withBias) in Self.kernels.flatMap({ k in [true, false].map { (k, $0) } }) {
            let packed = Self.workspace(kernel, oc: oc, c: c, threads: threads)
            let zero = [Float](repeating: 0, count: n * oc)
            let out = withBuffers([x, w, b, resid, zero, resid]) { p in
                let bias = withBias ? UnsafePointer(p[2]) : nil
                Linear.forward(out: p[4], inp: p[0], weight: p[1], bias: bias, n: n, inChannels: c, outChannels: oc,
                               threads: th, packed: packed)
                Elementwise.accumulate(p[4], p[3], count: n * oc, threads: th)   // the unfused reference
                Linear.forward(out: p[5], inp: p[0], weight: p[1], bias: bias, residual: p[5],
                               n: n, inChannels: c, outChannels: oc, threads: th, packed: packed)   // out aliases the residual
            }
            let separate = withBuffers([x, w, b, resid, zero]) { p in
                Linear.forward(out: p[4], inp: p[0], weight: p[1], bias: withBias ? UnsafePointer(p[2]) : nil, residual: p[3],
                               n: n, inChannels: c, outChannels: oc, threads: th, packed: packed)
            }
            #expect(GradientCheck.scaledMaxError(out[5], doubles(out[4])) < 1e-6, "aliased, bias \(withBias), \(Self.name(kernel))")
            #expect(GradientCheck.scaledMaxError(separate[4], doubles(out[4])) < 1e-6, "separate, bias \(withBias), \(Self.name(kernel))")
            #expect(separate[4] == out[5], "separate or aliased residual: the same arithmetic")
        }
    }

    @Test(arguments: [1, 2]) func layerNorm(threads: Int) throws {
        let th = try ComputeThreads(threads)
        let n = 20, c = 19  // one SIMD16 block plus a scalar tail
        let x = randomFloats(n * c, seed: 5, scale: 2), w = randomFloats(c, seed: 6), b = randomFloats(c, seed: 7)
        let r = randomFloats(n * c, seed: 8)
        func reference(_ x: [Double], _ w: [Double], _ b: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: n * c)
            for i in 0..<n {
                let row = Array(x[(i * c)..<(i * c + c)])
                let m = row.reduce(0, +) / Double(c)
                let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(c)
                let s = 1 / (v + 1e-5).squareRoot()
                for j in 0..<c { out[i * c + j] = (row[j] - m) * s * w[j] + b[j] }
            }
            return out
        }
        let res = withBuffers([x, w, b, r, .init(repeating: 0, count: n * c), .init(repeating: 0, count: n),
                               .init(repeating: 0, count: n), .init(repeating: 0, count: n * c),
                               .init(repeating: 0, count: c), .init(repeating: 0, count: c)]) { p in
            LayerNorm.forward(out: p[4], mean: p[5], rstd: p[6], inp: p[0], weight: p[1], bias: p[2], n: n, channels: c, threads: th)
            LayerNorm.backward(dinp: p[7], dweight: p[8], dbias: p[9], dout: p[3], inp: p[0], weight: p[1],
                               mean: p[5], rstd: p[6], n: n, channels: c, threads: th)
        }
        let rd = doubles(r)
        #expect(GradientCheck.scaledMaxError(res[4], reference(doubles(x), doubles(w), doubles(b))) < 1e-4)
        let gx = GradientCheck.numericGradient(at: doubles(x)) { dot(reference($0, doubles(w), doubles(b)), rd) }
        let gw = GradientCheck.numericGradient(at: doubles(w)) { dot(reference(doubles(x), $0, doubles(b)), rd) }
        let gb = GradientCheck.numericGradient(at: doubles(b)) { dot(reference(doubles(x), doubles(w), $0), rd) }
        #expect(GradientCheck.scaledMaxError(res[7], gx) < Self.tolerance)
        #expect(GradientCheck.scaledMaxError(res[8], gw) < Self.tolerance)
        #expect(GradientCheck.scaledMaxError(res[9], gb) < Self.tolerance)
    }

    @Test func gelu() throws {
        let count = 53  // three SIMD16 blocks plus a tail
        let x = randomFloats(count, seed: 9, scale: 3), r = randomFloats(count, seed: 10)
        func reference(_ x: [Double]) -> [Double] {
            x.map { 0.5 * $0 * (1 + tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }
        }
        let res = withBuffers([x, r, .init(repeating: 0, count: count), .init(repeating: 0, count: count)]) { p in
            GELU.forward(out: p[2], inp: p[0], count: count, threads: oneThread)
            GELU.backward(dinp: p[3], dout: p[1], inp: p[0], count: count, threads: oneThread)
        }
        #expect(GradientCheck.scaledMaxError(res[2], reference(doubles(x))) < 1e-4)
        let gx = GradientCheck.numericGradient(at: doubles(x)) { dot(reference($0), doubles(r)) }
        #expect(GradientCheck.scaledMaxError(res[3], gx) < Self.tolerance)
    }

    @Test(arguments: [1, 2]) func softmaxCrossEntropy(threads: Int) throws {
        let th = try ComputeThreads(threads)
        let n = 17, v = 21
        let logits = randomFloats(n * v, seed: 11, scale: 3)
        var rng = SeededRandom(seed: 12)
        let targets = (0..<n).map { _ in Int32(rng.nextInt(below: v)) }
        var coef = randomFloats(n, seed: 13)
        coef[3] = 0  // a masked position
        func reference(_ z: [Double]) -> [Double] {
            (0..<n).map { i in
                let row = z[(i * v)..<(i * v + v)]
                let m = row.max()!
                return m + log(row.map { exp($0 - m) }.reduce(0, +)) - z[i * v + Int(targets[i])]
            }
        }
        var losses = [Float](repeating: 0, count: n)
        let res = withBuffers([logits, coef, .init(repeating: 0, count: n * v)]) { p in
            targets.withUnsafeBufferPointer { t in
                losses.withUnsafeMutableBufferPointer { l in
                    SoftmaxCrossEntropy.forward(losses: l.baseAddress!, logits: p[0], targets: t.baseAddress!, n: n, vocabulary: v, threads: th)
                }
                SoftmaxCrossEntropy.backward(dlogits: p[2], logits: p[0], targets: t.baseAddress!, coefficients: p[1],
                                             n: n, vocabulary: v, threads: th)
            }
        }
        #expect(GradientCheck.scaledMaxError(losses, reference(doubles(logits))) < 1e-4)
        let g = GradientCheck.numericGradient(at: doubles(logits)) { dot(reference($0), doubles(coef)) }
        #expect(GradientCheck.scaledMaxError(res[2], g) < Self.tolerance)
        #expect(res[2][(3 * v)..<(4 * v)].allSatisfy { $0 == 0 })
    }

    // t = 18: softmax rows cross the SIMD16 width; t = 70: three causal row blocks (32, 32, 6), the last partial,
    // and 12 (AVX2) or 6 (AVX-512) micro-tiles of rows, the last partial. Each runs on OpenBLAS and on both tiles.
    @Test(arguments: [1, 2], [18, 70]) func causalSelfAttention(threads: Int, t: Int) throws {
        let th = try ComputeThreads(threads)
        let b = t > CausalSelfAttention.causalBlock ? 1 : 2, c = 8, h = 2, hs = c / h
        let qkv = randomFloats(b * t * 3 * c, seed: 14), r = randomFloats(b * t * c, seed: 15)
        func reference(_ x: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: b * t * c)
            for bb in 0..<b { for hh in 0..<h { for i in 0..<t {
                let q = (bb * t + i) * 3 * c + hh * hs
                var scores = [Double]()
                for j in 0...i {
                    let k = (bb * t + j) * 3 * c + c + hh * hs
                    var s = 0.0; for d in 0..<hs { s += x[q + d] * x[k + d] }
                    scores.append(s / Double(hs).squareRoot())
                }
                let m = scores.max()!
                let e = scores.map { exp($0 - m) }, z = e.reduce(0, +)
                for j in 0...i { for d in 0..<hs {
                    out[(bb * t + i) * c + hh * hs + d] += e[j] / z * x[(bb * t + j) * 3 * c + 2 * c + hh * hs + d]
                } }
            } } }
            return out
        }
        let g = GradientCheck.numericGradient(at: doubles(qkv)) { dot(reference($0), doubles(r)) }
        let expected = reference(doubles(qkv))
        for kernel in Self.kernels {
            let res = Self.attention(qkv: qkv, dout: r, batch: b, length: t, channels: c, heads: h, threads: th, kernel: kernel)
            #expect(GradientCheck.scaledMaxError(res.out, expected) < 1e-4, "\(Self.name(kernel))")
            #expect(GradientCheck.scaledMaxError(res.dqkv, g) < Self.tolerance, "\(Self.name(kernel))")
        }
    }

    /// Attention forward and backward (out, att, dqkv), on OpenBLAS (nil) or the packed kernel with one workspace
    /// per thread. dqkv starts at 7 everywhere: backward must overwrite all of it.
    static func attention(qkv: [Float], dout: [Float], batch b: Int, length t: Int, channels c: Int, heads h: Int,
                          threads th: ComputeThreads, kernel: PackedGEMM.MicroTile?) -> (out: [Float], att: [Float], dqkv: [Float]) {
        let gemms = kernel.map { tile in
            (0..<th.count).map { _ in
                PackedGEMM(capacity: CausalSelfAttention.packedCapacity(length: t, headSize: c / h, tile: tile), workers: 1, tile: tile)
            }
        }
        let res = withBuffers([qkv, dout, .init(repeating: 0, count: b * t * c), .init(repeating: 0, count: b * h * t * t),
                               .init(repeating: 7, count: b * t * 3 * c), .init(repeating: 0, count: th.count * t * t)]) { p in
            CausalSelfAttention.forward(out: p[2], att: p[3], qkv: p[0], batch: b, length: t, channels: c, heads: h,
                                        threads: th, gemms: gemms)
            CausalSelfAttention.backward(dqkv: p[4], dout: p[1], qkv: p[0], att: p[3], scratch: p[5],
                                         batch: b, length: t, channels: c, heads: h, threads: th, gemms: gemms)
        }
        return (res[2], res[3], res[4])
    }

    /// The gradient check above has 4 channels per head, so the packed kernel only runs its edge path there. With
    /// 64 (two or four whole panels), t = 77 (partial micro-tiles, causal limits inside panels) and two threads,
    /// both tiles must agree with OpenBLAS to rounding: a wrong index or causal limit is off by O(1).
    @Test func packedAttentionMatchesOpenBLASOnWholeTiles() throws {
        let th = try ComputeThreads(2)
        let b = 2, t = 77, c = 128, h = 2
        let qkv = randomFloats(b * t * 3 * c, seed: 31).map { $0 * 2 }, r = randomFloats(b * t * c, seed: 32)
        let reference = Self.attention(qkv: qkv, dout: r, batch: b, length: t, channels: c, heads: h, threads: th, kernel: nil)
        for tile in PackedGEMM.MicroTile.allCases {
            let res = Self.attention(qkv: qkv, dout: r, batch: b, length: t, channels: c, heads: h, threads: th, kernel: tile)
            #expect(GradientCheck.scaledMaxError(res.out, reference.out.map(Double.init)) < 1e-5, "\(tile)")
            #expect(GradientCheck.scaledMaxError(res.att, reference.att.map(Double.init)) < 1e-5, "\(tile)")
            #expect(GradientCheck.scaledMaxError(res.dqkv, reference.dqkv.map(Double.init)) < 1e-5, "\(tile)")
            // Above the diagonal the probabilities are exact zeros (the products that follow skip or read them).
            let above = (0..<(b * h)).flatMap { bh in (0..<t).flatMap { i in ((i + 1)..<t).map { res.att[bh * t * t + i * t + $0] } } }
            #expect(above.allSatisfy { $0 == 0 }, "\(tile)")
        }
    }

    @Test(arguments: [1, 2]) func embedding(threads: Int) throws {
        let th = try ComputeThreads(threads)
        let b = 3, t = 4, c = 40, v = 7
        let wte = randomFloats(v * c, seed: 16), wpe = randomFloats(t * c, seed: 17), r = randomFloats(b * t * c, seed: 18)
        let tokens: [Int32] = [0, 3, 3, 6, 1, 1, 2, 0, 5, 3, 4, 6]
        func reference(_ wte: [Double], _ wpe: [Double]) -> [Double] {
            (0..<(b * t * c)).map { i in
                let row = i / c, j = i % c
                return wte[Int(tokens[row]) * c + j] + wpe[(row % t) * c + j]
            }
        }
        let res = withBuffers([wte, wpe, r, .init(repeating: 0, count: b * t * c), .init(repeating: 0, count: v * c),
                               .init(repeating: 0, count: t * c)]) { p in
            tokens.withUnsafeBufferPointer { tk in
                Embedding.forward(out: p[3], tokens: tk.baseAddress!, wte: p[0], wpe: p[1], batch: b, length: t, channels: c, threads: th)
                Embedding.backward(dwte: p[4], dwpe: p[5], dout: p[2], tokens: tk.baseAddress!, batch: b, length: t, channels: c, threads: th)
            }
        }
        #expect(GradientCheck.scaledMaxError(res[3], reference(doubles(wte), doubles(wpe))) < 1e-6)
        let ge = GradientCheck.numericGradient(at: doubles(wte)) { dot(reference($0, doubles(wpe)), doubles(r)) }
        let gp = GradientCheck.numericGradient(at: doubles(wpe)) { dot(reference(doubles(wte), $0), doubles(r)) }
        #expect(GradientCheck.scaledMaxError(res[4], ge) < Self.tolerance)
        #expect(GradientCheck.scaledMaxError(res[5], gp) < Self.tolerance)
    }
}

@Suite struct FastMathTests {
    /// Polynomial exp/tanh against libm in Float64: relative error ≤ 1e-6 for exp on [-80, 80], absolute ≤ 1e-6 for tanh.
    @Test func fastExpAndTanhAreAccurate() {
        var worstExp = 0.0, worstTanh = 0.0
        var x: Float = -80
        while x < 80 {
            let e = Double(fastExp(x)), ref = exp(Double(x))
            worstExp = max(worstExp, abs(e - ref) / ref)
            worstTanh = max(worstTanh, abs(Double(fastTanh(x / 8)) - tanh(Double(x / 8))))
            x += 0.0137
        }
        #expect(worstExp < 1e-6)
        #expect(worstTanh < 1e-6)
        #expect(fastExp(-1000) < 1e-37 && fastExp(-1000) >= 0)
        #expect(fastExp(1000).isFinite)
        #expect(fastTanh(50) == 1 && fastTanh(-50) == -1)
    }
}
