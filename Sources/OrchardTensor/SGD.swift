/// SGD as torch.optim.SGD: optional L2 weight decay, momentum (heavy-ball or Nesterov) with dampening.
///   g += wd·p;  b = update(b, g);  g = nesterov ? g + μ·b : b;  p -= lr·g
/// where the buffer update depends on `form` (m₀ = the buffer before the first step):
///   .torch      b₁ = g₁, then b = μ·b + (1-τ)·g             (torch.optim.SGD; the default)
///   .zeroStart  m₀ = 0,  b = μ·b + (1-τ)·g from the first step (paper form of SGDM, eq. (1) of Wang et al. 2023)
///   .ema        m₀ = 0,  b = μ·b + (1-μ)·g                    (normalised / EMA form, eq. (3)); τ must be 0, no Nesterov
/// With τ = 0, `.zeroStart` is `.torch` bit for bit (μ·0 + g₁ = g₁); the start matters with dampening, and `.ema` is
/// `.zeroStart` with τ = μ. `.ema` at lr η and `.zeroStart` (τ = 0) at lr η(1-μ) give the same iterates up to rounding,
/// so η = lr/(1-μ) is the effective learning rate of the practical form.
public final class SGD: Optimizer {
    /// How the momentum buffer starts and how a gradient enters it (see the type's formula).
    public enum MomentumForm: String, Sendable, CaseIterable, Codable {
        case torch, zeroStart = "zero_start", ema
    }

    public let parameterCount: Int
    public let momentum: Float, dampening: Float, nesterov: Bool, weightDecay: Float
    public let form: MomentumForm
    public private(set) var stepCount = 0
    let decay: DecaySegments
    let buffer: FloatBuffer?

    public init(parameterCount: Int, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false,
                weightDecay: Float = 0, decayedRanges: [Range<Int>]? = nil, form: MomentumForm = .torch) throws {
        guard parameterCount > 0 else { throw EngineError.invalidArgument("SGD needs parameters") }
        guard momentum >= 0, dampening >= 0, dampening <= 1, weightDecay >= 0 else {
            throw EngineError.invalidArgument("SGD hyperparameters out of range")
        }
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw EngineError.invalidArgument("Nesterov momentum requires momentum > 0 and zero dampening")
        }
        if form == .ema && (momentum >= 1 || dampening != 0 || nesterov) {
            throw EngineError.invalidArgument("EMA momentum requires momentum < 1, zero dampening and no Nesterov")
        }
        self.parameterCount = parameterCount
        self.momentum = momentum; self.dampening = dampening; self.nesterov = nesterov; self.weightDecay = weightDecay
        self.form = form
        decay = DecaySegments(count: parameterCount, decayed: decayedRanges)
        buffer = momentum > 0 ? FloatBuffer(count: parameterCount) : nil
    }

    public func step(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                     learningRate lr: Float, threads: ComputeThreads) {
        let copyFirst = stepCount == 0 && form == .torch
        stepCount += 1
        let mu = momentum, nest = nesterov
        let gradientWeight = form == .ema ? 1 - momentum : 1 - dampening
        let bp = buffer?.pointer
        let decayRate = weightDecay
        decay.forEachSegment(in: parameterCount, threads: threads) { range, decayed in
            let wd = decayed ? decayRate : 0
            for i in range {
                var gi = g[i] + wd * p[i]
                if let bp {
                    let b = copyFirst ? gi : mu * bp[i] + gradientWeight * gi
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
