import Foundation
import OrchardMethods

/// Job type `pretrain`: trains a GPT from scratch on the domains of a dataset with a data mixture chosen by
/// `natural | uniform | fixed | ado` (docs/pretrain.md). Binds `GPTTrainer` + `MixtureSampler` +
/// `PretrainingLoop` to the job context (`PretrainSession`): `metrics` events with per-domain train/held-out
/// loss, mixture weights, ADO fits and tokens/s; checkpoints (model + optimizer safetensors, state.json with
/// the whole sampler/ADO state); kill-and-resume continues the identical trajectory; lineage = exactly the
/// documents a training window was drawn from, with the step of each first read. Unlearnable: `lm_unlearn`.
public struct PretrainKind: Unlearnable {
    public static let type = "pretrain"
    public init() {}

    /// Fills every "auto" (rules on the fields of `PretrainParams`) and checks ranges and cross-field rules.
    public func resolve(_ params: PretrainParams) throws -> PretrainParams {
        var p = params
        let d = PretrainParams()
        try JobError.requireNonEmpty(p.dataset, "dataset", "a dataset id")

        p.model.layers.fill { d.model.layers.value }
        p.model.d_model.fill { d.model.d_model.value }
        try JobError.require(p.model.layers.value, in: 1...64, "model.layers")
        let dModel = p.model.d_model.value
        try JobError.require(dModel, in: 8...4096, "model.d_model")
        p.model.heads.fill { max(1, dModel / 32) }
        try JobError.require(p.model.heads.value, in: 1...64, "model.heads")
        guard dModel % p.model.heads.value == 0 else {
            throw JobError.invalid(param: "model.heads", message: "d_model \(dModel) is not divisible by heads \(p.model.heads.value)")
        }
        p.model.context.fill { d.model.context.value }
        try JobError.require(p.model.context.value, in: 2...4096, "model.context")
        if let t = p.model.tokenizer, t != p.model.vocab.tokenizer {
            throw JobError.invalid(param: "model.tokenizer", message: "model.tokenizer follows model.vocab (\(p.model.vocab.tokenizer) here)")
        }
        p.model.tokenizer = p.model.vocab.tokenizer

        p.batch_size.fill { d.batch_size.value }
        try JobError.require(p.batch_size.value, in: 1...4096, "batch_size")
        let perStep = p.tokensPerStep
        if let s = p.steps, let b = p.token_budget {
            // A resolved (stored) object carries both, consistent; a request gives one.
            guard case .value(let sv) = s, case .value(let bv) = b, bv == sv * perStep else {
                throw JobError.invalid(param: "steps", message: "give either steps or token_budget, not both")
            }
        }
        switch (p.steps, p.token_budget) {
        case (var s?, _):
            s.fill { 200 }
            try JobError.require(s.value, in: 1...10_000_000, "steps")
            p.steps = s; p.token_budget = .value(s.value * perStep)
        case (nil, var b):
            var budget = b ?? .auto
            budget.fill { 200 * perStep }
            try JobError.require(budget.value, in: 2...Int(1e12), "token_budget")
            b = budget
            p.token_budget = b; p.steps = .value((budget.value + perStep - 1) / perStep)
        }
        let steps = p.stepCount

        p.optimizer.lr.fill { d.optimizer.lr.value }
        let lr = p.optimizer.lr.value
        try JobError.require(lr, in: 0...10, "optimizer.lr")
        p.optimizer.warmup.fill { min(100, steps / 10) }
        try JobError.require(p.optimizer.warmup.value, in: 0...steps, "optimizer.warmup")
        guard ["cosine", "constant"].contains(p.optimizer.schedule) else {
            throw JobError.invalid(param: "optimizer.schedule", message: "schedule must be cosine or constant")
        }
        p.optimizer.min_lr.fill { lr / 10 }
        try JobError.require(p.optimizer.min_lr.value, in: 0...lr, "optimizer.min_lr")
        p.optimizer.weight_decay.fill { d.optimizer.weight_decay.value }
        try JobError.require(p.optimizer.weight_decay.value, in: 0...10, "optimizer.weight_decay")
        if var clip = p.optimizer.clip {
            clip.fill { 1.0 }
            try JobError.require(clip.value, in: 1e-6...1e6, "optimizer.clip")
            p.optimizer.clip = clip
        }
        p.optimizer.beta1.fill { d.optimizer.beta1.value }
        p.optimizer.beta2.fill { d.optimizer.beta2.value }
        try JobError.require(p.optimizer.beta1.value, in: 0...0.999999, "optimizer.beta1")
        try JobError.require(p.optimizer.beta2.value, in: 0...0.999999, "optimizer.beta2")

        p.ado_resolved = nil
        if case .ado(let cfg) = p.mixture {
            do {
                // K is only known at run time (it is re-validated then); the auto rules depend on steps and vocab.
                p.ado_resolved = try cfg.resolved(for: ADOResolutionContext(totalSteps: steps, domainCount: 1, vocabularySize: p.model.vocab.size))
            } catch {
                throw JobError.invalid(param: "mixture.config", message: "\(error)")
            }
        }
        if case .fixed(let w) = p.mixture, w.values.contains(where: { !($0 >= 0 && $0.isFinite) }) || !(w.values.reduce(0, +) > 0) {
            throw JobError.invalid(param: "mixture.weights", message: "fixed weights must be finite, ≥ 0 and not all zero")
        }

        p.metrics_every.fill { max(1, steps / 100) }
        p.eval_every.fill { max(1, steps / 20) }
        p.heldout_windows.fill { d.heldout_windows.value }
        p.checkpoint_every.fill { max(1, steps / 10) }
        p.heldout_fraction.fill { d.heldout_fraction.value }
        try JobError.require(p.metrics_every.value, in: 1...1_000_000, "metrics_every")
        try JobError.require(p.eval_every.value, in: 1...1_000_000, "eval_every")
        try JobError.require(p.heldout_windows.value, in: 1...100_000, "heldout_windows")
        try JobError.require(p.checkpoint_every.value, in: 1...10_000_000, "checkpoint_every")
        try JobError.require(p.heldout_fraction.value, in: 0.001...0.9, "heldout_fraction")
        if let t = p.threads { try JobError.require(t, in: 1...256, "threads") }
        return p
    }

    /// A deletion request queues `lm_unlearn` (exact unlearning by replay) on the model's newest version.
    public var unlearner: LMUnlearnKind { LMUnlearnKind() }

    public func unlearningParams(for request: UnlearningRequest) throws -> LMUnlearnParams {
        LMUnlearnKind.params(for: request)
    }

    public func references(_ p: PretrainParams) -> [JobReference] {
        [.dataset(id: p.dataset, param: "dataset", records: .documents)]
            + (p.heldout_dataset.map { [.dataset(id: $0, param: "heldout_dataset", records: .documents)] } ?? [])
    }

    public func run(_ params: PretrainParams, seed: UInt64, context: JobContext) throws -> PretrainResult {
        var session = try PretrainSession(params: params, seed: seed, context: context)
        return try session.run()
    }
}

