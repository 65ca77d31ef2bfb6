import OrchardTensor

/// A multi-layer perceptron classifier (Linear → GELU or ReLU → … → Linear → softmax cross-entropy) built from
/// the same layers as the GPT, for sandboxes such as sparse parity. Flat parameter/gradient buffers, preallocated
/// activations, mean cross-entropy over the batch — against the labels, or against soft targets (distillation).
public final class MLPClassifier {
    public enum Activation: String, Sendable, Codable, CaseIterable { case gelu, relu }
    public enum Initialization: String, Sendable, Codable, CaseIterable {
        /// Weights N(0, 1/fan_in), biases 0.
        case normal
        /// PyTorch's `nn.Linear` default: weights and biases U(−1/√fan_in, 1/√fan_in).
        case uniform
    }
    public let inputSize: Int
    public let hiddenSizes: [Int]
    public let classes: Int
    public let maxBatch: Int
    public var threads: ComputeThreads
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    public let tensors: [GPTParameterLayout.Tensor]
    public let activation: Activation

    let widths: [Int]                       // input, hidden..., classes
    let weightOffsets: [Int], biasOffsets: [Int]
    let acts: FloatBuffer
    let inputOffset: Int
    let preOffsets: [Int], postOffsets: [Int]  // per layer: linear output; GELU output (hidden layers)
    let lossOffset: Int, coefOffset: Int
    let scratchA: FloatBuffer, scratchB: FloatBuffer
    let labels: UnsafeMutablePointer<Int32>
    public private(set) var lastBatch = 0
    var lastHadLabels = false
    /// Soft targets of the last forward (batch × classes), cleared by `backward` and by every forward.
    var softTargets: [Float]? = nil

    public init(inputSize: Int, hiddenSizes: [Int], classes: Int, maxBatch: Int, threads: ComputeThreads = .single, seed: UInt64 = 0,
                activation: Activation = .gelu, initialization: Initialization = .normal) throws {
        guard inputSize >= 1, classes >= 2, maxBatch >= 1, hiddenSizes.allSatisfy({ $0 >= 1 }) else {
            throw ModelError.invalidConfig("MLP sizes must be positive and classes >= 2")
        }
        self.inputSize = inputSize; self.hiddenSizes = hiddenSizes; self.classes = classes
        self.maxBatch = maxBatch; self.threads = threads; self.activation = activation
        widths = [inputSize] + hiddenSizes + [classes]
        var p = BufferCarver()
        var list = [GPTParameterLayout.Tensor](), wo = [Int](), bo = [Int]()
        for l in 0..<(widths.count - 1) {
            let w = p.reserve(widths[l + 1] * widths[l]), b = p.reserve(widths[l + 1])
            list.append(.init(name: "layers.\(l).weight", offset: w, shape: [widths[l + 1], widths[l]]))
            list.append(.init(name: "layers.\(l).bias", offset: b, shape: [widths[l + 1]]))
            wo.append(w); bo.append(b)
        }
        tensors = list; weightOffsets = wo; biasOffsets = bo
        parameters = FloatBuffer(count: p.used); gradients = FloatBuffer(count: p.used)
        var a = BufferCarver()
        inputOffset = a.reserve(maxBatch * inputSize)
        var pre = [Int](), post = [Int]()
        for l in 0..<(widths.count - 1) {
            pre.append(a.reserve(maxBatch * widths[l + 1]))
            post.append(l < widths.count - 2 ? a.reserve(maxBatch * widths[l + 1]) : -1)
        }
        preOffsets = pre; postOffsets = post
        lossOffset = a.reserve(maxBatch); coefOffset = a.reserve(maxBatch)
        acts = FloatBuffer(count: a.used)
        let widest = widths.max()!
        scratchA = FloatBuffer(count: maxBatch * widest); scratchB = FloatBuffer(count: maxBatch * widest)
        labels = .allocate(capacity: maxBatch); labels.initialize(repeating: 0, count: maxBatch)
        initializeParameters(seed: seed, initialization)
    }

    deinit { labels.deallocate() }

    public func initializeParameters(seed: UInt64, _ initialization: Initialization = .normal) {
        var rng = SeededRandom(seed: seed)
        parameters.zero()
        for l in 0..<(widths.count - 1) {
            let scale = 1 / Float(widths[l]).squareRoot()
            switch initialization {
            case .normal:
                for i in 0..<(widths[l + 1] * widths[l]) { parameters[weightOffsets[l] + i] = rng.nextNormal() * scale }
            case .uniform:
                for i in 0..<(widths[l + 1] * widths[l]) { parameters[weightOffsets[l] + i] = (2 * rng.nextUniform() - 1) * scale }
                for i in 0..<widths[l + 1] { parameters[biasOffsets[l] + i] = (2 * rng.nextUniform() - 1) * scale }
            }
        }
    }

    public func zeroGradients() { gradients.zero() }

    /// inputs: batch × inputSize features; with labels returns the mean cross-entropy.
    @discardableResult
    public func forward(inputs: [Float], labels: [Int32]? = nil, batch: Int) throws -> Float? {
        guard batch >= 1, batch <= maxBatch else { throw ModelError.invalidInput("batch \(batch) not in 1...\(maxBatch)") }
        guard inputs.count == batch * inputSize else { throw ModelError.invalidInput("expected \(batch * inputSize) inputs, got \(inputs.count)") }
        if let labels {
            guard labels.count == batch else { throw ModelError.invalidInput("expected \(batch) labels, got \(labels.count)") }
            try GPT.copyTokens(labels, into: self.labels, vocabulary: Int32(classes), what: "label")
        }
        let A = acts.pointer, P = parameters.pointer
        inputs.withUnsafeBufferPointer { (A + inputOffset).update(from: $0.baseAddress!, count: inputs.count) }
        var x = A + inputOffset
        for l in 0..<(widths.count - 1) {
            Linear.forward(out: A + preOffsets[l], inp: x, weight: P + weightOffsets[l], bias: P + biasOffsets[l],
                           n: batch, inChannels: widths[l], outChannels: widths[l + 1], threads: threads)
            if postOffsets[l] >= 0 {
                let count = batch * widths[l + 1]
                switch activation {
                case .gelu: GELU.forward(out: A + postOffsets[l], inp: A + preOffsets[l], count: count, threads: threads)
                case .relu: ReLU.forward(out: A + postOffsets[l], inp: A + preOffsets[l], count: count)
                }
                x = A + postOffsets[l]
            }
        }
        lastBatch = batch; lastHadLabels = labels != nil; softTargets = nil
        guard labels != nil else { return nil }
        let logits = A + preOffsets[widths.count - 2]
        SoftmaxCrossEntropy.forward(losses: A + lossOffset, logits: logits, targets: self.labels, n: batch, vocabulary: classes, threads: threads)
        (A + coefOffset).update(repeating: 1 / Float(batch), count: batch)
        var loss: Double = 0
        for i in 0..<batch { loss += Double(A[lossOffset + i]) }
        return Float(loss / Double(batch))
    }

    /// Soft targets for the last forward pass with labels: the next `backward` differentiates the mean over the batch
    /// of −Σ_c q_ic·log p_ic (cross-entropy against the distributions qᵢ, i.e. KL(qᵢ ‖ pᵢ) + H(qᵢ)) instead of the
    /// labels' cross-entropy. `q`: batch × classes, rows non-negative and summing to 1. Returns that loss (Float64 sums).
    @discardableResult
    public func setSoftTargets(_ q: [Float]) throws -> Double {
        guard lastHadLabels else { throw ModelError.invalidState("soft targets need a forward pass with labels") }
        let n = lastBatch
        guard q.count == n * classes else { throw ModelError.invalidInput("expected \(n * classes) soft targets, got \(q.count)") }
        var loss = 0.0
        let logits = acts.pointer + preOffsets[widths.count - 2]
        for i in 0..<n {
            let row = q[(i * classes)..<((i + 1) * classes)]
            guard row.allSatisfy({ $0 >= 0 && $0.isFinite }), abs(row.reduce(0, +) - 1) < 1e-3 else {
                throw ModelError.invalidInput("soft targets of row \(i) are not a distribution")
            }
            let lse = Double(Softmax.logSumExp(logits + i * classes, classes))
            for c in 0..<classes where q[i * classes + c] > 0 { loss += Double(q[i * classes + c]) * (lse - Double(logits[i * classes + c])) }
        }
        softTargets = q
        return loss / Double(n)
    }

    /// Accumulates gradients of the last forward's mean cross-entropy (against the soft targets when set).
    public func backward() throws {
        guard lastHadLabels else { throw ModelError.invalidState("backward needs a forward pass with labels") }
        let A = acts.pointer, P = parameters.pointer, G = gradients.pointer, n = lastBatch
        let last = widths.count - 2
        var dout = scratchA.pointer, dnext = scratchB.pointer
        SoftmaxCrossEntropy.backward(dlogits: dout, logits: A + preOffsets[last], targets: labels, coefficients: A + coefOffset,
                                     n: n, vocabulary: classes, threads: threads)
        if let q = softTargets {
            // (p − onehot)/n becomes (p − q)/n.
            let w = 1 / Float(n)
            for i in 0..<n {
                dout[i * classes + Int(labels[i])] += w
                for c in 0..<classes { dout[i * classes + c] -= w * q[i * classes + c] }
            }
            softTargets = nil
        }
        for l in stride(from: last, through: 0, by: -1) {
            let inp = l == 0 ? A + inputOffset : A + postOffsets[l - 1]
            Linear.backward(dinp: l == 0 ? nil : dnext, dweight: G + weightOffsets[l], dbias: G + biasOffsets[l], dout: dout,
                            inp: inp, weight: P + weightOffsets[l], n: n, inChannels: widths[l], outChannels: widths[l + 1], threads: threads)
            if l > 0 {
                switch activation {
                case .gelu: GELU.backward(dinp: dnext, dout: dnext, inp: A + preOffsets[l - 1], count: n * widths[l], threads: threads)
                case .relu: ReLU.backward(dinp: dnext, dout: dnext, inp: A + preOffsets[l - 1], count: n * widths[l])
                }
                swap(&dout, &dnext)
            }
        }
    }

    /// Logits of the last forward pass, batch × classes.
    public func lastLogits() -> [Float] {
        Array(UnsafeBufferPointer(start: acts.pointer + preOffsets[widths.count - 2], count: lastBatch * classes))
    }

    /// Argmax class per example of the last forward pass.
    public func predictions() -> [Int32] {
        let logits = acts.pointer + preOffsets[widths.count - 2]
        return (0..<lastBatch).map { i in
            var best = 0
            for c in 1..<classes where logits[i * classes + c] > logits[i * classes + best] { best = c }
            return Int32(best)
        }
    }

    public func namedParameters() -> [String: TensorRecord] {
        var out = [String: TensorRecord]()
        for t in tensors { out[t.name] = TensorRecord(shape: t.shape, values: Array(UnsafeBufferPointer(start: parameters.pointer + t.offset, count: t.count))) }
        return out
    }

    public func load(namedParameters named: [String: TensorRecord]) throws {
        for t in tensors {
            guard let r = named[t.name], r.shape == t.shape, r.values.count == t.count else {
                throw ModelError.invalidInput("parameter '\(t.name)' missing or not of shape \(t.shape)")
            }
        }
        for t in tensors { named[t.name]!.values.withUnsafeBufferPointer { (parameters.pointer + t.offset).update(from: $0.baseAddress!, count: t.count) } }
    }
}
