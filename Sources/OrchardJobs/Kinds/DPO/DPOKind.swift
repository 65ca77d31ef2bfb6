import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// `dpo`: preference optimisation (DPO, IPO, DPO+SFT; spec algorithms-1 §2.1) of any GPT checkpoint on a preference
/// dataset, with the likelihood-displacement monitor of Razin et al. (§2.2) and CHES (§2.4).
///
/// The starting checkpoint is also the frozen reference: its log-probabilities of every pair are computed once, before
/// the first step, and kept in every checkpoint (never recomputed). Pairs are tokenized with the base checkpoint's
/// tokenizer and fitted to its context (`EncodedPreferencePair.fitted`: a response longer than T − 1 tokens is cut
/// from the right, then the prompt from the left; both counted in the `pairs_prepared` event; an empty prompt becomes
/// one newline). CHES and LN-CHES of every pair are computed with the starting policy; `ches_filter` drops the given
/// share with the highest LN-CHES. Batches are slices of per-epoch permutations drawn from (seed, epoch), so a resumed
/// run needs only the step: kill and resume gives the identical trajectory. The output is a GPT checkpoint.
/// Unlearnable: the policy carries its base's lineage; a deletion request re-derives it (`rederive`) from the base
/// model's new version, at the base checkpoint's step.
public struct DPOKind: Unlearnable {
    public static let type = "dpo"
    public init() {}

    public func resolve(_ params: DPOParams) throws -> DPOParams {
        var p = params
        try JobError.requireNonEmpty(p.model, "model", "a GPT checkpoint id or the id of the job that wrote it")
        try JobError.requireNonEmpty(p.dataset, "dataset", "a preference-pair dataset id")
        guard PreferenceLoss.Kind(rawValue: p.loss) != nil else {
            throw JobError.invalid(param: "loss", message: "loss must be \"dpo\", \"ipo\" or \"dpo_sft\"")
        }
        guard p.beta.isFinite, p.beta > 0 else { throw JobError.invalid(param: "beta", message: "beta must be a finite number > 0") }
        try JobError.require(p.sft_weight, in: 0...1e6, "sft_weight")
        if p.steps != nil && p.epochs != nil { throw JobError.invalid(param: "steps", message: "give steps or epochs, not both") }
        if p.steps == nil && p.epochs == nil { p.epochs = 1 }
        if let s = p.steps { try JobError.require(s, in: 1...1_000_000, "steps") }
        if let e = p.epochs {
            guard e.isFinite, e > 0, e <= 1000 else { throw JobError.invalid(param: "epochs", message: "epochs must be in (0, 1000]") }
        }
        try JobError.require(p.batch_size, in: 1...256, "batch_size")
        guard ["adamw", "sgd"].contains(p.optimizer.kind) else {
            throw JobError.invalid(param: "optimizer.kind", message: "optimizer.kind must be \"adamw\" or \"sgd\"")
        }
        guard p.optimizer.lr.isFinite, p.optimizer.lr > 0, p.optimizer.lr <= 10 else {
            throw JobError.invalid(param: "optimizer.lr", message: "optimizer.lr must be in (0, 10]")
        }
        try JobError.require(p.optimizer.weight_decay, in: 0...10, "optimizer.weight_decay")
        try JobError.require(p.optimizer.beta1, in: 0...0.999999, "optimizer.beta1")
        try JobError.require(p.optimizer.beta2, in: 0...0.999999, "optimizer.beta2")
        try JobError.require(p.optimizer.momentum, in: 0...0.999999, "optimizer.momentum")
        if let c = p.optimizer.clip {
            guard c.isFinite, c > 0 else { throw JobError.invalid(param: "optimizer.clip", message: "optimizer.clip must be > 0 or null") }
        }
        try JobError.require(p.metrics_every, in: 1...1_000_000, "metrics_every")
        if let c = p.checkpoint_every { try JobError.require(c, in: 1...1_000_000, "checkpoint_every") }
        guard p.displacement_threshold.isFinite, p.displacement_threshold > 0 else {
            throw JobError.invalid(param: "displacement_threshold", message: "displacement_threshold must be a number of nats > 0")
        }
        try JobError.require(p.ches_filter, in: 0...0.99, "ches_filter")
        try JobError.require(p.report_pairs, in: 0...1000, "report_pairs")
        if let t = p.threads { try JobError.require(t, in: 1...256, "threads") }
        return p
    }

    public func references(_ p: DPOParams) -> [JobReference] {
        [.gptModel(id: p.model, param: "model"), .dataset(id: p.dataset, param: "dataset", records: .preferencePairs)]
    }

    public var unlearner: RederiveKind { RederiveKind() }

    public func unlearningParams(for request: UnlearningRequest) throws -> RederiveParams {
        RederiveKind.params(for: request)
    }

    /// The base checkpoint the policy started from (the result names it; `model` may have named a job).
    public func parentModels(_ p: DPOParams, result: DPOResult?) -> [ParentModelReference] {
        [.checkpoint(result?.base_checkpoint ?? p.model)]
    }

    public func run(_ p: DPOParams, seed: UInt64, context: JobContext) throws -> DPOResult {
        var session = try DPOSession(params: p, seed: seed, context: context)
        return try session.run()
    }
}
