import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// The checkpoint format of MLP sandbox models (`mlp_train` teachers and MLP `distill` students):
/// - `model.safetensors`: `layers.{l}.weight` (out × in) and `layers.{l}.bias`, Float32;
/// - `optimizer.safetensors`: the optimizer's state (for resuming the job that wrote it);
/// - `state.json`: `MLPCheckpoint.State` (the task, the architecture, the step, and the writer's own fields).
enum MLPCheckpoint {
    struct Architecture: Codable, Sendable, Equatable {
        var input: Int
        var hidden: [Int]
        var classes: Int
        var activation: MLPClassifier.Activation
    }

    struct State: Codable, Sendable, Equatable {
        var kind = "mlp"
        var task: SparseParity
        var architecture: Architecture
        var step: Int
        /// Students: the teacher checkpoint in use at this step (nil: labels only).
        var teacher_checkpoint: String? = nil
        var teacher_step: Int? = nil
        /// Students: the first step at which the test accuracy reached the target (nil: not yet).
        var reached_target_at: Int? = nil
    }

    static func write(to dir: URL, model: MLPClassifier, optimizer: any Optimizer, state: State) throws {
        let meta = ["format": "orchard-mlp"]
        try SafeTensors.write(model.namedParameters(), metadata: meta, to: dir.appendingPathComponent("model.safetensors"))
        try SafeTensors.write(optimizer.stateTensors(), metadata: meta, to: dir.appendingPathComponent("optimizer.safetensors"))
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        try e.encode(state).write(to: dir.appendingPathComponent("state.json"))
    }

    static func readState(_ dir: URL) throws -> State {
        do { return try JSONDecoder().decode(State.self, from: Data(contentsOf: dir.appendingPathComponent("state.json"))) } catch {
            throw JobError.invalid(param: nil, message: "\(dir.lastPathComponent) is not an MLP checkpoint (state.json: \(error))")
        }
    }

    /// A model built from a checkpoint's architecture with its parameters loaded (and its optimizer state, if given).
    static func load(_ dir: URL, maxBatch: Int, threads: ComputeThreads, optimizer: (any Optimizer)? = nil) throws -> (MLPClassifier, State) {
        let state = try readState(dir)
        let a = state.architecture
        let model = try MLPClassifier(inputSize: a.input, hiddenSizes: a.hidden, classes: a.classes, maxBatch: maxBatch, threads: threads,
                                      activation: a.activation)
        try model.load(namedParameters: try SafeTensors.read(from: dir.appendingPathComponent("model.safetensors")).tensors)
        if let optimizer { try optimizer.load(stateTensors: try SafeTensors.read(from: dir.appendingPathComponent("optimizer.safetensors")).tensors) }
        return (model, state)
    }
}

/// Evaluation of an MLP on a fixed sparse-parity test sample: accuracy, mean cross-entropy, and the Fourier probe of
/// its class-1 probability (spec algorithms-1 §4.4).
struct ParityEvaluation {
    let task: SparseParity
    let inputs: [Float]
    let labels: [Int32]

    /// `count` test examples from a stream of their own (independent of the training draws).
    init(task: SparseParity, count: Int, seed: UInt64) {
        self.task = task
        var rng = SeededRandom(seed: seed, stream: [0x7E57])
        (inputs, labels) = task.sample(count: count, random: &rng)
    }

    struct Report: Codable, Sendable, Equatable {
        var accuracy: Double
        var loss: Double
        var probe: FourierProbe.DegreeOne
    }

    func evaluate(_ model: MLPClassifier) throws -> Report {
        let n = task.n, count = labels.count, chunk = model.maxBatch
        var correct = 0, loss = 0.0
        var p1 = [Float](repeating: 0, count: count)
        var start = 0
        while start < count {
            let b = min(chunk, count - start)
            let l = try model.forward(inputs: Array(inputs[(start * n)..<((start + b) * n)]), labels: Array(labels[start..<(start + b)]), batch: b)!
            loss += Double(l) * Double(b)
            correct += zip(model.predictions(), labels[start..<(start + b)]).filter { $0 == $1 }.count
            let z = model.lastLogits()
            for i in 0..<b { p1[start + i] = 1 / (1 + exp(z[2 * i] - z[2 * i + 1])) }   // softmax over 2 classes
            start += b
        }
        return Report(accuracy: Double(correct) / Double(count), loss: loss / Double(count),
                      probe: FourierProbe.degreeOne(task: task, inputs: inputs, p1: p1))
    }
}
