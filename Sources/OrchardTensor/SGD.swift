/// SGD as torch.optim.SGD: optional L2 weight decay, momentum (heavy-ball or Nesterov) with dampening.
///   g += wd·p;  b = g (first step) or μ·b + (1-τ)·g;  g = nesterov ? g + μ·b : b;  p -= lr·g
public final class SGD: Optimizer {
    public let parameterCount: Int
    public let momentum: Float, dampening: Float, nesterov: Bool, weightDecay: Float
    public private(set) var stepCount = 0
    let decay: DecaySegments
    let buffer: FloatBuffer?

    public init(parameterCount: Int, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false,
                weightDecay: Float = 0, decayedRanges: [Range<Int>]? = nil) throws {
        guard parameterCount > 0 else { throw EngineError.invalidArgument("SGD needs parameters") }
        guard momentum >= 0, dampening >= 0, dampening <= 1, weightDecay >= 0 else {
            throw EngineError.invalidArgument("SGD hyperparameters out of range")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw EngineError.invalidArgument("Nesterov momentum requires momentum > 0 and zero dampening")
        }
        self.parameterCount = parameterCount
        self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov; self.weightDecay = weightDecay
        decay = DecaySegments(count: parameterCount, decayed: decayedRanges)
        buffer = momentum > 0 ? FloatBuffer(count: parameterCount) : nil
    }

    public func step(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                     learningRate lr: Float, threads: ComputeThreads) {
        let first = stepCount == 0
        stepCount += 1
        let mu = momentum, tau = dampening, nest = nesterov
        let bp = buffer?.pointer
        let decayRate = weightDecay
        decay.forEachSegment(in: parameterCount, threads: threads) { range, decayed in
            let wd = decayed ? decayRate : 0
            for i in range {
                var gi = g[i] + wd * p[i]
                if let bp {
                    let b = first ? gi : mu * bp[i] + (1 - tau) * gi
                    bp[i] = b
                    gi = nest ? gi + mu * b : b
                }
                p[i] -= lr * gi
            }
        }
    }

    public func stateTensors() -> [String: TensorRecord] {
        var out = ["step": TensorRecord(shape: [1], values: [Float(stepCount)])]
        if let buffer { out["momentum_buffer"] = TensorRecord(shape: [parameterCount], values: buffer.array) }
        return out
    }

    public func load(stateTensors tensors: [String: TensorRecord]) throws {
        let s = try loadStep(from: tensors)
        if let buffer { try buffer.copy(from: try stateTensor("momentum_buffer", in: tensors, count: parameterCount)) }
        stepCount = s
    }
}
