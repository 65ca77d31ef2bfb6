import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// `lm_unlearn` in approximate mode: one of MUSE's methods (`ApproximateUnlearning`) on the version being edited, with
/// retain data drawn from the model's lineage minus tombstones (GDR/KLR), written as a new version whose checkpoint
/// carries the edited parameters, `state.json` (`orchard.lm_unlearn.v1`), `unlearning.json` and `result.json` (so a
/// re-claimed job returns the same result without redoing the edit). No guarantee is claimed; the evaluation is MUSE's
/// metrics before and after (PrivLeak needs an exact retrain: not computed here; `unlearn_eval` takes one).
enum LMApproximateUnlearning {
    struct State: Codable {
        static let format = "orchard.lm_unlearn.v1"
        var format = State.format
        var model: GPTConfig
        var tokenizer: String
        var step: Int
        var method: String
        /// WHP: the model is the target and `reinforced.safetensors` combined at inference.
        var combination: GPTCheckpoint.Combination?
    }

    static func run(_ p: LMUnlearnParams, root: JobDefinition, training: PretrainParams, input: CheckpointRef?,
                    version: Int, seed: UInt64, context: JobContext) throws -> LMUnlearnResult {
        if let done = try context.latestCheckpoint(),
           let data = try? Data(contentsOf: done.directory.appendingPathComponent("result.json")),
           var result = try? JSONDecoder().decode(LMUnlearnResult.self, from: data) {
            result.checkpoint = done.id
            return result
        }
        guard let input else { throw JobError.invalid(param: "checkpoint", message: "model \(p.model) has no checkpoint to edit") }
        let method = ApproximateUnlearningMethod(rawValue: p.method ?? "")!
        let contents: GPTCheckpoint.Contents
        // WHP may edit a WHP version (a sequence of requests): the target stays, the reinforced copy learns the new texts.
        do { contents = try GPTCheckpoint.read(from: input.directory, optimizer: false, allowCombined: method == .whp) } catch let e as GPTCheckpoint.FormatError {
            throw JobError.invalid(param: "checkpoint", message: "checkpoint \(input.id) cannot be edited: \(e.description) (edit the version before it)")
        }
        if let c = contents.combination, c.kind != "whp" || contents.reinforced == nil {
            throw JobError.invalid(param: "checkpoint", message: "checkpoint \(input.id) is a \(c.kind) combination that \(method.rawValue) cannot edit")
        }
        let threads = try ComputeThreads(max(1, training.threads ?? context.threads))
        let rows = max(2 * p.batch_size, 8)
        let model = try GPT(config: contents.header.model, maxBatch: rows, threads: threads, seed: seed)
        try model.load(namedParameters: contents.reinforced ?? contents.parameters)
        let reference = try GPT(config: contents.header.model, maxBatch: rows, threads: threads, seed: seed)
        try reference.load(namedParameters: contents.parameters)
        let ctx = contents.header.model.contextLength
        let forget = ApproximateUnlearning.chunks(p.forget_documents.compactMap(\.text).map { contents.tokenizer.encode($0) }, length: ctx)
        guard !forget.isEmpty else { throw JobError.invalid(param: "forget_documents", message: "the forget texts hold fewer than 2 tokens") }
        // The model's lineage (root and versions, as recorded) minus the documents being forgotten (a direct job may
        // name live ones); tombstoned documents drop out with the live set.
        let read = try context.modelLineage(root: p.model, dataset: training.dataset).subtracting(p.forget_documents.map(\.id))
        let retainTexts = try retainDocuments(training: training, read: read, limit: p.retain_documents, context: context)
        let retain = ApproximateUnlearning.chunks(retainTexts.map { contents.tokenizer.encode($0) }, length: ctx)

        var config = ApproximateUnlearningConfig(method: method)
        config.learningRate = Float(p.lr); config.epochs = p.epochs ?? method.defaultEpochs; config.batch = p.batch_size
        config.beta = p.beta
        if let a = p.alpha { config.alpha = Float(a) }
        if let requested = p.requested_mode {
            try context.emit(type: "mode_changed", message: "\(requested) mode was requested; \(method.rawValue) (approximate) ran",
                             data: ["requested": .string(requested), "ran": "approximate"], level: "warn")
        }
        try context.emit("unlearning_started", "\(forget.count) forget chunks, \(retain.count) retain chunks, \(method.rawValue)",
                         data: ["method": .string(method.rawValue), "forget_chunks": .number(Double(forget.count)),
                                "retain_chunks": .number(Double(retain.count)), "epochs": .number(Double(config.epochs))])
        let before = try meanNLL(reference, forget, ctx)
        let steps: [ApproximateUnlearningStep]
        let clock = ContinuousClock.now
        do {
            steps = try ApproximateUnlearning.run(model: model, reference: reference, forget: forget, retain: retain, config: config, seed: seed) { s in
                if context.shouldStop { throw JobError.stopped }
                try context.metrics(step: s.step + 1, ["loss": s.loss, "forget_nll": s.forgetNLL, "epoch": Double(s.epoch)])
            }
        } catch let e as ModelError {
            throw JobError.invalid(param: "method", message: e.description)
        }
        let seconds = (ContinuousClock.now - clock).seconds
        let after = try meanNLL(model, forget, ctx)
        var result = LMUnlearnResult(
            method: method.rawValue, mode: "approximate", checkpoint: nil, input_checkpoint: input.id, root_job: p.model, model_version: version,
            forgotten_documents: p.forget_documents.count, replay: nil, training: nil,
            approximate: .init(method: method.rawValue, lr: p.lr, epochs: config.epochs, steps: steps.count, batch_size: p.batch_size,
                               beta: p.beta, alpha: Double(config.alpha), forget_chunks: forget.count, retain_chunks: retain.count,
                               forget_nll_before: before, forget_nll_after: after, seconds: seconds),
            guarantee: "none", guarantee_statement: LMUnlearnResult.approximateStatement, deletion_request: p.deletion_request, evaluation: nil)
        // Evaluate the edited model against the input (which stays as it was), then write the new version with its result.
        try context.emit("evaluating", "MUSE metrics of the model before and after", data: .null)
        let targetEvaluator = try LMUnlearnEvaluation.evaluator(input, threads: threads)
        result.evaluation = try LMUnlearnEvaluation.run(
            target: targetEvaluator, unlearned: method == .whp
                ? ForgetEvaluator(scorer: try WHPScorer(target: reference, reinforced: model, alpha: config.alpha), tokenizer: contents.tokenizer)
                : ForgetEvaluator(model: model, tokenizer: contents.tokenizer), forget: p.forget_documents.compactMap(\.text),
            training: training, read: read,
            context: context, exactBaseline: false)
        if let bar = p.bar {
            result.bar = bar
            result.rejected = missed(bar, result.evaluation)
            if let why = result.rejected {
                try context.emit(type: "bar_missed", message: "the result missed the forget-quality bar: \(why)", data: ["reason": .string(why)], level: "warn")
            }
        }
        // WHP: model.safetensors is the target (the reference) and reinforced.safetensors the fine-tuned copy.
        let whp = method == .whp
        let snapshot = try GPTTrainer.adamW(model: whp ? reference : model, learningRate: .constant(rate: 0), seed: seed).snapshot()
        let reinforced = whp ? model.namedParameters() : nil
        let state = State(model: contents.header.model, tokenizer: contents.tokenizer.name, step: steps.count, method: method.rawValue,
                          combination: whp ? GPTCheckpoint.Combination(kind: "whp", alpha: config.alpha) : nil)
        let file = LMUnlearnKind.VersionFile(model: p.model, version: version, input_checkpoint: input.id, deletion_request: p.deletion_request)
        let r = result
        let saved = try context.saveCheckpoint(step: steps.count, metrics: ["forget_nll": after], privateFiles: [], pinned: true) { dir in
            try GPTCheckpoint.write(to: dir, snapshot: snapshot, tokenizer: contents.tokenizer, state: state,
                                    metadata: ["format": State.format, "method": method.rawValue])
            if let reinforced {
                try SafeTensors.write(reinforced, metadata: ["format": State.format, "role": "whp-reinforced"],
                                      to: dir.appendingPathComponent(GPTCheckpoint.reinforcedFile))
            }
            try file.write(into: dir)
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            try e.encode(r).write(to: dir.appendingPathComponent("result.json"))
        }
        result.checkpoint = saved.id
        return result
    }

    /// Why the new version misses the bar (nil: it passes). A bar on a metric that could not be measured is missed.
    static func missed(_ bar: ApproximateUnlearningOptions.Bar, _ e: LMUnlearnEvaluation?) -> String? {
        var reasons: [String] = []
        let after = e?.unlearned, before = e?.target
        if let m = bar.max_verbmem_forget {
            if let v = after?.verbmem_forget { if v > m { reasons.append(String(format: "verbmem_forget %.2f > %.2f", v, m)) } }
            else { reasons.append("verbmem_forget could not be measured") }
        }
        if let m = bar.max_knowmem_forget {
            if let v = after?.knowmem_forget { if v > m { reasons.append(String(format: "knowmem_forget %.2f > %.2f", v, m)) } }
            else { reasons.append("knowmem_forget could not be measured (no cloze items)") }
        }
        if let m = bar.max_utility_loss_increase {
            if let a = after?.utility_loss, let b = before?.utility_loss {
                if a - b > m { reasons.append(String(format: "retain loss rose %.4f > %.4f nats", a - b, m)) }
            } else { reasons.append("the retain loss could not be measured") }
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    static func meanNLL(_ m: GPT, _ chunks: [[Int32]], _ ctx: Int) throws -> Double {
        let ll = try ApproximateUnlearning.sequenceLogLikelihoods(m, chunks)
        return -ll.reduce(0, +) / Double(chunks.count * ctx)
    }

    /// Up to `limit` live training documents the model read (`read`), by id: GDR/KLR's retain set.
    static func retainDocuments(training: PretrainParams, read: Set<String>, limit: Int, context: JobContext) throws -> [String] {
        try PretrainData(params: training, context: context).train.filter { read.contains($0.id) }.prefix(limit).map(\.text)
    }
}
