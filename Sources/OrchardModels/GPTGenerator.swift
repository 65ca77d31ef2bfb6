import OrchardTensor

/// Autoregressive generation for one sequence with a key/value cache: each new token costs one
/// position's worth of compute instead of re-running the whole prefix. Uses the model's parameters
/// (by reference: training the model and generating later sees the new weights).
public final class GPTGenerator {
    public let model: GPT
    let keys: FloatBuffer, values: FloatBuffer  // (L, T, C) each
    let work: FloatBuffer
    let x, ln, qkv, atty, fc, fcGelu, logitsOffset, scores, mean, rstd: Int
    public private(set) var position = 0

    public init(model: GPT) {
        self.model = model
        let c = model.config, L = c.layers, T = c.contextLength, C = c.channels
        keys = FloatBuffer(count: L * T * C); values = FloatBuffer(count: L * T * C)
        var s = BufferCarver()
        x = s.reserve(C); ln = s.reserve(C); qkv = s.reserve(3 * C); atty = s.reserve(C)
        fc = s.reserve(4 * C); fcGelu = s.reserve(4 * C); logitsOffset = s.reserve(c.vocabularySize); scores = s.reserve(T)
        mean = s.reserve(1); rstd = s.reserve(1)
        work = FloatBuffer(count: s.used)
    }

    public func reset() { position = 0 }

    /// Logits after the last appended token.
    public var logits: [Float] { Array(UnsafeBufferPointer(start: work.pointer + logitsOffset, count: model.config.vocabularySize)) }

    /// Feeds one token at the next position and computes the logits for the following one.
    public func append(_ token: Int32) throws {
        let cfg = model.config, C = cfg.channels, H = cfg.heads, hs = C / H, T = cfg.contextLength
        guard position < T else { throw ModelError.invalidInput("context of \(T) tokens is full") }
        guard token >= 0, Int(token) < cfg.vocabularySize else { throw ModelError.invalidInput("token \(token) outside vocabulary") }
        let P = model.parameters.pointer, W = work.pointer, lay = model.layout, th = ComputeThreads.single
        let pos = position
        for j in 0..<C { W[x + j] = P[lay.wte + Int(token) * C + j] + P[lay.wpe + pos * C + j] }
        let scale = 1 / Float(hs).squareRoot()
        for (l, blk) in lay.blocks.enumerated() {
            LayerNorm.forward(out: W + ln, mean: W + mean, rstd: W + rstd, inp: W + x, weight: P + blk.ln1Weight,
                              bias: P + blk.ln1Bias, n: 1, channels: C, threads: th)
            Linear.forward(out: W + qkv, inp: W + ln, weight: P + blk.qkvWeight, bias: P + blk.qkvBias,
                           n: 1, inChannels: C, outChannels: 3 * C, threads: th)
            let kc = keys.pointer + l * T * C, vc = values.pointer + l * T * C
            (kc + pos * C).update(from: W + qkv + C, count: C)
            (vc + pos * C).update(from: W + qkv + 2 * C, count: C)
            for h in 0..<H {
                let q = W + qkv + h * hs, sc = W + scores
                for j in 0...pos {
                    var s: Float = 0
                    let k = kc + j * C + h * hs
                    for d in 0..<hs { s += q[d] * k[d] }
                    sc[j] = s * scale
                }
                Softmax.row(out: sc, inp: sc, count: pos + 1)
                let o = W + atty + h * hs
                o.update(repeating: 0, count: hs)
                for j in 0...pos {
                    let v = vc + j * C + h * hs, p = sc[j]
                    for d in 0..<hs { o[d] += p * v[d] }
                }
            }
            Linear.forward(out: W + x, inp: W + atty, weight: P + blk.projWeight, bias: P + blk.projBias,
                           residual: W + x, n: 1, inChannels: C, outChannels: C, threads: th)
            LayerNorm.forward(out: W + ln, mean: W + mean, rstd: W + rstd, inp: W + x, weight: P + blk.ln2Weight,
                              bias: P + blk.ln2Bias, n: 1, channels: C, threads: th)
            Linear.forward(out: W + fc, inp: W + ln, weight: P + blk.fcWeight, bias: P + blk.fcBias,
                           n: 1, inChannels: C, outChannels: 4 * C, threads: th)
            GELU.forward(out: W + fcGelu, inp: W + fc, count: 4 * C, threads: th)
            Linear.forward(out: W + x, inp: W + fcGelu, weight: P + blk.fcProjWeight, bias: P + blk.fcProjBias,
                           residual: W + x, n: 1, inChannels: 4 * C, outChannels: C, threads: th)
        }
        LayerNorm.forward(out: W + ln, mean: W + mean, rstd: W + rstd, inp: W + x, weight: P + lay.lnfWeight,
                          bias: P + lay.lnfBias, n: 1, channels: C, threads: th)
        Linear.forward(out: W + logitsOffset, inp: W + ln, weight: P + lay.wte, bias: nil,
                       n: 1, inChannels: C, outChannels: cfg.vocabularySize, threads: th)
        position += 1
    }

    /// Prompt followed by up to maxNewTokens sampled tokens (stops early when the context is full).
    /// Returns only the new tokens.
    public func generate(prompt: [Int32], maxNewTokens: Int, options: SamplingOptions = .greedy,
                         random: inout SeededRandom) throws -> [Int32] {
        try options.validate()
        guard !prompt.isEmpty else { throw ModelError.invalidInput("prompt must not be empty") }
        guard maxNewTokens >= 0 else { throw ModelError.invalidInput("maxNewTokens must be >= 0") }
        guard prompt.count <= model.config.contextLength else {
            throw ModelError.invalidInput("prompt of \(prompt.count) tokens exceeds context \(model.config.contextLength)")
        }
        reset()
        for t in prompt { try append(t) }
        var out = [Int32]()
        while out.count < maxNewTokens {
            let next = TokenSampler.sample(logits: work.pointer + logitsOffset, count: model.config.vocabularySize,
                                           options: options, random: &random)
            out.append(next)
            if out.count == maxNewTokens || position == model.config.contextLength { break }
            try append(next)
        }
        return out
    }
}
