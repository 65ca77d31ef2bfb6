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
    public var replay: Replay
    /// The retrained model's numbers (steps, tokens, held-out loss, final mixture).
    public var training: PretrainResult
    public var guarantee: String
    public var guarantee_statement: String
    @Nullable public var deletion_request: String?
    /// MUSE's metrics of the model before (`target`) and after (`unlearned`) on the forgotten documents, held-out
    /// documents of the dataset and documents the model keeps.
    public var evaluation: LMUnlearnEvaluation?

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

    static let statement = "bit-identical (model and optimizer tensors) to the model a pretrain job with the same params and seed trains on this dataset now, with every tombstoned document excluded: training was replayed from the newest checkpoint that such a retrain also reaches (before any tombstoned document was first read)"

    public var outcome: UnlearningOutcome {
        var g = UnlearningGuarantee(kind: "exact_retrain_equivalent", statement: guarantee_statement,
                                    summary: "exact: equals a retrain through the API without the documents, same params and seed ((0,0)-unlearning; checked bit for bit through the server in the tests)")
        g.retrained = true
        let evaluation: JSONValue = [
            "from_step": .number(Double(replay.from_step)), "steps_replayed": .number(Double(replay.steps_replayed)),
            "steps_full_retrain": .number(Double(replay.steps_full_retrain)),
            "compute_saved_fraction": .number(replay.compute_saved_fraction),
            "heldout_loss": training.heldout_loss.map(JSONValue.number) ?? .null,
            "target": (try? evaluation.map { try JSONValue(encoding: $0.target) }) ?? .null,
            "unlearned": (try? evaluation.map { try JSONValue(encoding: $0.unlearned) }) ?? .null,
        ]
        return UnlearningOutcome(checkpoint: checkpoint, model_version: model_version, method: method, mode: mode, retrained: true,
                                 guarantee: g, evaluation: evaluation)
    }
}
