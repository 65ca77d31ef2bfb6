import Foundation
import OrchardCorpus
import OrchardMethods
import OrchardModels
import OrchardTensor

/// The MUSE evaluation an `lm_unlearn` result (and so the receipt) carries: the model before the deletion (`target`)
/// and the new version (`unlearned`), on the same texts:
///   forget  = the forgotten documents (their text is in the job's params until it ends);
///   holdout = up to 64 of the dataset's held-out documents (never trained on), by id;
///   retain  = up to 64 documents the new version was trained on, by id.
/// The new version is the exact retrain, so its own AUC is the PrivLeak baseline: its PrivLeak is 0 by construction
/// and the target's PrivLeak says how much the model leaked before the deletion.
public struct LMUnlearnEvaluation: Codable, Sendable, Equatable {
    public var target: ForgetEvaluationReport
    public var unlearned: ForgetEvaluationReport
    public var prefix_tokens: Int
    public var continuation_tokens: Int

    static let maxTexts = 64

    /// A forward-only evaluator of a GPT checkpoint.
    static func evaluator(_ ref: CheckpointRef, threads: ComputeThreads) throws -> ForgetEvaluator {
        try evaluator(try GPTCheckpoint.read(from: ref.directory, optimizer: false, allowCombined: true), threads: threads)
    }

    /// A single GPT, or WHP's combination of two.
    static func evaluator(_ c: GPTCheckpoint.Contents, threads: ComputeThreads) throws -> ForgetEvaluator {
        let gpt = try GPT(config: c.header.model, maxBatch: 8, threads: threads, seed: 0)
        try gpt.load(namedParameters: c.parameters)
        if let combination = c.combination, let reinforced = c.reinforced {
            guard combination.kind == "whp" else { throw JobError.invalid(param: "model", message: "unknown model combination \(combination.kind)") }
            let rein = try GPT(config: c.header.model, maxBatch: 8, threads: threads, seed: 0)
            try rein.load(namedParameters: reinforced)
            return ForgetEvaluator(scorer: try WHPScorer(target: gpt, reinforced: rein, alpha: combination.alpha), tokenizer: c.tokenizer)
        }
        return ForgetEvaluator(model: gpt, tokenizer: c.tokenizer)
    }

    static func run(target: CheckpointRef?, unlearned: CheckpointRef, forget: [String], training: PretrainParams, read: Set<String>,
                    context: JobContext) throws -> LMUnlearnEvaluation? {
        guard let target else { return nil }
        let threads = try ComputeThreads(Swift.max(1, training.threads ?? context.threads))
        return try run(target: try evaluator(target, threads: threads), unlearned: try evaluator(unlearned, threads: threads),
                       forget: forget, training: training, read: read, context: context, exactBaseline: true)
    }

    /// `exactBaseline`: the unlearned model is the exact retrain (its AUC is PrivLeak's baseline); otherwise no PrivLeak.
    static func run(target: ForgetEvaluator, unlearned: ForgetEvaluator, forget: [String], training: PretrainParams, read: Set<String>,
                    context: JobContext, exactBaseline: Bool) throws -> LMUnlearnEvaluation? {
        guard !forget.isEmpty else { return nil }
        let data = try PretrainData(params: training, context: context)
        let holdout = data.heldOut.prefix(maxTexts).map(\.text)
        let retain = data.train.filter { read.contains($0.id) }.prefix(maxTexts).map(\.text)
        let ctx = training.model.context.value
        let prefix = Swift.min(32, ctx / 2), continuation = Swift.min(64, ctx - prefix)
        let set = ForgetEvaluationSet(forget: forget, retain: Array(retain), holdout: Array(holdout), prefixTokens: prefix,
                                      continuationTokens: continuation)
        let after = try set.evaluate(unlearned, retrainAUC: nil)
        let baseline = exactBaseline ? after.mia_auc : nil
        var afterWithLeak = after
        if let b = baseline, b > 0 { afterWithLeak.retrain_auc = b; afterWithLeak.privleak = 0 }
        let before = try set.evaluate(target, retrainAUC: baseline)
        return LMUnlearnEvaluation(target: before, unlearned: afterWithLeak, prefix_tokens: prefix, continuation_tokens: continuation)
    }
}
