import Foundation

/// Result of `lm_unlearn`: the new model version, how much of training was replayed, and the guarantee.
public struct LMUnlearnResult: UnlearningResult, Equatable {
    public var method: String = "replay"
    public var mode: String = "exact"
    /// The new version's final checkpoint.
    public var checkpoint: String?
    public var input_checkpoint: String?
    public var root_job: String
    public var model_version: Int
    public var forgotten_documents: Int
    /// Exact mode: where the replay started.
    @Nullable public var replay: Replay?
    /// Exact mode: the retrained model's numbers (steps, tokens, held-out loss, final mixture).
    @Nullable public var training: PretrainResult?
    /// Approximate mode: the method's run.
    @Nullable public var approximate: Approximate? = nil
    public var guarantee: String
    public var guarantee_statement: String
    @Nullable public var deletion_request: String?
    /// MUSE's metrics of the model before (`target`) and after (`unlearned`) on the forgotten documents, held-out
    /// documents of the dataset and documents the model keeps.
    public var evaluation: LMUnlearnEvaluation?
    /// Approximate mode under a deletion request's forget-quality bar: the bar, and why the result missed it (nil: passed).
    @Nullable public var bar: ApproximateUnlearningOptions.Bar? = nil
    @Nullable public var rejected: String? = nil
    /// Exact mode: the version being edited already excluded every tombstoned document; `checkpoint` is that version.
    @Nullable public var unchanged: Bool? = nil

    /// Where the replay started and what it saved against a full retrain.
    public struct Replay: Codable, Sendable, Equatable {
        /// The checkpoint the replay continued from (null: none preceded the first read, so it ran from step 0).
        @Nullable public var from_checkpoint: String?
        public var from_step: Int
        public var steps_replayed: Int
        public var steps_full_retrain: Int
        /// 1 − steps_replayed / steps_full_retrain.
        public var compute_saved_fraction: Double
        /// Pinned checkpoints of the model that were considered.
        public var candidates: Int
    }

    /// An approximate method's run.
    public struct Approximate: Codable, Sendable, Equatable {
        public var method: String
        public var lr: Double
        public var epochs: Int
        public var steps: Int
        public var batch_size: Int
        public var beta: Double
        public var alpha: Double
        public var forget_chunks: Int
        public var retain_chunks: Int
        /// Token-mean NLL of the forget chunks before and after.
        public var forget_nll_before: Double
        public var forget_nll_after: Double
        /// Wall time of the method's updates (evaluation excluded).
        public var seconds: Double
    }

    static let approximateStatement = "none proven: an approximate method (gradient-based or task-vector editing) ran on the forgotten documents; the model may still carry information about them. The evaluation (MUSE's metrics, before and after) is empirical"

    static let statement = "bit-identical (model and optimizer tensors) to the model a pretrain job with the same params and seed trains on this dataset now, with every tombstoned document excluded: training was replayed from the newest checkpoint that such a retrain also reaches (before any tombstoned document was first read)"

    public var outcome: UnlearningOutcome {
        let exact = replay != nil
        var g = UnlearningGuarantee(kind: guarantee, statement: guarantee_statement,
                                    summary: exact ? "exact: equals a retrain through the API without the documents, same params and seed ((0,0)-unlearning; checked bit for bit through the server in the tests)"
                                                   : "approximate: no guarantee; see the evaluation")
        if exact { g.retrained = true }
        var e: [String: JSONValue] = [
            "target": (try? evaluation.map { try JSONValue(encoding: $0.target) }) ?? .null,
            "unlearned": (try? evaluation.map { try JSONValue(encoding: $0.unlearned) }) ?? .null,
        ]
        if let replay {
            e["from_step"] = .number(Double(replay.from_step)); e["steps_replayed"] = .number(Double(replay.steps_replayed))
            e["steps_full_retrain"] = .number(Double(replay.steps_full_retrain))
            e["compute_saved_fraction"] = .number(replay.compute_saved_fraction)
            e["heldout_loss"] = training?.heldout_loss.map(JSONValue.number) ?? .null
        }
        if let a = approximate {
            e["forget_nll_before"] = .number(a.forget_nll_before); e["forget_nll_after"] = .number(a.forget_nll_after)
            e["steps"] = .number(Double(a.steps))
        }
        if let bar { e["bar"] = (try? JSONValue(encoding: bar)) ?? .null }
        var o = UnlearningOutcome(checkpoint: checkpoint, model_version: model_version, method: method, mode: mode, retrained: exact ? true : nil,
                                  guarantee: g, evaluation: .object(e))
        o.rejected = rejected
        o.unchanged = unchanged
        return o
    }
}
