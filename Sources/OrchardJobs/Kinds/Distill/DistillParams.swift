import Foundation
import OrchardMethods
import OrchardTensor

/// `distill` params (spec algorithms-1 §4; docs/api.md "Distillation"):
/// ```
/// {"teacher": "job_…",                      // an `mlp_train` job (MLP student) or a GPT job such as `pretrain` (GPT student)
///  "student": {"mlp": {"hidden": [100], "activation": "relu"}}
///           | {"gpt": {"layers": 2, "d_model": 64, "heads": 2, "context": null, "tokenizer": null}},
///  "strategy": {"kind": "progressive" | "one_shot" | "steps" | "none", "multiplier": 1, "steps": [s_mid, s_final]},
///  "loss": {"temperature": 1, "hard_label_weight": 0},
///  "optimizer": {"kind": "sgd" | "adamw", "lr": 0.1, "momentum": 0, "weight_decay": 0, "warmup_fraction": 0.06,
///                "schedule": "cosine" | "constant", "clip": null},
///  "steps": 10000, "batch_size": 32, "eval_every": 500, "checkpoint_every": null, "eval_samples": 4096,
///  "target_accuracy": 0.95, "threads": n}
/// ```
/// `strategy`: `none` trains on the true labels only (the CE baseline); `one_shot` learns from the teacher's final
/// checkpoint; `progressive` at student step t from the first teacher checkpoint at or after multiplier·t; `steps`
/// the same rule over the listed teacher steps only (2-shot: [s_mid, s_final]). A GPT student uses the teacher's
/// tokenizer and trains on the teacher's dataset (its training split; held-out loss on its held-out split).
public struct DistillParams: JobParams, Equatable {
    public struct MLPStudent: ParamsSection, Equatable {
        public var hidden: [Int] = [100]
        public var activation: String = "relu"
        public init() {}
    }
    public struct GPTStudent: ParamsSection, Equatable {
        public var layers: Int = 2
        public var d_model: Int = 64
        public var heads: Int = 2
        /// ≤ the teacher's context; null: the teacher's.
        @Nullable public var context: Int? = nil
        /// "bytes" | "bpe": must be the teacher's (the student learns the teacher's distribution over its vocabulary).
        @Nullable public var tokenizer: String? = nil
        public init() {}
    }
    public struct Student: ParamsSection, Equatable {
        @Nullable public var mlp: MLPStudent? = nil
        @Nullable public var gpt: GPTStudent? = nil
        public init() {}
    }
    public struct Strategy: ParamsSection, Equatable {
        /// "progressive" | "one_shot" | "steps" | "none".
        public var kind: String = "progressive"
        /// progressive: the teacher's pace relative to the student's, (0, 10⁶].
        public var multiplier: Double = 1
        /// steps: ascending teacher steps, each one of the teacher's checkpoints.
        @Nullable public var steps: [Int]? = nil
        public init() {}
    }
    public struct Loss: ParamsSection, Equatable {
        /// τ > 0 (≤ 1e−6: the teacher's argmax as a hard label).
        public var temperature: Double = 1
        /// κ ∈ [0, 1]: the weight of the true labels.
        public var hard_label_weight: Double = 0
        public init() {}
    }
    public struct Optimizer: ParamsSection, Equatable {
        /// "sgd" | "adamw".
        public var kind: String = "sgd"
        public var lr: Double = 0.1
        public var momentum: Double = 0
        public var weight_decay: Double = 0
        /// Linear warm-up over this share of the steps, then `schedule`; [0, 1).
        public var warmup_fraction: Double = 0.06
        /// "cosine" (to 0) | "constant".
        public var schedule: String = "cosine"
        /// Global gradient-norm clip; null: none.
        @Nullable public var clip: Double? = nil
        public init() {}
    }
    public var teacher: String = ""
    public var student = Student()
    public var strategy = Strategy()
    public var loss = Loss()
    public var optimizer = Optimizer()
    public var steps: Int = 10_000
    public var batch_size: Int = 32
    /// Steps between evaluations (metrics event; MLP: test accuracy and probe; GPT: held-out loss), ≥ 1.
    public var eval_every: Int = 500
    /// Steps between checkpoints; null: eval_every.
    @Nullable public var checkpoint_every: Int? = nil
    /// MLP: held-out examples; GPT: held-out windows (at most), 16...10⁶.
    public var eval_samples: Int = 4096
    /// MLP: the test accuracy whose first crossing the result reports (steps and samples to reach it), (0, 1].
    public var target_accuracy: Double = 0.95
    @Nullable public var threads: Int? = nil
    public init() {}
}

extension DistillParams {
    var schedule: TeacherSchedule {
        switch strategy.kind {
        case "none": return .labels
        case "one_shot": return .oneShot
        case "steps": return .steps(strategy.steps ?? [])
        default: return .progressive(multiplier: strategy.multiplier)
        }
    }
    var distillationLoss: DistillationLoss { DistillationLoss(temperature: loss.temperature, hardLabelWeight: loss.hard_label_weight) }

    func validate() throws {
        try JobError.requireNonEmpty(teacher, "teacher", "the id of the job that trained the teacher")
        switch (student.mlp, student.gpt) {
        case (let m?, nil): try MLPSandbox.validate(hidden: m.hidden, activation: m.activation, param: "student.mlp")
        case (nil, let g?):
            try JobError.require(g.layers, in: 0...64, "student.gpt.layers")
            try JobError.require(g.d_model, in: 1...8192, "student.gpt.d_model")
            try JobError.require(g.heads, in: 1...g.d_model, "student.gpt.heads")
            guard g.d_model % g.heads == 0 else { throw JobError.invalid(param: "student.gpt.heads", message: "student.gpt.heads must divide d_model") }
            if let c = g.context { try JobError.require(c, in: 1...65_536, "student.gpt.context") }
            if let t = g.tokenizer, !["bytes", "bpe"].contains(t) {
                throw JobError.invalid(param: "student.gpt.tokenizer", message: "student.gpt.tokenizer must be \"bytes\" or \"bpe\"")
            }
        default: throw JobError.invalid(param: "student", message: "student must be {\"mlp\": {…}} or {\"gpt\": {…}}")
        }
        guard ["progressive", "one_shot", "steps", "none"].contains(strategy.kind) else {
            throw JobError.invalid(param: "strategy.kind", message: "strategy.kind must be \"progressive\", \"one_shot\", \"steps\" or \"none\"")
        }
        guard strategy.multiplier.isFinite, strategy.multiplier > 0, strategy.multiplier <= 1e6 else {
            throw JobError.invalid(param: "strategy.multiplier", message: "strategy.multiplier must be in (0, 1e6]")
        }
        if strategy.kind == "steps" {
            guard let s = strategy.steps, !s.isEmpty, s.count <= 10_000 else {
                throw JobError.invalid(param: "strategy.steps", message: "strategy \"steps\" needs 1 to 10000 teacher steps")
            }
            for i in s.indices where s[i] < 1 || (i > 0 && s[i] <= s[i - 1]) {
                throw JobError.invalid(param: "strategy.steps[\(i)]", message: "teacher steps must be positive and ascending")
            }
        } else if strategy.steps != nil {
            throw JobError.invalid(param: "strategy.steps", message: "strategy.steps applies to kind \"steps\" only")
        }
        guard loss.temperature.isFinite, loss.temperature > 0 else {
            throw JobError.invalid(param: "loss.temperature", message: "loss.temperature must be > 0")
        }
        try JobError.require(loss.hard_label_weight, in: 0...1, "loss.hard_label_weight")
        if strategy.kind == "none", loss.hard_label_weight != 0 && loss.hard_label_weight != 1 {
            throw JobError.invalid(param: "loss.hard_label_weight", message: "strategy \"none\" trains on the labels only")
        }
        guard ["sgd", "adamw"].contains(optimizer.kind) else {
            throw JobError.invalid(param: "optimizer.kind", message: "optimizer.kind must be \"sgd\" or \"adamw\"")
        }
        guard optimizer.lr.isFinite, optimizer.lr > 0, optimizer.lr <= 100 else {
            throw JobError.invalid(param: "optimizer.lr", message: "optimizer.lr must be in (0, 100]")
        }
        guard optimizer.momentum >= 0, optimizer.momentum < 1 else { throw JobError.invalid(param: "optimizer.momentum", message: "optimizer.momentum must be in [0, 1)") }
        try JobError.require(optimizer.weight_decay, in: 0...10, "optimizer.weight_decay")
        guard optimizer.warmup_fraction >= 0, optimizer.warmup_fraction < 1 else {
            throw JobError.invalid(param: "optimizer.warmup_fraction", message: "optimizer.warmup_fraction must be in [0, 1)")
        }
        guard ["cosine", "constant"].contains(optimizer.schedule) else {
            throw JobError.invalid(param: "optimizer.schedule", message: "optimizer.schedule must be \"cosine\" or \"constant\"")
        }
        if let c = optimizer.clip { guard c.isFinite, c > 0 else { throw JobError.invalid(param: "optimizer.clip", message: "optimizer.clip must be > 0") } }
        try JobError.require(steps, in: 1...10_000_000, "steps")
        try JobError.require(batch_size, in: 1...4096, "batch_size")
        try JobError.require(eval_every, in: 1...steps, "eval_every")
        if let c = checkpoint_every { try JobError.require(c, in: 1...steps, "checkpoint_every") }
        try JobError.require(eval_samples, in: 16...1_000_000, "eval_samples")
        guard target_accuracy > 0, target_accuracy <= 1 else { throw JobError.invalid(param: "target_accuracy", message: "target_accuracy must be in (0, 1]") }
        if let t = threads { try JobError.require(t, in: 1...256, "threads") }
    }

    /// Linear warm-up over `warmup_fraction` of the steps, then cosine decay to 0 or constant.
    var learningRateSchedule: LearningRateSchedule {
        let rate = Float(optimizer.lr), warmup = Int((optimizer.warmup_fraction * Double(steps)).rounded())
        return optimizer.schedule == "cosine" ? .cosine(rate: rate, warmupSteps: warmup, totalSteps: steps, minimumRate: 0)
            : .linearWarmup(rate: rate, warmupSteps: warmup)
    }
}
