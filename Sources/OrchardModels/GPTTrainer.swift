import OrchardTensor

/// Everything needed to continue a training run bit-identically: parameters, optimizer state, step, RNG.
public struct TrainingSnapshot: Sendable, Equatable {
    public var parameters: [String: TensorRecord]
    public var optimizer: [String: TensorRecord]
    public var step: Int
    public var randomState: [UInt64]
}

/// One optimisation step = forward, backward, optional global-norm clipping, scheduled learning rate, update.
public final class GPTTrainer {
    public struct StepResult: Sendable {
        public let loss: Float
        public let gradientNorm: Float
        public let learningRate: Float
    }

    public let model: GPT
    public let optimizer: any Optimizer
    public let schedule: LearningRateSchedule
    public let gradientClip: Float?
    public private(set) var step = 0
    /// The run's random stream (data sampling etc.); part of the snapshot.
    public var random: SeededRandom

    public init(model: GPT, optimizer: any Optimizer, schedule: LearningRateSchedule, gradientClip: Float? = 1.0,
                seed: UInt64) throws {
        guard optimizer.parameterCount == model.parameters.count else {
            throw ModelError.invalidConfig("optimizer built for \(optimizer.parameterCount) parameters, model has \(model.parameters.count)")
        }
        if let gradientClip, !(gradientClip > 0) { throw ModelError.invalidConfig("gradient clip must be > 0") }
        try schedule.validate()
        self.model = model; self.optimizer = optimizer; self.schedule = schedule; self.gradientClip = gradientClip
        random = SeededRandom(seed: seed)
    }

    /// AdamW over the model with GPT-2-style decay groups (matrices and embeddings decayed; biases, LayerNorm not).
    public static func adamW(model: GPT, learningRate: LearningRateSchedule, weightDecay: Float = 0.1,
                             beta1: Float = 0.9, beta2: Float = 0.95, gradientClip: Float? = 1.0, seed: UInt64) throws -> GPTTrainer {
        let opt = try AdamW(parameterCount: model.parameters.count, beta1: beta1, beta2: beta2, weightDecay: weightDecay,
                            decayedRanges: model.layout.decayedRanges)
        return try GPTTrainer(model: model, optimizer: opt, schedule: learningRate, gradientClip: gradientClip, seed: seed)
    }

    @discardableResult
    public func trainStep(inputs: [Int32], targets: [Int32], weights: [Float]? = nil,
                          batch: Int? = nil, length: Int? = nil) throws -> StepResult {
        model.zeroGradients()
        guard let loss = try model.forward(inputs: inputs, targets: targets, weights: weights, batch: batch, length: length) else {
            throw ModelError.invalidState("forward returned no loss")
        }
        try model.backward()
        return update(loss: loss)
    }

    /// One step on an objective computed from the forward pass's own per-position log-probabilities (one forward,
    /// one backward): `objective(logProbs)` returns the loss value and the coefficients cᵢ such that the gradient of
    /// the objective is that of Σ cᵢ·(−log p(targetᵢ)) (DPO, IPO, DPO+SFT).
    @discardableResult
    /// `beforeBackward` may read the forward's outputs (logits) and set soft targets (`GPT.setSoftTargets`).
    public func trainStep(inputs: [Int32], targets: [Int32], batch: Int, length: Int,
                          objective: ([Float]) throws -> (loss: Double, coefficients: [Float]),
                          beforeBackward: ((GPT) throws -> Void)? = nil) throws -> StepResult {
        model.zeroGradients()
        try model.forward(inputs: inputs, targets: targets, weights: [Float](repeating: 1, count: batch * length),
                          normalizeWeights: false, batch: batch, length: length)
        let (loss, c) = try objective(model.lastTokenLogProbabilities())
        try model.setLossCoefficients(c)
        try beforeBackward?(model)
        try model.backward()
        return update(loss: Float(loss))
    }

    /// Clips the accumulated gradients, applies the scheduled learning rate, counts the step.
    private func update(loss: Float) -> StepResult {
        let g = model.gradients.pointer, count = model.gradients.count
        let norm: Float
        if let clip = gradientClip {
            norm = GradientClipping.clipGlobalNorm(g, count: count, maxNorm: clip, threads: model.threads)
        } else {
            norm = Float(Elementwise.sumOfSquares(g, count: count, threads: model.threads).squareRoot())
        }
        let lr = schedule.rate(at: step)
        optimizer.step(parameters: model.parameters.pointer, gradients: g, learningRate: lr, threads: model.threads)
        step += 1
        return StepResult(loss: loss, gradientNorm: norm, learningRate: lr)
    }

    public func snapshot() -> TrainingSnapshot {
        TrainingSnapshot(parameters: model.namedParameters(), optimizer: optimizer.stateTensors(), step: step,
                         randomState: random.state)
    }

    public func restore(_ s: TrainingSnapshot) throws {
        guard s.step >= 0 else { throw ModelError.invalidState("negative step") }
        let rng = try SeededRandom(state: s.randomState)
        try model.load(namedParameters: s.parameters)
        try optimizer.load(stateTensors: s.optimizer)
        step = s.step; random = rng
    }
}
