import Foundation
import OrchardTensor

/// A GPT-2 decoder trained with hand-written forward and backward passes (the llm.c way):
/// one parameter buffer, one gradient buffer with the same layout, and activation buffers sized
/// at construction for `maxBatch` × contextLength; a training step allocates nothing.
public final class GPT {
    public let config: GPTConfig
    public let maxBatch: Int
    public var threads: ComputeThreads
    public let layout: GPTParameterLayout
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    /// The GEMM of the projections' forward and input-gradient products and of attention (GEMMKernel.preferred unless chosen).
    public let gemmKernel: GEMMKernel
    /// Workspace of the packed kernel (nil for OpenBLAS): the largest packed weight and one A block per thread.
    let packedGEMM: PackedGEMM?
    /// Attention's workspaces on the packed kernel, one per thread (nil for OpenBLAS).
    let attentionGEMMs: [PackedGEMM]?

    /// Per-layer activations saved by forward for backward.
    struct LayerActivations {
        let ln1, ln1Mean, ln1Rstd, qkv, att, atty, residual2, ln2, ln2Mean, ln2Rstd, fch, fchGelu, residual3: Int
    }

    let acts: FloatBuffer
    let layerActs: [LayerActivations]
    let encoded, lnf, lnfMean, lnfRstd, logits, losses, coefficients: Int
    // Backward scratch.
    let scratch: FloatBuffer
    let dResidual, dLN, dWide, dAtty, dAttScratch: Int
    let tokens: UnsafeMutablePointer<Int32>
    let targets: UnsafeMutablePointer<Int32>

    /// Shape of the last forward pass and whether it had targets (backward needs them).
    public private(set) var lastBatch = 0
    public private(set) var lastLength = 0
    public private(set) var lastHadTargets = false
    /// Soft targets of the last forward (position → distribution), cleared by `backward` and by every forward.
    private var softTargets: [Int: [Float]] = [:]
    /// Soft targets for every position of the last forward ((batch × length) × vocabulary), or nil.
    private var denseSoftTargets: [Float]? = nil

    /// `inferenceOnly`: forward passes only (a distillation teacher, an evaluator): no gradient buffer, and the layers'
    /// activations alternate between two sets (layer l writes set l mod 2 and reads only layer l − 1's output), so
    /// nothing is kept for a backward pass; `backward` throws. Its forward is bit-identical to a training model's.
    public init(config: GPTConfig, maxBatch: Int, threads: ComputeThreads = .single, seed: UInt64 = 0,
                gemmKernel: GEMMKernel = .preferred, inferenceOnly: Bool = false) throws {
        try config.validate()
        guard maxBatch >= 1 else { throw ModelError.invalidConfig("batch size must be >= 1") }
        self.config = config; self.maxBatch = maxBatch; self.threads = threads; self.gemmKernel = gemmKernel
        self.inferenceOnly = inferenceOnly
        layout = GPTParameterLayout(config)
        parameters = FloatBuffer(count: layout.count)
        gradients = FloatBuffer(count: inferenceOnly ? 0 : layout.count)

        let B = maxBatch, T = config.contextLength, C = config.channels, H = config.heads, V = config.vocabularySize
        let N = B * T
        var a = BufferCarver()
        encoded = a.reserve(N * C)
        var layers = [LayerActivations]()
        for _ in 0..<(inferenceOnly ? min(2, config.layers) : config.layers) {
            layers.append(LayerActivations(
                ln1: a.reserve(N * C), ln1Mean: a.reserve(N), ln1Rstd: a.reserve(N), qkv: a.reserve(N * 3 * C),
                att: a.reserve(B * H * T * T), atty: a.reserve(N * C), residual2: a.reserve(N * C),
                ln2: a.reserve(N * C), ln2Mean: a.reserve(N), ln2Rstd: a.reserve(N),
                fch: a.reserve(N * 4 * C), fchGelu: a.reserve(N * 4 * C), residual3: a.reserve(N * C)))
        }
        layerActs = (0..<config.layers).map { layers[$0 % layers.count] }
        lnf = a.reserve(N * C); lnfMean = a.reserve(N); lnfRstd = a.reserve(N)
        logits = a.reserve(N * V); losses = a.reserve(N); coefficients = a.reserve(N)
        acts = FloatBuffer(count: a.used)

        var s = BufferCarver()
        dResidual = s.reserve(N * C); dLN = s.reserve(N * C); dWide = s.reserve(N * 4 * C); dAtty = s.reserve(N * C)
        dAttScratch = s.reserve(threads.count * T * T)
        scratchThreadCapacity = threads.count
        scratch = FloatBuffer(count: inferenceOnly ? 0 : s.used)
        switch gemmKernel {
        case .openBLAS:
            packedGEMM = nil
            attentionGEMMs = nil
        case .packed:
            // (out, in) of every projection: qkv, attention proj, mlp fc, mlp proj, the tied LM head.
            let products = [(3 * C, C), (C, C), (4 * C, C), (C, 4 * C), (V, C)]
            let capacity = products.map { PackedGEMM.linearCapacity(outChannels: $0, inChannels: $1) }.max()!
            packedGEMM = PackedGEMM(capacity: capacity, workers: threads.count)
            let attention = CausalSelfAttention.packedCapacity(length: T, headSize: C / H)
            attentionGEMMs = (0..<threads.count).map { _ in PackedGEMM(capacity: attention, workers: 1) }
        }
        tokens = .allocate(capacity: N); tokens.initialize(repeating: 0, count: N)
        targets = .allocate(capacity: N); targets.initialize(repeating: 0, count: N)
        initializeParameters(seed: seed)
    }

    let scratchThreadCapacity: Int
    public let inferenceOnly: Bool

    /// Per-thread scratch (attention's backward, the packed GEMM's A blocks) is sized for the threads at construction.
    func checkThreadCapacity() throws {
        guard threads.count <= scratchThreadCapacity else {
            throw ModelError.invalidState("model built for \(scratchThreadCapacity) threads, now set to \(threads.count)")
        }
    }

    deinit { tokens.deallocate(); targets.deallocate() }

    public var parameterCount: Int { layout.tensors.reduce(0) { $0 + $1.count } }

    /// GPT-2 init: N(0, 0.02) weights and embeddings, residual projections N(0, 0.02/√(2L)), zero biases, LN = (1, 0).
    public func initializeParameters(seed: UInt64) {
        var rng = SeededRandom(seed: seed)
        let p = parameters.pointer
        parameters.zero()
        let residualStd = 0.02 / Float(2 * config.layers).squareRoot()
        for t in layout.tensors {
            if t.name.hasSuffix("ln_1.weight") || t.name.hasSuffix("ln_2.weight") || t.name == "ln_f.weight" {
                for i in t.range { p[i] = 1 }
            } else if t.shape.count == 2 {
                let std: Float = t.name.hasSuffix("c_proj.weight") ? residualStd : 0.02
                for i in t.range { p[i] = rng.nextNormal() * std }
            }
        }
    }

    public func zeroGradients() { Elementwise.fill(gradients.pointer, count: gradients.count, threads: threads) }

    // MARK: forward

    /// Runs the model on inputs (batch × length token ids, row-major). With targets, returns the loss
    /// Σ cᵢ·(−log p(targetᵢ)) where cᵢ = 1/(B·T) without weights, wᵢ/Σw with weights (normalize) or wᵢ as given.
    /// Weights select positions (0 = ignore), e.g. loss on continuation tokens only; they may be negative when not normalized.
    @discardableResult
    public func forward(inputs: [Int32], targets: [Int32]? = nil, weights: [Float]? = nil, normalizeWeights: Bool = true,
                        batch: Int? = nil, length: Int? = nil) throws -> Float? {
        let b = batch ?? maxBatch, t = length ?? config.contextLength
        guard b >= 1, b <= maxBatch else { throw ModelError.invalidInput("batch \(b) not in 1...\(maxBatch)") }
        guard t >= 1, t <= config.contextLength else { throw ModelError.invalidInput("length \(t) not in 1...\(config.contextLength)") }
        let n = b * t
        guard inputs.count == n else { throw ModelError.invalidInput("expected \(n) input tokens, got \(inputs.count)") }
        let V = Int32(config.vocabularySize)
        try Self.copyTokens(inputs, into: tokens, vocabulary: V, what: "input")
        if let targets {
            guard targets.count == n else { throw ModelError.invalidInput("expected \(n) targets, got \(targets.count)") }
            try Self.copyTokens(targets, into: self.targets, vocabulary: V, what: "target")
        }
        if let weights {
            guard targets != nil else { throw ModelError.invalidInput("weights need targets") }
            guard weights.count == n else { throw ModelError.invalidInput("expected \(n) weights, got \(weights.count)") }
            guard weights.allSatisfy({ $0.isFinite }) else { throw ModelError.invalidInput("weights must be finite") }
            if normalizeWeights {
                let total = weights.reduce(0, +)
                guard total > 0 else { throw ModelError.invalidInput("weights sum to \(total); need a positive sum to normalise") }
            }
        }
        try checkThreadCapacity()
        lastBatch = b; lastLength = t; lastHadTargets = targets != nil; softTargets = [:]; denseSoftTargets = nil
        forwardCore(b: b, t: t)
        guard targets != nil else { return nil }

        let A = acts.pointer
        let coef = A + coefficients
        if let weights {
            let total: Float = normalizeWeights ? weights.reduce(0, +) : 1
            for i in 0..<n { coef[i] = normalizeWeights ? weights[i] / total : weights[i] }
        } else {
            coef.update(repeating: 1 / Float(n), count: n)
        }
        SoftmaxCrossEntropy.forward(losses: A + losses, logits: A + logits, targets: self.targets, n: n,
                                    vocabulary: config.vocabularySize, threads: threads)
        var loss: Double = 0
        for i in 0..<n { loss += Double(coef[i]) * Double(A[losses + i]) }
        return Float(loss)
    }

    static func copyTokens(_ values: [Int32], into dst: UnsafeMutablePointer<Int32>, vocabulary: Int32, what: String) throws {
        for (i, v) in values.enumerated() {
            guard v >= 0, v < vocabulary else { throw ModelError.invalidInput("\(what) token \(v) at \(i) outside 0..<\(vocabulary)") }
            dst[i] = v
        }
    }

    func forwardCore(b: Int, t: Int) {
        let C = config.channels, H = config.heads, V = config.vocabularySize, n = b * t
        let P = parameters.pointer, A = acts.pointer, th = threads, pg = packedGEMM
        Embedding.forward(out: A + encoded, tokens: tokens, wte: P + layout.wte, wpe: P + layout.wpe,
                          batch: b, length: t, channels: C, threads: th)
        var residual = A + encoded
        for (l, blk) in layout.blocks.enumerated() {
            let la = layerActs[l]
            // Each LayerNorm runs inside the row tiles of the projection that reads it, GELU inside those of mlp.c_fc.
            Linear.forward(out: A + la.qkv, inp: A + la.ln1, weight: P + blk.qkvWeight, bias: P + blk.qkvBias,
                           n: n, inChannels: C, outChannels: 3 * C, threads: th, packed: pg, beforeTile: { rows in
                LayerNorm.forwardRows(rows, out: A + la.ln1, mean: A + la.ln1Mean, rstd: A + la.ln1Rstd, inp: residual,
                                      weight: P + blk.ln1Weight, bias: P + blk.ln1Bias, channels: C)
            })
            CausalSelfAttention.forward(out: A + la.atty, att: A + la.att, qkv: A + la.qkv,
                                        batch: b, length: t, channels: C, heads: H, threads: th, gemms: attentionGEMMs)
            Linear.forward(out: A + la.residual2, inp: A + la.atty, weight: P + blk.projWeight, bias: P + blk.projBias,
                           residual: residual, n: n, inChannels: C, outChannels: C, threads: th, packed: pg)
            Linear.forward(out: A + la.fch, inp: A + la.ln2, weight: P + blk.fcWeight, bias: P + blk.fcBias,
                           n: n, inChannels: C, outChannels: 4 * C, threads: th, packed: pg, beforeTile: { rows in
                LayerNorm.forwardRows(rows, out: A + la.ln2, mean: A + la.ln2Mean, rstd: A + la.ln2Rstd, inp: A + la.residual2,
                                      weight: P + blk.ln2Weight, bias: P + blk.ln2Bias, channels: C)
            }, afterTile: { rows in
                let first = rows.lowerBound * 4 * C
                GELU.forward(out: A + la.fchGelu + first, inp: A + la.fch + first, count: rows.count * 4 * C)
            })
            Linear.forward(out: A + la.residual3, inp: A + la.fchGelu, weight: P + blk.fcProjWeight, bias: P + blk.fcProjBias,
                           residual: A + la.residual2, n: n, inChannels: 4 * C, outChannels: C, threads: th, packed: pg)
            residual = A + la.residual3
        }
        Linear.forward(out: A + logits, inp: A + lnf, weight: P + layout.wte, bias: nil,
                       n: n, inChannels: C, outChannels: V, threads: th, packed: pg, beforeTile: { rows in
            LayerNorm.forwardRows(rows, out: A + lnf, mean: A + lnfMean, rstd: A + lnfRstd, inp: residual,
                                  weight: P + layout.lnfWeight, bias: P + layout.lnfBias, channels: C)
        })
    }

    // MARK: backward

    /// Accumulates d(loss)/d(parameters) into `gradients` for the last forward pass (which needs targets).
    /// Overwrites the logits with their gradient.
    public func backward() throws {
        guard !inferenceOnly else { throw ModelError.invalidState("an inference-only model keeps no activations for a backward pass") }
        guard lastHadTargets else { throw ModelError.invalidState("backward needs a forward pass with targets") }
        try checkThreadCapacity()
        let b = lastBatch, t = lastLength, n = b * t
        let C = config.channels, H = config.heads, V = config.vocabularySize
        let P = parameters.pointer, G = gradients.pointer, A = acts.pointer, S = scratch.pointer, th = threads, pg = packedGEMM
        let dres = S + dResidual, dln = S + dLN, dwide = S + dWide, datty = S + dAtty

        SoftmaxCrossEntropy.backward(dlogits: A + logits, logits: A + logits, targets: targets, coefficients: A + coefficients,
                                     n: n, vocabulary: V, threads: th)
        // Soft targets: cᵢ·(p − onehot) becomes cᵢ·(p − qᵢ).
        for (i, q) in softTargets {
            let w = A[coefficients + i], d = A + logits + i * V
            guard w != 0 else { continue }
            d[Int(targets[i])] += w
            for j in 0..<V { d[j] -= w * q[j] }
        }
        softTargets = [:]
        if let q = denseSoftTargets {
            q.withUnsafeBufferPointer { qp in
                th.parallelTiles(n, minimumTile: 32) { _, rows in
                    for i in rows {
                        let w = A[coefficients + i], d = A + logits + i * V, qi = qp.baseAddress! + i * V
                        guard w != 0 else { continue }
                        d[Int(targets[i])] += w
                        for j in 0..<V { d[j] -= w * qi[j] }
                    }
                }
            }
            denseSoftTargets = nil
        }
        // Each LayerNorm's input gradient runs inside the row tiles of dinp that feed it (GELU's likewise); its
        // weight and bias gradients need every row, so they follow in a region of their own.
        let lastResidual = config.layers > 0 ? A + layerActs[config.layers - 1].residual3 : A + encoded
        Elementwise.fill(dres, count: n * C, threads: th)
        Linear.backward(dinp: dln, dweight: G + layout.wte, dbias: nil, dout: A + logits, inp: A + lnf, weight: P + layout.wte,
                        n: n, inChannels: C, outChannels: V, threads: th, packed: pg, afterTile: { rows in
            LayerNorm.backwardRows(rows, dinp: dres, dout: dln, inp: lastResidual, weight: P + layout.lnfWeight,
                                   mean: A + lnfMean, rstd: A + lnfRstd, channels: C)
        })
        LayerNorm.backwardParameters(dweight: G + layout.lnfWeight, dbias: G + layout.lnfBias, dout: dln, inp: lastResidual,
                                     mean: A + lnfMean, rstd: A + lnfRstd, n: n, channels: C, threads: th)

        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let blk = layout.blocks[l], la = layerActs[l]
            let residual = l == 0 ? A + encoded : A + layerActs[l - 1].residual3
            // MLP: residual3 = residual2 + fcProj(gelu(fc(ln2(residual2)))).
            Linear.backward(dinp: dwide, dweight: G + blk.fcProjWeight, dbias: G + blk.fcProjBias, dout: dres,
                            inp: A + la.fchGelu, weight: P + blk.fcProjWeight, n: n, inChannels: 4 * C, outChannels: C, threads: th, packed: pg,
                            afterTile: { rows in
                let first = rows.lowerBound * 4 * C
                GELU.backward(dinp: dwide + first, dout: dwide + first, inp: A + la.fch + first, count: rows.count * 4 * C)
            })
            Linear.backward(dinp: dln, dweight: G + blk.fcWeight, dbias: G + blk.fcBias, dout: dwide,
                            inp: A + la.ln2, weight: P + blk.fcWeight, n: n, inChannels: C, outChannels: 4 * C, threads: th, packed: pg,
                            afterTile: { rows in
                LayerNorm.backwardRows(rows, dinp: dres, dout: dln, inp: A + la.residual2, weight: P + blk.ln2Weight,
                                       mean: A + la.ln2Mean, rstd: A + la.ln2Rstd, channels: C)
            })
            LayerNorm.backwardParameters(dweight: G + blk.ln2Weight, dbias: G + blk.ln2Bias, dout: dln, inp: A + la.residual2,
                                         mean: A + la.ln2Mean, rstd: A + la.ln2Rstd, n: n, channels: C, threads: th)
            // Attention: residual2 = residual + proj(attn(qkv(ln1(residual)))).
            Linear.backward(dinp: datty, dweight: G + blk.projWeight, dbias: G + blk.projBias, dout: dres,
                            inp: A + la.atty, weight: P + blk.projWeight, n: n, inChannels: C, outChannels: C, threads: th, packed: pg)
            CausalSelfAttention.backward(dqkv: dwide, dout: datty, qkv: A + la.qkv, att: A + la.att, scratch: S + dAttScratch,
                                         batch: b, length: t, channels: C, heads: H, threads: th, gemms: attentionGEMMs)
            Linear.backward(dinp: dln, dweight: G + blk.qkvWeight, dbias: G + blk.qkvBias, dout: dwide,
                            inp: A + la.ln1, weight: P + blk.qkvWeight, n: n, inChannels: C, outChannels: 3 * C, threads: th, packed: pg,
                            afterTile: { rows in
                LayerNorm.backwardRows(rows, dinp: dres, dout: dln, inp: residual, weight: P + blk.ln1Weight,
                                       mean: A + la.ln1Mean, rstd: A + la.ln1Rstd, channels: C)
            })
            LayerNorm.backwardParameters(dweight: G + blk.ln1Weight, dbias: G + blk.ln1Bias, dout: dln, inp: residual,
                                         mean: A + la.ln1Mean, rstd: A + la.ln1Rstd, n: n, channels: C, threads: th)
        }
        Embedding.backward(dwte: G + layout.wte, dwpe: G + layout.wpe, dout: dres, tokens: tokens,
                           batch: b, length: t, channels: C, threads: th)
        lastHadTargets = false  // the logits now hold gradients
    }

    /// Replaces the loss coefficients of the last forward pass with targets (batch × length): the next `backward`
    /// then differentiates Σ cᵢ·(−log p(targetᵢ)). For objectives whose weights depend on the forward's own
    /// log-probabilities (DPO: cᵢ = ∓ dℓ/dΔ on response tokens), set after reading `lastTokenLogProbabilities`.
    public func setLossCoefficients(_ c: [Float]) throws {
        guard lastHadTargets else { throw ModelError.invalidState("loss coefficients need a forward pass with targets") }
        let n = lastBatch * lastLength
        guard c.count == n else { throw ModelError.invalidInput("expected \(n) coefficients, got \(c.count)") }
        guard c.allSatisfy({ $0.isFinite }) else { throw ModelError.invalidInput("coefficients must be finite") }
        let coef = acts.pointer + coefficients
        for i in 0..<n { coef[i] = c[i] }
    }

    /// Soft targets for some positions of the last forward pass with targets: at position i, the next `backward`
    /// differentiates cᵢ·(−Σⱼ qᵢⱼ log pᵢⱼ) (cross-entropy against the distribution qᵢ, i.e. KL(qᵢ ‖ pᵢ) up to a constant)
    /// instead of cᵢ·(−log p(targetᵢ)); other positions keep their hard target. Each qᵢ has `vocabularySize`
    /// non-negative entries summing to 1. Used by KL regularisers (unlearning) and distillation.
    public func setSoftTargets(_ q: [Int: [Float]]) throws {
        guard lastHadTargets else { throw ModelError.invalidState("soft targets need a forward pass with targets") }
        let n = lastBatch * lastLength, V = config.vocabularySize
        for (i, row) in q {
            guard i >= 0, i < n else { throw ModelError.invalidInput("soft target position \(i) outside 0..<\(n)") }
            guard row.count == V, row.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw ModelError.invalidInput("soft target at \(i): expected \(V) finite non-negative probabilities")
            }
            let total = row.reduce(0, +)
            guard abs(total - 1) < 1e-3 else { throw ModelError.invalidInput("soft target at \(i) sums to \(total), not 1") }
        }
        softTargets = q
    }

    /// Soft targets for every position of the last forward pass with targets ((batch × length) × vocabulary,
    /// row-major, each row a distribution): the next `backward` differentiates Σᵢ cᵢ·(−Σⱼ qᵢⱼ log pᵢⱼ). The dense
    /// form of `setSoftTargets` for distillation, where every position has a teacher distribution. Returns that loss.
    @discardableResult
    public func setSoftTargets(dense q: [Float]) throws -> Double {
        guard lastHadTargets else { throw ModelError.invalidState("soft targets need a forward pass with targets") }
        let n = lastBatch * lastLength, V = config.vocabularySize
        guard q.count == n * V else { throw ModelError.invalidInput("expected \(n * V) soft targets, got \(q.count)") }
        let A = acts.pointer
        var loss = 0.0
        for i in 0..<n {
            let x = A + logits + i * V
            let lse = Double(Softmax.logSumExp(x, V))
            var total: Float = 0, row = 0.0
            for j in 0..<V {
                let qj = q[i * V + j]
                guard qj >= 0, qj.isFinite else { throw ModelError.invalidInput("soft target at \(i) is not a distribution") }
                total += qj
                if qj > 0 { row += Double(qj) * (lse - Double(x[j])) }
            }
            guard abs(total - 1) < 1e-3 else { throw ModelError.invalidInput("soft target at \(i) sums to \(total), not 1") }
            loss += Double(A[coefficients + i]) * row
        }
        denseSoftTargets = q
        return loss
    }

    // MARK: outputs of the last forward

    /// Calls `body` with the logits of the last forward pass, (batch × length) × vocabulary, row-major; the buffer is
    /// the model's own and valid only inside `body`.
    public func withLastLogits<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: acts.pointer + logits, count: lastBatch * lastLength * config.vocabularySize))
    }

    /// The last layer's hidden states hᵢ (after the final LayerNorm: logits = W_te·hᵢ) of the last forward pass,
    /// (batch × length) × channels, row-major. Position i's state predicts token i + 1.
    public func lastHiddenStates() -> [Float] {
        let n = lastBatch * lastLength * config.channels
        return Array(UnsafeBufferPointer(start: acts.pointer + lnf, count: n))
    }

    /// Per-position log p(target) of the last forward pass with targets (batch × length, row-major).
    public func lastTokenLogProbabilities() -> [Float] {
        let n = lastBatch * lastLength
        return (0..<n).map { -acts.pointer[losses + $0] }
    }

    /// Logits (vocabulary) at position `position` of sequence `sequence` of the last forward pass.
    public func lastLogits(sequence: Int, position: Int) -> [Float] {
        let V = config.vocabularySize
        let start = logits + (sequence * lastLength + position) * V
        return Array(UnsafeBufferPointer(start: acts.pointer + start, count: V))
    }

    /// log p(continuation | prompt) per continuation token, one forward pass on prompt + continuation.
    public func continuationLogProbabilities(prompt: [Int32], continuation: [Int32]) throws -> [Float] {
        guard !prompt.isEmpty, !continuation.isEmpty else { throw ModelError.invalidInput("prompt and continuation must be non-empty") }
        let seq = prompt + continuation
        guard seq.count - 1 <= config.contextLength else {
            throw ModelError.invalidInput("prompt + continuation (\(seq.count)) exceeds context \(config.contextLength) + 1")
        }
        let t = seq.count - 1
        try forward(inputs: Array(seq[0..<t]), targets: Array(seq[1...]), batch: 1, length: t)
        return Array(lastTokenLogProbabilities().suffix(continuation.count))
    }

    // MARK: named tensors

    /// Parameters by GPT-2 / Hugging Face name; Linear weights (out, in).
    public func namedParameters() -> [String: TensorRecord] {
        var out = [String: TensorRecord]()
        for t in layout.tensors {
            out[t.name] = TensorRecord(shape: t.shape, values: Array(UnsafeBufferPointer(start: parameters.pointer + t.offset, count: t.count)))
        }
        return out
    }

    /// Loads every parameter by name; shapes must match exactly, extra names are an error too.
    public func load(namedParameters tensors: [String: TensorRecord]) throws {
        for t in layout.tensors {
            guard let r = tensors[t.name] else { throw ModelError.invalidInput("missing parameter tensor '\(t.name)'") }
            guard r.shape == t.shape, r.values.count == t.count else {
                throw ModelError.invalidInput("parameter '\(t.name)' has shape \(r.shape), expected \(t.shape)")
            }
        }
        let known = Set(layout.tensors.map(\.name))
        if let extra = tensors.keys.first(where: { !known.contains($0) }) {
            throw ModelError.invalidInput("unknown parameter tensor '\(extra)'")
        }
        for t in layout.tensors {
            tensors[t.name]!.values.withUnsafeBufferPointer { (parameters.pointer + t.offset).update(from: $0.baseAddress!, count: t.count) }
        }
    }
}
