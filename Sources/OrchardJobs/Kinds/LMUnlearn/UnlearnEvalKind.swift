import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// `unlearn_eval` params: MUSE's six-way metrics of a GPT on document datasets the caller supplies (spec algorithms-2
/// §2.2; docs/methods.md "MUSE metrics"). The forgotten documents of a completed deletion request are purged, so the
/// forget set is a dataset the caller keeps for evaluation (the MUSE benchmark builds one).
public struct UnlearnEvalParams: JobParams, Equatable {
    /// The GPT to evaluate: a checkpoint id or a job id (its newest checkpoint).
    public var model: String = ""
    /// The exact retrain (checkpoint or job): its AUC is PrivLeak's baseline; null: PrivLeak is not computed.
    @Nullable public var retrain: String? = nil
    public var forget_dataset: String = ""
    public var holdout_dataset: String = ""
    @Nullable public var retain_dataset: String? = nil
    /// VerbMem's prompt and continuation lengths in tokens; null: min(32, context/2) and min(64, context − prompt).
    @Nullable public var prefix_tokens: Int? = nil
    @Nullable public var continuation_tokens: Int? = nil
    /// Min-K%'s k, in (0, 1].
    public var k: Double = 0.4
    /// Texts per set (and cloze items per set), 1...10000.
    public var max_texts: Int = 100
    @Nullable public var threads: Int? = nil
    public init() {}
}

public struct UnlearnEvalResult: Codable, Sendable, Equatable {
    public var kind = "unlearn_eval"
    public var model_checkpoint: String
    @Nullable public var retrain_checkpoint: String?
    public var model: ForgetEvaluationReport
    /// The retrain's own metrics (its PrivLeak is 0 by definition).
    @Nullable public var retrain: ForgetEvaluationReport?
    public var prefix_tokens: Int
    public var continuation_tokens: Int
    public var k: Double
}

/// `unlearn_eval`: VerbMem, KnowMem (forget and retain), Min-K% MIA AUC and PrivLeak relative to a retrain, and
/// utility (mean token loss on retain) of a GPT. Forward passes and greedy decoding only.
public struct UnlearnEvalKind: JobKind {
    public static let type = "unlearn_eval"
    public init() {}

    public func resolve(_ p: UnlearnEvalParams) throws -> UnlearnEvalParams {
        try JobError.requireNonEmpty(p.model, "model", "a GPT checkpoint id or the id of the job that wrote it")
        try JobError.requireNonEmpty(p.forget_dataset, "forget_dataset", "a document dataset id")
        try JobError.requireNonEmpty(p.holdout_dataset, "holdout_dataset", "a document dataset id")
        if let v = p.prefix_tokens { try JobError.require(v, in: 1...65_536, "prefix_tokens") }
        if let v = p.continuation_tokens { try JobError.require(v, in: 1...65_536, "continuation_tokens") }
        guard p.k.isFinite, p.k > 0, p.k <= 1 else { throw JobError.invalid(param: "k", message: "k must be in (0, 1]") }
        try JobError.require(p.max_texts, in: 1...10_000, "max_texts")
        if let t = p.threads { try JobError.require(t, in: 1...256, "threads") }
        return p
    }

    public func references(_ p: UnlearnEvalParams) -> [JobReference] {
        [.gptModel(id: p.model, param: "model", combined: true), .dataset(id: p.forget_dataset, param: "forget_dataset", records: .documents),
         .dataset(id: p.holdout_dataset, param: "holdout_dataset", records: .documents)]
            + (p.retrain.map { [.gptModel(id: $0, param: "retrain", combined: true)] } ?? [])
            + (p.retain_dataset.map { [.dataset(id: $0, param: "retain_dataset", records: .documents)] } ?? [])
    }

    public func run(_ p: UnlearnEvalParams, seed: UInt64, context: JobContext) throws -> UnlearnEvalResult {
        let threads = try ComputeThreads(max(1, p.threads ?? context.threads))
        let (modelRef, model) = try PreferenceInputs.model(p.model, param: "model", context: context, allowCombined: true)
        let retrain = try p.retrain.map { try PreferenceInputs.model($0, param: "retrain", context: context, allowCombined: true) }
        if let (_, r) = retrain, r.tokenizer.name != model.tokenizer.name || r.header.model.vocabularySize != model.header.model.vocabularySize {
            throw JobError.invalid(param: "retrain", message: "the retrain's tokenizer differs from the model's")
        }
        func texts(_ id: String?) throws -> [String] {
            try id.map { try context.documents(dataset: $0).prefix(p.max_texts).map(\.text) } ?? []
        }
        let ctx = model.header.model.contextLength
        let prefix = min(p.prefix_tokens ?? min(32, ctx / 2), ctx - 1)
        let continuation = min(p.continuation_tokens ?? min(64, ctx - prefix), ctx - prefix)
        let set = ForgetEvaluationSet(forget: try texts(p.forget_dataset), retain: try texts(p.retain_dataset),
                                      holdout: try texts(p.holdout_dataset), prefixTokens: prefix, continuationTokens: continuation,
                                      k: p.k, maxItems: p.max_texts)
        guard !set.forget.isEmpty else { throw JobError.invalid(param: "forget_dataset", message: "dataset \(p.forget_dataset) has no live documents") }
        func evaluator(_ c: GPTCheckpoint.Contents) throws -> ForgetEvaluator { try LMUnlearnEvaluation.evaluator(c, threads: threads) }
        try context.emit("evaluating", "\(set.forget.count) forget, \(set.holdout.count) holdout, \(set.retain.count) retain texts",
                         data: ["forget": .number(Double(set.forget.count)), "holdout": .number(Double(set.holdout.count)),
                                "retain": .number(Double(set.retain.count))])
        var retrainReport = try retrain.map { try set.evaluate(try evaluator($0.1), retrainAUC: nil) }
        if let a = retrainReport?.mia_auc, a > 0 { retrainReport?.retrain_auc = a; retrainReport?.privleak = 0 }
        let report = try set.evaluate(try evaluator(model), retrainAUC: retrainReport?.mia_auc)
        return UnlearnEvalResult(model_checkpoint: modelRef.id, retrain_checkpoint: retrain?.0.id, model: report, retrain: retrainReport,
                                 prefix_tokens: prefix, continuation_tokens: continuation, k: p.k)
    }
}
