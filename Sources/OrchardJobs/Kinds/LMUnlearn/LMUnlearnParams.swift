import Foundation

/// Params of `lm_unlearn`:
/// {"model": "job_…" (the model's root: a pretrain job), "checkpoint": "ckpt_…" | null (the version to edit; null: the
///  root's newest checkpoint), "dataset": "ds_…" | null (the root's dataset), "forget_documents": [{"id", "text"}],
///  "mode": "exact" | "approximate", "method": "ga" | "ga_gdr" | "ga_klr" | "npo" | "npo_gdr" | "npo_klr" | "task_vector" | "whp"
///  (approximate), "lr": 1e-5, "epochs": null (MUSE's per-method epochs), "batch_size": 4, "beta": 0.1 (NPO),
///  "alpha": null (task vector 5, WHP 1), "retain_documents": 64 (GDR/KLR), "deletion_request": "dr_…" | null}
/// A deletion request fills them; after the job, each forget text is replaced by its SHA-256.
public struct LMUnlearnParams: JobParams, Equatable {
    public var model: String = ""
    @Nullable public var checkpoint: String? = nil
    @Nullable public var dataset: String? = nil
    public var forget_documents: [ForgetDocument] = []
    /// "exact" (replay) or "approximate" (`method`). The deletion request's mode is kept in `requested_mode` when it
    /// was another one.
    public var mode: String = "exact"
    @Nullable public var method: String? = nil
    public var lr: Double = 1e-5
    @Nullable public var epochs: Int? = nil
    public var batch_size: Int = 4
    public var beta: Double = 0.1
    /// Task vector's α (default 5) or WHP's (default 1).
    @Nullable public var alpha: Double? = nil
    /// Documents the model was trained on (live, by id) whose chunks GDR/KLR regularise on.
    public var retain_documents: Int = 64
    /// Approximate mode: the forget-quality bar the result must pass to be released (a deletion request's).
    @Nullable public var bar: ApproximateUnlearningOptions.Bar? = nil
    @Nullable public var requested_mode: String? = nil
    @Nullable public var deletion_request: String? = nil
    public init() {}
}

extension LMUnlearnParams {
    /// Approximate mode with a deletion request's options (method, hyperparameters, bar).
    mutating func apply(_ o: ApproximateUnlearningOptions) {
        mode = "approximate"; method = o.method
        if let x = o.lr { lr = x }
        epochs = o.epochs
        if let x = o.batch_size { batch_size = x }
        if let x = o.beta { beta = x }
        alpha = o.alpha
        bar = o.bar
    }
}
