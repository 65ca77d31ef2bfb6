import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

public struct MLPTrainResult: Codable, Sendable, Equatable {
    public struct SeriesPoint: Codable, Sendable, Equatable {
        public var step: Int
        public var checkpoint: String
        public var test_accuracy: Double
    }
    public var kind = "mlp_train"
    public var task: SparseParity
    public var steps: Int
    public var samples: Int
    public var test_accuracy: Double
    public var test_loss: Double
    /// The pinned checkpoint series, ascending by step (what `distill` schedules draw from).
    public var series: [SeriesPoint]
    /// First series step with test accuracy ≥ 0.6 and ≥ 0.95 (the phase transition's start and end; nil: not reached).
    @Nullable public var transition_start: Int?
    @Nullable public var transition_end: Int?
    public var train_seconds: Double
}

/// `mlp_train`: an MLP trained with SGD on fresh sparse-parity samples, keeping a checkpoint series for distillation.
/// Each series checkpoint is evaluated (accuracy, loss, Fourier probe: a `metrics` event) and pinned.
public struct MLPTrainKind: JobKind {
    public static let type = "mlp_train"
    public init() {}

    public func resolve(_ p: MLPTrainParams) throws -> MLPTrainParams {
        try p.validate()
        return p
    }

    public func run(_ p: MLPTrainParams, seed: UInt64, context: JobContext) throws -> MLPTrainResult {
        let spec = p.task.sparse_parity
        let task: SparseParity
        do { task = try SparseParity(n: spec.n, k: spec.k, supportSeed: spec.support_seed) } catch {
            throw JobError.invalid(param: "task.sparse_parity", message: "\(error)")
        }
        let threads = try ComputeThreads(max(1, p.threads ?? context.threads))
        let activation = MLPClassifier.Activation(rawValue: p.model.activation)!
        let model = try MLPClassifier(inputSize: task.n, hiddenSizes: p.model.hidden, classes: 2, maxBatch: max(p.batch_size, 512),
                                      threads: threads, seed: seed, activation: activation, initialization: .uniform)
        let optimizer = try SGD(parameterCount: model.parameters.count, momentum: Float(p.optimizer.momentum))
        let architecture = MLPCheckpoint.Architecture(input: task.n, hidden: p.model.hidden, classes: 2, activation: activation)
        let evaluation = ParityEvaluation(task: task, count: p.eval_samples, seed: seed)
        var step = 0
        if let c = try context.latestCheckpoint() {
            let (saved, state) = try MLPCheckpoint.load(c.directory, maxBatch: 1, threads: .single, optimizer: optimizer)
            try model.load(namedParameters: saved.namedParameters())
            step = state.step
        } else {
            try context.emit("task", "(\(task.n), \(task.k))-sparse parity, support \(task.support)",
                             data: ["n": .number(Double(task.n)), "k": .number(Double(task.k)), "support": .array(task.support.map { .number(Double($0)) })])
        }
        let clock = ContinuousClock(), started = clock.now
        var windowLoss = 0.0, windowSteps = 0
        while step < p.steps {
            if context.shouldStop {
                if step % p.checkpoint_every != 0 { try save(step, model, optimizer, architecture, task, evaluation, context, pinned: false) }
                throw JobError.stopped
            }
            let (x, y) = MLPSandbox.batch(task, step: step, count: p.batch_size, seed: seed)
            model.zeroGradients()
            let loss = try model.forward(inputs: x, labels: y, batch: p.batch_size)!
            try model.backward()
            optimizer.step(parameters: model.parameters.pointer, gradients: model.gradients.pointer, learningRate: Float(p.optimizer.lr), threads: threads)
            step += 1
            windowLoss += Double(loss); windowSteps += 1
            if step % p.checkpoint_every == 0 || step == p.steps {
                let report = try save(step, model, optimizer, architecture, task, evaluation, context, pinned: true)
                try context.metrics(step: step, ["train_loss": windowLoss / Double(max(1, windowSteps)), "test_accuracy": report.accuracy,
                                                 "test_loss": report.loss, "probe_in_support": report.probe.in_support,
                                                 "probe_off_support": report.probe.off_support, "probe_full_support": report.probe.full_support,
                                                 "probe_noise_floor": report.probe.noise_floor])
                try context.progress(step: step, totalSteps: p.steps, tokens: step * p.batch_size)
                windowLoss = 0; windowSteps = 0
            }
        }
        let seconds = (clock.now - started).seconds
        let series = try context.checkpoints(ofJob: context.jobID).filter { $0.step % p.checkpoint_every == 0 || $0.step == p.steps }
            .sorted { $0.step < $1.step }
            .map { MLPTrainResult.SeriesPoint(step: $0.step, checkpoint: $0.id, test_accuracy: $0.metrics["test_accuracy"] ?? .nan) }
        let final = try evaluation.evaluate(model)
        return MLPTrainResult(task: task, steps: p.steps, samples: p.steps * p.batch_size, test_accuracy: final.accuracy, test_loss: final.loss,
                              series: series, transition_start: series.first { $0.test_accuracy >= 0.6 }?.step,
                              transition_end: series.first { $0.test_accuracy >= 0.95 }?.step, train_seconds: seconds)
    }

    @discardableResult
    func save(_ step: Int, _ model: MLPClassifier, _ optimizer: SGD, _ architecture: MLPCheckpoint.Architecture, _ task: SparseParity,
              _ evaluation: ParityEvaluation, _ context: JobContext, pinned: Bool) throws -> ParityEvaluation.Report {
        let report = try evaluation.evaluate(model)
        let state = MLPCheckpoint.State(task: task, architecture: architecture, step: step)
        try context.saveCheckpoint(step: step, metrics: ["test_accuracy": report.accuracy, "test_loss": report.loss], privateFiles: [],
                                   pinned: pinned) { dir in try MLPCheckpoint.write(to: dir, model: model, optimizer: optimizer, state: state) }
        return report
    }
}
