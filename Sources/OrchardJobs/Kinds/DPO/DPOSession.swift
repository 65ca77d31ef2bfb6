import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// One run (or resumption) of a `dpo` job: the policy, its trainer, the pairs and the monitor state.
struct DPOSession {
    let p: DPOParams
    let seed: UInt64
    let context: JobContext
    let tokenizer: TextTokenizer
    let config: GPTConfig
    let trainer: PreferenceTrainer
    let batchPairs: Int
    let totalSteps: Int
    /// Indices of pairs still live in the dataset (a pair tombstoned since the start is never drawn again).
    let live: Set<Int>
    var state: DPOState
    /// Writes extra files into each checkpoint (a re-derived version's `unlearning.json`).
    var annotate: ((URL) throws -> Void)? = nil

    init(params p: DPOParams, seed: UInt64, context: JobContext) throws {
        self.p = p; self.seed = seed; self.context = context
        let threads = try ComputeThreads(max(1, p.threads ?? context.threads))
        let resumed = try context.latestCheckpoint().map { try DPOCheckpoint.read(from: $0.directory) }
        let contents: GPTCheckpoint.Contents, baseID: String, baseJob: String
        if let r = resumed {
            contents = r.1; baseID = r.0.baseCheckpoint; baseJob = r.0.baseJob
        } else {
            let (base, c) = try PreferenceInputs.model(p.model, param: "model", context: context)
            contents = c; baseID = base.id; baseJob = base.jobID
        }
        config = contents.header.model
        tokenizer = contents.tokenizer

        // Pairs, tokenized with the base's tokenizer and fitted to its context.
        let raw = try context.preferencePairs(dataset: p.dataset)
        var byID: [String: EncodedPreferencePair] = [:]
        var promptCut = 0, responseCut = 0
        for r in raw {
            let (fitted, cut) = try PreferenceInputs.encode(r, tokenizer: tokenizer, context: config.contextLength)
            if cut.prompt { promptCut += 1 }
            if cut.response { responseCut += 1 }
            byID[r.id] = fitted
        }
        let pairIDs = resumed?.0.pairIDs ?? raw.map(\.id)
        guard !pairIDs.isEmpty else { throw JobError.invalid(param: "dataset", message: "dataset \(p.dataset) has no live preference pairs") }
        // A pair tombstoned since the start keeps its slot (the reference and CHES are indexed by it) but is never drawn.
        let placeholder = EncodedPreferencePair(id: "", prompt: [0], chosen: [0], rejected: [0])
        let pairs = pairIDs.map { byID[$0] ?? placeholder }
        live = Set(pairIDs.indices.filter { byID[pairIDs[$0]] != nil })

        batchPairs = max(1, min(p.batch_size, pairIDs.count))
        let gpt = try GPT(config: config, maxBatch: 2 * batchPairs, threads: threads, seed: seed)
        try gpt.load(namedParameters: contents.parameters)
        let gt: GPTTrainer
        let clip = p.optimizer.clip.map { Float($0) }
        if p.optimizer.kind == "sgd" {
            gt = try GPTTrainer(model: gpt, optimizer: SGD(parameterCount: gpt.parameters.count, momentum: Float(p.optimizer.momentum),
                                                           weightDecay: Float(p.optimizer.weight_decay), decayedRanges: gpt.layout.decayedRanges),
                                schedule: .constant(rate: Float(p.optimizer.lr)), gradientClip: clip, seed: seed)
        } else {
            gt = try GPTTrainer.adamW(model: gpt, learningRate: .constant(rate: Float(p.optimizer.lr)), weightDecay: Float(p.optimizer.weight_decay),
                                      beta1: Float(p.optimizer.beta1), beta2: Float(p.optimizer.beta2), gradientClip: clip, seed: seed)
        }
        let loss: PreferenceLoss
        do { loss = try PreferenceLoss(kind: p.lossKind, beta: p.beta, sftWeight: p.sft_weight) } catch {
            throw JobError.invalid(param: "beta", message: "\(error)")
        }

        if let (s, c) = resumed.map({ ($0.0, $0.1) }) {
            var snap = gt.snapshot()
            snap.parameters = c.parameters; snap.optimizer = c.optimizer; snap.step = s.step
            snap.randomState = s.trainerRandom.compactMap { UInt64($0, radix: 16) }
            try gt.restore(snap)
            state = s
        } else {
            // With the starting policy, before any step: CHES (the model being trained, §2.7) and the reference.
            let all = Array(live).sorted().map { pairs[$0] }
            let ches = try CHESScore.compute(model: gpt, pairs: all, batchPairs: batchPairs)
            let reference = try PairLogProbabilities.compute(model: gpt, pairs: all, batchPairs: batchPairs)
            let kept = p.ches_filter > 0 ? CHESScore.keepingLeastSimilar(ches, droppingFraction: p.ches_filter) : Array(all.indices)
            state = DPOState(step: 0, model: config, tokenizer: tokenizer.name, baseCheckpoint: baseID, baseJob: baseJob,
                             trainerRandom: gt.random.state.map(SeededRandom.hexWord), pairIDs: all.map(\.id), kept: kept,
                             reference: reference, ches: ches, promptTruncated: promptCut, responseTruncated: responseCut,
                             firstWindowLoss: nil, displacementStep: nil, lastWindow: nil, lastMetrics: nil)
        }
        let ordered = state.pairIDs.map { byID[$0] ?? placeholder }
        trainer = try PreferenceTrainer(trainer: gt, loss: loss, pairs: ordered, reference: state.reference)
        totalSteps = p.steps ?? max(1, Int((p.epochs! * Double(state.kept.count) / Double(batchPairs)).rounded(.up)))
    }

    var liveIndices: Set<Int> { Set(state.pairIDs.indices.filter { !trainer.pairs[$0].id.isEmpty }) }

    mutating func run() throws -> DPOResult {
        let liveSet = liveIndices
        if state.step == 0 {
            let threshold = p.ches_filter > 0 ? keptThreshold() : nil
            try context.emit("pairs_prepared", "\(state.pairIDs.count) pairs, \(state.kept.count) after the CHES filter; \(state.promptTruncated) prompts cut from the left to fit the context",
                             data: ["pairs": .number(Double(state.pairIDs.count)), "pairs_trained": .number(Double(state.kept.count)),
                                    "prompt_truncated": .number(Double(state.promptTruncated)),
                                    "response_truncated": .number(Double(state.responseTruncated)),
                                    "ches_filter_threshold": threshold.map(JSONValue.number) ?? .null,
                                    "reference_mean_chosen_logprob": .number(mean(state.reference.chosen)),
                                    "reference_mean_rejected_logprob": .number(mean(state.reference.rejected))])
            // Lineage: the pairs trained on, and everything the base model was trained on.
            try context.recordLineage(dataset: p.dataset, documentIDs: state.kept.map { state.pairIDs[$0] })
            try context.inheritLineage(fromJob: state.baseJob)
        }
        let checkpointEvery = p.checkpoint_every ?? max(1, totalSteps / 5)
        var window = state.lastWindow ?? DPOWindow()
        var lastSaved: CheckpointRef? = try context.latestCheckpoint()
        var windowStart = ContinuousClock.now, windowPairs = 0
        while state.step < totalSteps {
            if context.shouldStop {
                state.lastWindow = window
                _ = try save()
                throw JobError.stopped
            }
            let picks = PreferenceTrainer.batch(step: state.step, batchPairs: batchPairs, count: state.kept.count, seed: seed)
                .map { state.kept[$0] }.filter { liveSet.contains($0) }
            if !picks.isEmpty {
                let m = try trainer.step(picks)
                window.add(m)
                windowPairs += picks.count
                state.lastMetrics = m
            }
            state.step += 1
            try context.progress(step: state.step, totalSteps: totalSteps, tokens: nil)
            if state.step % p.metrics_every == 0 || state.step == totalSteps {
                let w = window.mean
                let seconds = (ContinuousClock.now - windowStart).seconds
                try emitMetrics(w, pairsPerSecond: seconds > 0 ? Double(windowPairs) / seconds : 0)
                window = DPOWindow(); windowStart = ContinuousClock.now; windowPairs = 0
            }
            if state.step % checkpointEvery == 0 || state.step == totalSteps {
                state.lastWindow = window
                lastSaved = try save()
            }
        }
        return try result(checkpoint: lastSaved ?? save())
    }

    mutating func emitMetrics(_ w: DPOWindow, pairsPerSecond: Double) throws {
        if state.firstWindowLoss == nil { state.firstWindowLoss = w.loss }
        try context.emit(type: "metrics", message: "", data: [
            "step": .number(Double(state.step)), "loss": .number(w.loss), "reward_margin": .number(w.rewardMargin),
            "reward_accuracy": .number(w.rewardAccuracy), "chosen_logprob_change": .number(w.chosenChange),
            "rejected_logprob_change": .number(w.rejectedChange), "pairs_per_second": .number(pairsPerSecond),
            "lr": .number(Double(state.lastMetrics?.learningRate ?? 0)), "grad_norm": .number(Double(state.lastMetrics?.gradientNorm ?? 0)),
        ], level: "info")
        // Likelihood displacement (Def. 1): the loss fell, yet the preferred response became less likely.
        if state.displacementStep == nil, w.chosenChange < -p.displacement_threshold, let first = state.firstWindowLoss, w.loss < first {
            state.displacementStep = state.step
            try context.emit(type: "likelihood_displacement",
                             message: String(format: "mean log π(y⁺|x) fell by %.3f nats from the reference while the loss fell (%.4f → %.4f)",
                                             -w.chosenChange, first, w.loss),
                             data: ["step": .number(Double(state.step)), "chosen_logprob_change": .number(w.chosenChange),
                                    "rejected_logprob_change": .number(w.rejectedChange), "loss": .number(w.loss),
                                    "first_window_loss": .number(first), "threshold": .number(p.displacement_threshold)],
                             level: "warn")
        }
    }

    func save() throws -> CheckpointRef {
        var s = state
        s.trainerRandom = trainer.trainer.random.state.map(SeededRandom.hexWord)
        let snapshot = trainer.trainer.snapshot()
        let window = s.lastWindow?.mean
        var metrics: [String: Double] = ["step": Double(s.step)]
        if let w = window, (s.lastWindow?.steps ?? 0) > 0 { metrics["loss"] = w.loss; metrics["chosen_logprob_change"] = w.chosenChange }
        let tok = tokenizer, annotate = annotate
        return try context.saveCheckpoint(step: s.step, metrics: metrics) { dir in
            try DPOCheckpoint.write(to: dir, state: s, snapshot: snapshot, tokenizer: tok)
            try annotate?(dir)
        }
    }

    func keptThreshold() -> Double? {
        let dropped = Set(state.ches.indices).subtracting(state.kept)
        return dropped.map { state.ches[$0].lengthNormalized }.min()
    }

    /// Evaluation of the trained policy on every live pair, and the result.
    func result(checkpoint: CheckpointRef) throws -> DPOResult {
        let indices = state.pairIDs.indices.filter { !trainer.pairs[$0].id.isEmpty }
        let pairs = indices.map { trainer.pairs[$0] }
        let policy = try PairLogProbabilities.compute(model: trainer.trainer.model, pairs: pairs, batchPairs: batchPairs)
        let refC = indices.map { state.reference.chosen[$0] }, refR = indices.map { state.reference.rejected[$0] }
        let lc = pairs.map(\.chosen.count), lr = pairs.map(\.rejected.count)
        func report(_ c: [Double], _ r: [Double]) -> RankingReport {
            RankingReport(ranking_accuracy: RankingAccuracy.accuracy(chosen: c, rejected: r),
                          length_normalized_ranking_accuracy: RankingAccuracy.lengthNormalizedAccuracy(chosen: c, rejected: r,
                                                                                                       chosenLengths: lc, rejectedLengths: lr))
        }
        let top = state.ches.indices.sorted { state.ches[$0].ches != state.ches[$1].ches ? state.ches[$0].ches > state.ches[$1].ches : $0 < $1 }
            .prefix(p.report_pairs)
            .map { ScoredPair(id: state.pairIDs[$0], ches: state.ches[$0].ches, ln_ches: state.ches[$0].lengthNormalized) }
        let w = state.lastMetrics
        return DPOResult(
            checkpoint: checkpoint.id, base_checkpoint: state.baseCheckpoint, steps: state.step, pairs: state.pairIDs.count,
            pairs_trained: state.kept.count, prompt_truncated: state.promptTruncated, response_truncated: state.responseTruncated,
            loss: w?.loss ?? .nan, reward_margin: w?.rewardMargin ?? .nan, reward_accuracy: w?.rewardAccuracy ?? .nan,
            chosen_logprob_change: w?.chosenLogProbChange ?? .nan, rejected_logprob_change: w?.rejectedLogProbChange ?? .nan,
            final_chosen_logprob_change: mean(zip(policy.chosen, refC).map { $0 - $1 }),
            final_rejected_logprob_change: mean(zip(policy.rejected, refR).map { $0 - $1 }),
            displacement_step: state.displacementStep,
            reference_ranking: report(refC, refR), policy_ranking: report(policy.chosen, policy.rejected),
            idealized_ranking_accuracy: RankingAccuracy.idealized(referenceChosen: refC, referenceRejected: refR, beta: p.beta),
            most_displacing_pairs: Array(top), ches_filter_threshold: p.ches_filter > 0 ? keptThreshold() : nil)
    }

    func mean(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs.reduce(0, +) / Double(xs.count) }
}
