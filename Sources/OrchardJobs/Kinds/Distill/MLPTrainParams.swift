import Foundation
import OrchardMethods
import OrchardTensor

/// `mlp_train` params: an MLP trained on a synthetic task — the sandbox teacher whose checkpoint series `distill` learns
/// from (spec algorithms-1 §4.1–4.2, scaled to a CPU per §4.6):
/// ```
/// {"task": {"sparse_parity": {"n": 40, "k": 4, "support_seed": null}},
///  "model": {"hidden": [1000], "activation": "relu"},
///  "optimizer": {"lr": 0.1, "momentum": 0}, "batch_size": 32, "steps": 20000,
///  "checkpoint_every": 500, "eval_samples": 4096, "threads": n}
/// ```
/// Fresh samples every step; every `checkpoint_every` steps the job evaluates on a fixed held-out sample (accuracy,
/// loss, the Fourier probe) and saves a pinned checkpoint: the series is never pruned by retention.
public struct MLPTrainParams: JobParams, Equatable {
    public struct SparseParitySpec: ParamsSection, Equatable {
        public var n: Int = 40
        public var k: Int = 4
        /// null: the support is the first k coordinates; else k coordinates drawn with this seed.
        @Nullable public var support_seed: UInt64? = nil
        public init() {}
    }
    public struct Task: ParamsSection, Equatable {
        public var sparse_parity = SparseParitySpec()
        public init() {}
    }
    public struct Model: ParamsSection, Equatable {
        /// Hidden widths, 1...8 layers of 1...65536 units.
        public var hidden: [Int] = [1000]
        /// "relu" (the paper's) | "gelu".
        public var activation: String = "relu"
        public init() {}
    }
    public struct Optimizer: ParamsSection, Equatable {
        /// SGD's constant learning rate, (0, 100].
        public var lr: Double = 0.1
        /// Heavy-ball momentum (PyTorch form), [0, 1).
        public var momentum: Double = 0
        public init() {}
    }
    public var task = Task()
    public var model = Model()
    public var optimizer = Optimizer()
    /// Examples per step, 1...4096.
    public var batch_size: Int = 32
    /// 1...10⁷.
    public var steps: Int = 20_000
    /// The series' cadence (each a pinned checkpoint, evaluated), 1...steps.
    public var checkpoint_every: Int = 500
    /// Held-out examples for accuracy and the probe, 16...10⁶.
    public var eval_samples: Int = 4096
    @Nullable public var threads: Int? = nil
    public init() {}
}

extension MLPTrainParams {
    func validate() throws {
        let t = task.sparse_parity
        try JobError.require(t.n, in: 2...4096, "task.sparse_parity.n")
        try JobError.require(t.k, in: 1...t.n, "task.sparse_parity.k")
        try MLPSandbox.validate(hidden: model.hidden, activation: model.activation, param: "model")
        guard optimizer.lr.isFinite, optimizer.lr > 0, optimizer.lr <= 100 else {
            throw JobError.invalid(param: "optimizer.lr", message: "optimizer.lr must be in (0, 100]")
        }
        guard optimizer.momentum.isFinite, optimizer.momentum >= 0, optimizer.momentum < 1 else {
            throw JobError.invalid(param: "optimizer.momentum", message: "optimizer.momentum must be in [0, 1)")
        }
        try JobError.require(batch_size, in: 1...4096, "batch_size")
        try JobError.require(steps, in: 1...10_000_000, "steps")
        try JobError.require(checkpoint_every, in: 1...steps, "checkpoint_every")
        try JobError.require(eval_samples, in: 16...1_000_000, "eval_samples")
        if let t = threads { try JobError.require(t, in: 1...256, "threads") }
    }
}

/// Shared rules of the MLP sandbox kinds.
enum MLPSandbox {
    static func validate(hidden: [Int], activation: String, param: String) throws {
        guard (1...8).contains(hidden.count) else { throw JobError.invalid(param: "\(param).hidden", message: "\(param).hidden must list 1 to 8 widths") }
        for (i, w) in hidden.enumerated() { try JobError.require(w, in: 1...65_536, "\(param).hidden[\(i)]") }
        guard ["relu", "gelu"].contains(activation) else {
            throw JobError.invalid(param: "\(param).activation", message: "\(param).activation must be \"relu\" or \"gelu\"")
        }
    }

    /// The training examples of step `step`: a stream of their own per step, so a resumed job draws the same ones.
    static func batch(_ task: SparseParity, step: Int, count: Int, seed: UInt64) -> (inputs: [Float], labels: [Int32]) {
        var rng = SeededRandom(seed: seed, stream: [0xDA7A, UInt64(step)])
        return task.sample(count: count, random: &rng)
    }
}
