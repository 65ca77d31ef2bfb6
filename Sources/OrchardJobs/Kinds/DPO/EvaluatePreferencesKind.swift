import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// `evaluate_preferences` params: ranking accuracy of any GPT on any preference dataset (spec algorithms-1 §3).
public struct EvaluatePreferencesParams: JobParams, Equatable {
    /// The GPT to evaluate: a checkpoint id or a job id (its newest checkpoint).
    public var model: String = ""
    /// A preference-pair dataset.
    public var dataset: String = ""
    /// The reference π_ref of the idealized accuracy and of the difficulty c; null: `model` itself.
    @Nullable public var reference: String? = nil
    /// β of R* and of the loss threshold −log σ(βc), > 0.
    public var beta: Double = 0.1
    /// How many pairs the result lists, hardest (largest c) first, 0...10000.
    public var report_pairs: Int = 20
    @Nullable public var threads: Int? = nil
    public init() {}
}

/// One pair as `evaluate_preferences` reports it.
public struct EvaluatedPair: Codable, Sendable, Equatable {
    public var id: String
    /// log π(y_w|x) − log π(y_l|x) under the model.
    public var margin: Double
    /// c = log π_ref(y_l|x) − log π_ref(y_w|x) (> 0: the reference misranks it), and −log σ(βc): the DPO loss that
    /// would rank it correctly (Thm 4.1).
    public var difficulty: Double
    public var loss_threshold: Double
    public var ranked_correctly: Bool
}

/// The result of an `evaluate_preferences` job.
public struct EvaluatePreferencesResult: Codable, Sendable, Equatable {
    public var kind = "evaluate_preferences"
    public var model_checkpoint: String
    public var reference_checkpoint: String
    public var pairs: Int
    public var model: RankingReport
    public var reference: RankingReport
    /// R* at `beta`, and its min / median / max over β ∈ {0.01, 0.1, 1, 5, 10} (Chen et al. report the spread).
    public var idealized_ranking_accuracy: Double
    public var idealized_over_beta: [String: Double]
    /// Share of pairs the reference misranks (c > 0), and of those, the share the model ranks correctly.
    public var reference_misranked: Double
    @Nullable public var flipped_of_misranked: Double?
    public var hardest_pairs: [EvaluatedPair]
}

/// `evaluate_preferences`: ranking accuracy R and R̃ of a GPT and of a reference on preference pairs, the idealized R*
/// of the reference (Thm 3.1; single-label pairs: α = 1 − 1e-3), and each pair's difficulty c and loss threshold
/// (Thm 4.1). Pairs are tokenized with the model's tokenizer and fitted to its context as `dpo` does. Forward only.
public struct EvaluatePreferencesKind: JobKind {
    public static let type = "evaluate_preferences"
    public init() {}

    public func resolve(_ p: EvaluatePreferencesParams) throws -> EvaluatePreferencesParams {
        try JobError.requireNonEmpty(p.model, "model", "a GPT checkpoint id or the id of the job that wrote it")
        try JobError.requireNonEmpty(p.dataset, "dataset", "a preference-pair dataset id")
        guard p.beta.isFinite, p.beta > 0 else { throw JobError.invalid(param: "beta", message: "beta must be a finite number > 0") }
        try JobError.require(p.report_pairs, in: 0...10_000, "report_pairs")
        if let t = p.threads { try JobError.require(t, in: 1...256, "threads") }
        return p
    }

    public func references(_ p: EvaluatePreferencesParams) -> [JobReference] {
        [.gptModel(id: p.model, param: "model"), .dataset(id: p.dataset, param: "dataset", records: .preferencePairs)]
            + (p.reference.map { [.gptModel(id: $0, param: "reference")] } ?? [])
    }

    public func run(_ p: EvaluatePreferencesParams, seed: UInt64, context: JobContext) throws -> EvaluatePreferencesResult {
        let threads = try ComputeThreads(max(1, p.threads ?? context.threads))
        let (modelRef, model) = try PreferenceInputs.model(p.model, param: "model", context: context)
        let (referenceRef, reference) = try p.reference.map { try PreferenceInputs.model($0, param: "reference", context: context) }
            ?? (modelRef, model)
        guard reference.tokenizer.name == model.tokenizer.name, reference.header.model.vocabularySize == model.header.model.vocabularySize else {
            throw JobError.invalid(param: "reference", message: "the reference's tokenizer differs from the model's")
        }
        let raw = try context.preferencePairs(dataset: p.dataset)
        guard !raw.isEmpty else { throw JobError.invalid(param: "dataset", message: "dataset \(p.dataset) has no live preference pairs") }
        let context = min(model.header.model.contextLength, reference.header.model.contextLength)
        let pairs = try raw.map { try PreferenceInputs.encode($0, tokenizer: model.tokenizer, context: context).pair }
        func score(_ c: GPTCheckpoint.Contents) throws -> PairLogProbabilities {
            let gpt = try GPT(config: c.header.model, maxBatch: 16, threads: threads, seed: seed)
            try gpt.load(namedParameters: c.parameters)
            return try PairLogProbabilities.compute(model: gpt, pairs: pairs, batchPairs: 8)
        }
        let m = try score(model), r = p.reference == nil ? m : try score(reference)
        let lc = pairs.map(\.chosen.count), lr = pairs.map(\.rejected.count)
        func report(_ s: PairLogProbabilities) -> RankingReport {
            RankingReport(ranking_accuracy: RankingAccuracy.accuracy(chosen: s.chosen, rejected: s.rejected),
                          length_normalized_ranking_accuracy: RankingAccuracy.lengthNormalizedAccuracy(
                            chosen: s.chosen, rejected: s.rejected, chosenLengths: lc, rejectedLengths: lr))
        }
        let evaluated = pairs.indices.map { i -> EvaluatedPair in
            let c = RankingAccuracy.difficulty(referenceChosen: r.chosen[i], referenceRejected: r.rejected[i])
            return EvaluatedPair(id: pairs[i].id, margin: m.chosen[i] - m.rejected[i], difficulty: c,
                                 loss_threshold: RankingAccuracy.lossThreshold(difficulty: c, beta: p.beta),
                                 ranked_correctly: m.chosen[i] >= m.rejected[i])
        }
        let misranked = evaluated.filter { $0.difficulty > 0 }
        let grid = [0.01, 0.1, 1, 5, 10].map { RankingAccuracy.idealized(referenceChosen: r.chosen, referenceRejected: r.rejected, beta: $0) }.sorted()
        return EvaluatePreferencesResult(
            model_checkpoint: modelRef.id, reference_checkpoint: referenceRef.id, pairs: pairs.count, model: report(m), reference: report(r),
            idealized_ranking_accuracy: RankingAccuracy.idealized(referenceChosen: r.chosen, referenceRejected: r.rejected, beta: p.beta),
            idealized_over_beta: ["min": grid[0], "median": grid[2], "max": grid[4]],
            reference_misranked: Double(misranked.count) / Double(pairs.count),
            flipped_of_misranked: misranked.isEmpty ? nil : Double(misranked.filter(\.ranked_correctly).count) / Double(misranked.count),
            hardest_pairs: Array(evaluated.sorted { $0.difficulty != $1.difficulty ? $0.difficulty > $1.difficulty : $0.id < $1.id }.prefix(p.report_pairs)))
    }
}
