import Foundation

/// Result of `rederive`: the derived model's new version, what it was re-derived from, and the guarantee.
public struct RederiveResult: UnlearningResult, Equatable {
    public var method: String = "rederive"
    public var mode: String = "exact"
    /// The new version's final checkpoint.
    public var checkpoint: String
    @Nullable public var input_checkpoint: String?
    public var root_job: String
    /// The derived model's kind (`dpo`, `distill`).
    public var root_type: String
    public var model_version: Int
    public var forgotten_documents: Int
    /// The parents' versions the model was re-derived from.
    public var parents: [ParentVersion]
    /// The parent checkpoints the re-run read: the base (dpo) or the teacher series (distill), ascending by step.
    public var derived_from: [String]
    /// The re-run's own result (a `dpo` or `distill` result).
    public var training: JSONValue
    public var guarantee: String
    public var guarantee_statement: String
    @Nullable public var deletion_request: String?
    /// MUSE's metrics of the model before and after (when the parent is a pretrained GPT whose data they are drawn from).
    @Nullable public var evaluation: LMUnlearnEvaluation?
    /// Approximate mode: the method's run on this model (as `lm_unlearn` reports it: method, bar, rejection).
    @Nullable public var approximate: LMUnlearnResult? = nil

    static func statement(kind: String) -> String {
        let how = kind == DPOKind.type
            ? "a dpo job with the same params and seed whose model is the checkpoint, at the same step, of the base model's retrain"
            : "a distill job with the same params and seed whose teacher is the base model's retrain (its checkpoint series)"
        return "bit-identical (model and optimizer tensors) to \(how) without the records tombstoned when this job ran (the pretrain job with the base's params and seed, submitted then; then this child's job on it, reading the live records): the parent was unlearned exactly first, and this model was re-run from the parent's new version, reading none of the tombstoned records"
    }

    public var outcome: UnlearningOutcome {
        if let a = approximate { return a.outcome }
        var g = UnlearningGuarantee(kind: guarantee, statement: guarantee_statement,
                                    summary: "exact: equals re-deriving this model, with the same params and seed, from a retrain of its parent without the documents")
        g.retrained = true
        var e: [String: JSONValue] = [
            "target": (try? evaluation.map { try JSONValue(encoding: $0.target) }) ?? .null,
            "unlearned": (try? evaluation.map { try JSONValue(encoding: $0.unlearned) }) ?? .null,
            "derived_from": .array(derived_from.map(JSONValue.string)),
            "parents": (try? JSONValue(encoding: parents)) ?? .null,
        ]
        if let steps = training["steps"]?.intValue { e["steps_rerun"] = .number(Double(steps)) }
        return UnlearningOutcome(checkpoint: checkpoint, model_version: model_version, method: method, mode: mode, retrained: true,
                                 guarantee: g, evaluation: .object(e))
    }
}
