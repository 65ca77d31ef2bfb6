import Foundation

/// Params of `lm_unlearn`:
/// {"model": "job_…" (the model's root: a pretrain job), "checkpoint": "ckpt_…" | null (the version to edit; null: the
///  root's newest checkpoint), "dataset": "ds_…" | null (the root's dataset), "forget_documents": [{"id", "text"}],
///  "mode": "exact", "deletion_request": "dr_…" | null}
/// A deletion request fills them; after the job, each forget text is replaced by its SHA-256.
public struct LMUnlearnParams: JobParams, Equatable {
    public var model: String = ""
    @Nullable public var checkpoint: String? = nil
    @Nullable public var dataset: String? = nil
    public var forget_documents: [ForgetDocument] = []
    /// "exact" (replay). The deletion request's mode is kept in `requested_mode` when it was another one.
    public var mode: String = "exact"
    @Nullable public var requested_mode: String? = nil
    @Nullable public var deletion_request: String? = nil
    public init() {}
}
