import OrchardTensor

/// Where each GPT parameter tensor lives in the one flat parameter buffer (gradients use the same layout).
/// Names follow GPT-2 / Hugging Face; Linear weights are (out, in) like PyTorch's nn.Linear.
public struct GPTParameterLayout: Sendable {
    public struct Tensor: Sendable {
        public let name: String
        public let offset: Int
        public let shape: [Int]
        public var count: Int { shape.reduce(1, *) }
        public var range: Range<Int> { offset..<(offset + count) }
    }

    public struct Block: Sendable {
        public let ln1Weight, ln1Bias, qkvWeight, qkvBias, projWeight, projBias: Int
        public let ln2Weight, ln2Bias, fcWeight, fcBias, fcProjWeight, fcProjBias: Int
    }

    public let tensors: [Tensor]
    public let wte: Int, wpe: Int, lnfWeight: Int, lnfBias: Int
    public let blocks: [Block]
    public let count: Int

    public init(_ c: GPTConfig) {
        var list = [Tensor]()
        var carver = BufferCarver()
        func add(_ name: String, _ shape: [Int]) -> Int {
            let off = carver.reserve(shape.reduce(1, *))
            list.append(Tensor(name: name, offset: off, shape: shape))
            return off
        }
        let C = c.channels
        wte = add("wte", [c.vocabularySize, C])
        wpe = add("wpe", [c.contextLength, C])
        var blocks = [Block]()
        for l in 0..<c.layers {
            let p = "h.\(l)."
            blocks.append(Block(
                ln1Weight: add(p + "ln_1.weight", [C]), ln1Bias: add(p + "ln_1.bias", [C]),
                qkvWeight: add(p + "attn.c_attn.weight", [3 * C, C]), qkvBias: add(p + "attn.c_attn.bias", [3 * C]),
                projWeight: add(p + "attn.c_proj.weight", [C, C]), projBias: add(p + "attn.c_proj.bias", [C]),
                ln2Weight: add(p + "ln_2.weight", [C]), ln2Bias: add(p + "ln_2.bias", [C]),
                fcWeight: add(p + "mlp.c_fc.weight", [4 * C, C]), fcBias: add(p + "mlp.c_fc.bias", [4 * C]),
                fcProjWeight: add(p + "mlp.c_proj.weight", [C, 4 * C]), fcProjBias: add(p + "mlp.c_proj.bias", [C])))
        }
        self.blocks = blocks
        lnfWeight = add("ln_f.weight", [C])
        lnfBias = add("ln_f.bias", [C])
        tensors = list
        count = carver.used
    }

    /// Ranges that get weight decay: embeddings and Linear weights (not biases, not LayerNorm).
    public var decayedRanges: [Range<Int>] { tensors.filter { $0.shape.count == 2 }.map(\.range) }
}
