import Foundation
import OrchardMethods

/// `dpo` params (spec algorithms-1 §2.1; request JSON snake_case, every field but `model` and `dataset` optional):
/// ```
/// {"model": "ckpt_…" | "job_…", "dataset": "ds_…", "loss": "dpo" | "ipo" | "dpo_sft", "beta": 0.1, "sft_weight": 1,
///  "epochs": 1 | "steps": n, "batch_size": 8,
///  "optimizer": {"kind": "adamw" | "sgd", "lr": 1e-4, "weight_decay": 0, "beta1": 0.9, "beta2": 0.999, "momentum": 0, "clip": 1 | null},
///  "metrics_every": 10, "checkpoint_every": null, "displacement_threshold": 1, "ches_filter": 0, "report_pairs": 10, "threads": n}
/// ```
public struct DPOParams: JobParams, Equatable {
    public struct Optimizer: ParamsSection, Equatable {
        /// "adamw" | "sgd".
        public var kind: String = "adamw"
        /// Constant learning rate, (0, 10].
        public var lr: Double = 1e-4
        public var weight_decay: Double = 0
        public var beta1: Double = 0.9
        public var beta2: Double = 0.999
        /// SGD only.
        public var momentum: Double = 0
        /// Global gradient-norm clip; null turns clipping off.
        @Nullable public var clip: Double? = 1
        public init() {}
    }
    /// The GPT to align: a checkpoint id, or a job id (its newest checkpoint when the job starts). Also the frozen reference.
    public var model: String = ""
    /// A preference-pair dataset.
    public var dataset: String = ""
    /// "dpo" | "ipo" | "dpo_sft".
    public var loss: String = "dpo"
    /// β (> 0; IPO's τ).
    public var beta: Double = 0.1
    /// λ of the SFT term on the chosen response (dpo_sft only), ≥ 0.
    public var sft_weight: Double = 1
    /// Passes over the (filtered) pairs; give this or `steps`. Null with no `steps`: 1 epoch.
    @Nullable public var epochs: Double? = nil
    /// Optimizer steps (1...1e6).
    @Nullable public var steps: Int? = nil
    /// Pairs per step, 1...256 (2× as many rows go through the model).
    public var batch_size: Int = 8
    public var optimizer = Optimizer()
    /// Steps between metrics events, ≥ 1.
    public var metrics_every: Int = 10
    /// Steps between checkpoints; null: max(1, steps/5). Also at the last step and when asked to stop.
    @Nullable public var checkpoint_every: Int? = nil
    /// Nats: the `likelihood_displacement` warning fires the first time the mean log π(y⁺|x) − log π_ref(y⁺|x) of a
    /// metrics window is below −threshold while the loss is below its first window's.
    public var displacement_threshold: Double = 1
    /// Share of pairs dropped before training, those with the highest length-normalised CHES (the most similar
    /// responses, the most displacing), [0, 0.99].
    public var ches_filter: Double = 0
    /// How many of the most displacing pairs (highest CHES) the result lists, 0...1000.
    public var report_pairs: Int = 10
    /// Compute threads; null: the worker's per-job budget.
    @Nullable public var threads: Int? = nil
    public init() {}

    var lossKind: PreferenceLoss.Kind { PreferenceLoss.Kind(rawValue: loss) ?? .dpo }
}
