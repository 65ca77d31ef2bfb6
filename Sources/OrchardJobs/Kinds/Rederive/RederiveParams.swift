import Foundation

/// Params of `rederive` (queued by a deletion request for a model derived from another one):
/// {"model": "job_…" (the derived model's root: a dpo or distill job), "checkpoint": "ckpt_…" | null (the version being
///  replaced), "parents": [{"model", "checkpoint", "step", "derived_from"}] (the parent's current version: after this
///  request unlearned it), "forget_documents": [{"id", "text"}], "mode": "exact" | "approximate",
///  "approximate": {"method", "lr", "epochs", "batch_size", "beta", "alpha", "bar"} (approximate mode: a deletion
///  request's options), "requested_mode": …, "deletion_request": "dr_…" | null}
/// After the job, each forget text is replaced by its SHA-256.
public struct RederiveParams: JobParams, Equatable {
    public var model: String = ""
    @Nullable public var checkpoint: String? = nil
    public var parents: [ParentVersion] = []
    public var forget_documents: [ForgetDocument] = []
    /// "exact": re-derive from the parent's new version; "approximate": edit this model's weights with a MUSE method.
    public var mode: String = "exact"
    @Nullable public var approximate: ApproximateUnlearningOptions? = nil
    @Nullable public var requested_mode: String? = nil
    @Nullable public var deletion_request: String? = nil
    public init() {}
}
