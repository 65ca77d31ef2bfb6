import Foundation
import OrchardCorpus
import OrchardMethods
import OrchardModels
import OrchardTensor

/// One attempt of a pretrain job: built fresh or from the latest checkpoint, then stepped to the end.
struct PretrainSession {
    let p: PretrainParams
    let context: JobContext
    let tokenizer: TextTokenizer
    let corpus: PretrainCorpus
    let trainer: GPTTrainer
    var loop: PretrainingLoop<GPTMixtureModel>
    let catalogRecords: [CatalogRecord]
    var recorded: Set<String> = []
    var lastSaved: Int
    let domains: [String]
    /// Mean train loss of the last step and mean held-out loss of the last evaluation (checkpoint metrics).
    var lastTrainLoss: Double? = nil
    var lastHeldOutLoss: Double? = nil

    /// The replay this session started from (an exact-unlearning job), nil for a plain run.
    let replayOrigin: PretrainReplay.Origin?
    /// Documents read so far, and the step of each first read made in this session (not yet recorded).
    var seen: Set<String> = []
    var firstReads: [String: Int] = [:]
    /// Writes extra files into every checkpoint (an unlearning job's `unlearning.json`).
    var annotate: ((URL) throws -> Void)? = nil

    /// A pretrain attempt: resumes the job's own newest checkpoint; else, with `replay`, starts from the newest
    /// candidate checkpoint that a retrain without the tombstoned documents would also have reached
    /// (`PretrainReplay`); else starts fresh.
    init(params p: PretrainParams, seed: UInt64, context: JobContext, replay: PretrainReplay.Request? = nil) throws {
        self.p = p; self.context = context
        let data = try PretrainData(params: p, context: context)
        let resumed = try context.latestCheckpoint().map { try PretrainCheckpoint.read(from: $0.directory) }
        if let r = resumed {
            tokenizer = r.tokenizer
        } else if p.model.vocab.tokenizer == "bpe" {
            do {
                tokenizer = .bpe(try BPETokenizer.train(corpus: data.train.map(\.text), vocabularySize: p.model.vocab.size))
            } catch { throw JobError.invalid(param: "model.vocab", message: "cannot train the BPE tokenizer: \(error)") }
        } else {
            tokenizer = .bytes
        }
        corpus = try PretrainCorpus(train: data.train, heldOut: data.heldOut, tokenizer: tokenizer, context: p.model.context.value,
                                    windowsPerDomain: p.heldout_windows.value, catalogRecords: resumed?.state.catalog ?? data.catalog)
        catalogRecords = resumed?.state.catalog ?? corpus.catalog.domains.flatMap { d in
            d.documents.map { CatalogRecord(id: $0.id, domain: d.name, length: $0.length) }
        }
        domains = corpus.catalog.domainNames

        let config = GPTConfig(vocabularySize: tokenizer.vocabularySize, contextLength: p.model.context.value,
                               layers: p.model.layers.value, channels: p.model.d_model.value, heads: p.model.heads.value)
        let threads = try ComputeThreads(max(1, p.threads ?? context.threads))
        do {
            let gpt = try GPT(config: config, maxBatch: p.batch_size.value, threads: threads, seed: seed)
            let schedule: LearningRateSchedule = p.optimizer.schedule == "cosine"
                ? .cosine(rate: Float(p.optimizer.lr.value), warmupSteps: p.optimizer.warmup.value, totalSteps: p.stepCount,
                          minimumRate: Float(p.optimizer.min_lr.value))
                : .linearWarmup(rate: Float(p.optimizer.lr.value), warmupSteps: p.optimizer.warmup.value)
            trainer = try GPTTrainer.adamW(model: gpt, learningRate: schedule, weightDecay: Float(p.optimizer.weight_decay.value),
                                           beta1: Float(p.optimizer.beta1.value), beta2: Float(p.optimizer.beta2.value),
                                           gradientClip: p.optimizer.clip.map(\.value).map { Float($0) }, seed: seed)
        } catch let e as ModelError {
            throw JobError.invalid(param: "model", message: e.description)
        }

        var sampler: MixtureSampler
        var origin: PretrainReplay.Origin? = nil
        do {
            // The sampler a fresh run starts with: tombstoned catalog entries excluded from the first draw.
            let fresh = try MixtureSampler(catalog: corpus.catalog, strategy: p.mixture, seed: seed,
                                           sequenceLength: p.model.context.value + 1, totalSteps: p.stepCount,
                                           vocabularySize: tokenizer.vocabularySize, excludedDocumentIDs: corpus.missing,
                                           packed: p.packing)
            if let replay {
                origin = try PretrainReplay.origin(replay, fresh: fresh, catalog: catalogRecords, model: config)
            }
            if let r = resumed {
                guard r.state.model == config else {
                    throw JobError.permanent(code: "checkpoint_mismatch", message: "checkpoint model \(r.state.model) ≠ params \(config)")
                }
                try r.restore(into: trainer)
                sampler = try MixtureSampler(catalog: corpus.catalog, state: r.state.sampler)
            } else if let start = try origin?.load() {
                try start.restore(into: trainer)
                sampler = try MixtureSampler(catalog: corpus.catalog, state: PretrainReplay.rebased(start.state.sampler, fresh: fresh.state))
            } else {
                sampler = fresh
            }
        } catch let e as MixtureError {
            throw JobError.invalid(param: "mixture", message: e.description)
        } catch let e as ADOConfigError {
            throw JobError.invalid(param: "mixture.config", message: e.description)
        }
        replayOrigin = origin
        // Documents tombstoned since the catalog was fixed are never sampled again.
        sampler.exclude(documentIDs: corpus.missing)
        let startState = resumed?.state ?? origin?.state
        loop = try PretrainingLoop(model: GPTMixtureModel(trainer: trainer), sampler: sampler, tokens: corpus.tokens,
                                   batchSize: p.batch_size.value, heldOut: corpus.heldOut, evaluateEvery: p.eval_every.value,
                                   tokensSeen: startState?.tokensSeen ?? 0)
        lastSaved = startState?.step ?? 0
        seen = loop.sampler.trainedDocumentIDs()
        if let r = resumed {
            try context.emit("resumed", "resuming from step \(r.state.step)", data: ["step": .number(Double(r.state.step))])
        } else if let o = origin {
            try context.emit("replay_started", o.state.map { "replaying from step \($0.step) (checkpoint \(o.checkpoint!))" }
                                ?? "no checkpoint precedes the first read of the forgotten documents: retraining from step 0",
                             data: o.json(totalSteps: p.stepCount))
        } else {
            try context.emit("pretrain_started", "\(domains.count) domains, \(p.stepCount) steps", data: startData())
        }
    }

    /// The resolved mixture (initial weights, every ADO hyperparameter for this K) and the data layout.
    func startData() throws -> JSONValue {
        .object([
            "domains": .array(domains.map { .string($0) }),
            "documents_by_domain": .object(Dictionary(uniqueKeysWithValues: corpus.catalog.domains.map {
                ($0.name, JSONValue.number(Double($0.documents.count))) })),
            "tokens_by_domain": .object(Dictionary(uniqueKeysWithValues: corpus.catalog.domains.map {
                ($0.name, JSONValue.number(Double($0.tokenCount))) })),
            "heldout_windows_by_domain": .object(Dictionary(uniqueKeysWithValues: zip(domains, corpus.heldOut).map {
                ($0, JSONValue.number(Double($1.count))) })),
            "mixture": try JSONValue(encoding: loop.sampler.state.strategy),
            "vocabulary": .number(Double(tokenizer.vocabularySize)),
            "parameters": .number(Double(trainer.model.parameterCount)),
            "catalog_fingerprint": .string(corpus.catalog.fingerprint),
        ])
    }

    func byDomain(_ values: [Double?]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: zip(domains, values).map { name, v in
            (name, v.map { $0.isFinite ? JSONValue.number($0) : .null } ?? .null)
        }))
    }

    static func lawJSON(_ law: ScalingLaw?) -> JSONValue {
        guard let l = law else { return .null }
        return ["epsilon": .number(l.epsilon), "beta": .number(l.beta), "alpha": .number(l.alpha)]
    }

    mutating func run() throws -> PretrainResult {
        var window = MetricsWindow(domainCount: domains.count, tokens: loop.tokensSeen)
        var trainSeconds = 0.0, mixtureSeconds = 0.0
        var lastHeldOut: [Double]? = nil
        while loop.nextStep < p.stepCount {
            if context.shouldStop {
                if lastSaved != loop.nextStep { try save() }
                throw JobError.stopped
            }
            let report: PretrainingStepReport
            do { report = try loop.step() } catch let e as MixtureError {
                throw JobError.permanent(code: "mixture", message: e.description)
            } catch let e as ADOPolicy.PolicyError {
                throw JobError.permanent(code: "diverged", message: e.description)
            }
            let done = report.step + 1
            for sequence in report.batch {
                for piece in sequence.pieces where seen.insert(piece.documentID).inserted { firstReads[piece.documentID] = report.step }
            }
            trainSeconds += report.trainSeconds; mixtureSeconds += report.mixtureSeconds
            window.add(report)
            var heldOut = report.heldOutLossByDomain
            if heldOut == nil && done == p.stepCount && !corpus.heldOut.isEmpty { heldOut = try loop.evaluateHeldOut() }
            lastTrainLoss = report.meanTrainLoss
            if let h = heldOut {
                lastHeldOut = h
                let finite = h.filter(\.isFinite)
                if !finite.isEmpty { lastHeldOutLoss = finite.reduce(0, +) / Double(finite.count) }
            }
            if done % p.metrics_every.value == 0 || heldOut != nil || report.refit != nil || done == p.stepCount {
                try emitMetrics(report, done: done, heldOut: heldOut, window: &window)
            }
            try context.progress(step: done, totalSteps: p.stepCount, tokens: report.tokens)
            if done % p.checkpoint_every.value == 0 || done == p.stepCount { try save() }
        }
        var result = PretrainResult(
            steps: p.stepCount, tokens: loop.tokensSeen, domains: domains,
            final_weights: byDomainValues(loop.sampler.effectiveWeights), mixture: loop.sampler.state.strategy,
            ado_refits: loop.sampler.adoPolicy?.state.refits.count ?? 0,
            lineage: .init(mode: "documents_read", documents: recorded.count),
            tokenizer: p.model.vocab.tokenizer, vocabulary: tokenizer.vocabularySize,
            train_seconds: trainSeconds, mixture_seconds: mixtureSeconds,
            mixture_overhead_fraction: trainSeconds > 0 ? mixtureSeconds / (trainSeconds + mixtureSeconds) : 0)
        if let h = lastHeldOut {
            result.heldout_loss_by_domain = byDomainValues(h)
            let finite = h.filter(\.isFinite)
            result.heldout_loss = finite.isEmpty ? nil : finite.reduce(0, +) / Double(finite.count)
        }
        if let laws = loop.sampler.adoPolicy?.state.laws {
            result.laws = Dictionary(uniqueKeysWithValues: zip(domains, laws).map { ($0, Optional(PretrainResult.Law($1))) })
        }
        return result
    }

    /// Per-domain values keyed by domain name; non-finite values become null.
    func byDomainValues(_ values: [Double?]) -> [String: Double?] {
        Dictionary(uniqueKeysWithValues: zip(domains, values).map { name, v in (name, v.flatMap { $0.isFinite ? $0 : nil }) })
    }

    mutating func emitMetrics(_ r: PretrainingStepReport, done: Int, heldOut: [Double]?, window: inout MetricsWindow) throws {
        var o: [String: JSONValue] = [
            "step": .number(Double(done)), "tokens": .number(Double(r.tokens)),
            "loss": .number(window.meanLoss),
            "lr": .number(Double(trainer.schedule.rate(at: done - 1))),
            "tokens_per_second": .number(window.tokensPerSecond),
            "mixture_seconds": .number(window.mixtureSeconds), "train_seconds": .number(window.trainSeconds),
            "train_loss_by_domain": byDomain(window.meanLossByDomain),
            "weights": byDomain(r.weights),
        ]
        if let h = heldOut {
            o["heldout_loss_by_domain"] = byDomain(h)
            let finite = h.filter(\.isFinite)
            if !finite.isEmpty { o["heldout_loss"] = .number(finite.reduce(0, +) / Double(finite.count)) }
        }
        if let f = r.refit {
            var fit: [String: JSONValue] = [
                "step": .number(Double(f.step)), "points": .number(Double(f.points)),
                "laws": .object(Dictionary(uniqueKeysWithValues: zip(domains, f.laws).map { ($0, Self.lawJSON($1)) })),
            ]
            if f.postponed == true { fit["postponed"] = true }
            if let w = f.smoothingWindows { fit["smoothing_windows"] = byDomain(w.map(Double.init)) }
            if let n = f.lossNoise { fit["loss_noise"] = byDomain(n) }
            o["fit"] = .object(fit)
        }
        try context.emit(type: "metrics", message: "", data: .object(o), level: "info")
        window = MetricsWindow(domainCount: domains.count, tokens: r.tokens)
    }

    /// Records lineage for every document read so far (with the step of each first read seen by this session),
    /// then writes the checkpoint (so a checkpoint never exists without its lineage). Also picks up documents tombstoned since the start: never sampled again.
    mutating func save() throws {
        let live = Set(try context.documents(dataset: p.dataset).map(\.id))
        let gone = catalogRecords.lazy.map(\.id).filter { !live.contains($0) }
        var sampler = loop.sampler
        sampler.exclude(documentIDs: Array(gone))
        if sampler.state.excludedDocumentIDs != loop.sampler.state.excludedDocumentIDs {
            loop = try PretrainingLoop(model: loop.model, sampler: sampler, tokens: corpus.tokens, batchSize: p.batch_size.value,
                                       heldOut: corpus.heldOut, evaluateEvery: p.eval_every.value, tokensSeen: loop.tokensSeen)
        }
        let read = loop.sampler.trainedDocumentIDs().subtracting(recorded)
        if !read.isEmpty {
            let stepped = read.filter { firstReads[$0] != nil }
            if !stepped.isEmpty {
                try context.recordLineage(dataset: p.dataset, firstReads: Dictionary(uniqueKeysWithValues: stepped.map { ($0, firstReads[$0]!) }))
            }
            let unstepped = read.subtracting(stepped)   // read before this session started: recorded with their step then
            if !unstepped.isEmpty { try context.recordLineage(dataset: p.dataset, documentIDs: unstepped.sorted()) }
            recorded.formUnion(read)
            for id in stepped { firstReads[id] = nil }
        }
        let state = PretrainState(format: PretrainState.format, step: loop.nextStep, tokensSeen: loop.tokensSeen,
                                  trainerRandom: trainer.random.state.map(SeededRandom.hexWord),
                                  sampler: loop.sampler.state, catalog: catalogRecords, tokenizer: p.model.vocab.tokenizer,
                                  vocabularySize: tokenizer.vocabularySize, model: trainer.model.config)
        let snapshot = trainer.snapshot()
        let tok = tokenizer
        var metrics: [String: Double] = ["tokens": Double(loop.tokensSeen)]
        if let l = lastTrainLoss { metrics["loss"] = l }
        if let h = lastHeldOutLoss { metrics["heldout_loss"] = h }
        // Scheduled checkpoints are the model's replay anchors: retention keeps them (docs/methods.md).
        let anchor = state.step % p.checkpoint_every.value == 0 || state.step == p.stepCount
        try context.saveCheckpoint(step: state.step, metrics: metrics, privateFiles: [], pinned: anchor) { dir in
            try PretrainCheckpoint.write(to: dir, state: state, snapshot: snapshot, tokenizer: tok)
            try annotate?(dir)
        }
        lastSaved = state.step
    }
}

/// Train loss per domain and throughput since the last metrics event.
struct MetricsWindow {
    var sums: [Double], counts: [Int]
    var lossSum = 0.0, steps = 0
    let startTokens: Int
    var tokens: Int
    var trainSeconds = 0.0, mixtureSeconds = 0.0

    init(domainCount k: Int, tokens: Int) {
        sums = Array(repeating: 0, count: k); counts = Array(repeating: 0, count: k)
        startTokens = tokens; self.tokens = tokens
    }

    mutating func add(_ r: PretrainingStepReport) {
        for (k, l) in r.trainLossByDomain.enumerated() {
            if let l { sums[k] += l * Double(r.domainCounts[k]); counts[k] += r.domainCounts[k] }
        }
        lossSum += r.meanTrainLoss; steps += 1
        tokens = r.tokens
        trainSeconds += r.trainSeconds; mixtureSeconds += r.mixtureSeconds
    }
    var meanLoss: Double { steps > 0 ? lossSum / Double(steps) : .nan }
    var meanLossByDomain: [Double?] { zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : nil } }
    /// Tokens trained per second of training + mixture work in this window (held-out evaluation excluded).
    var tokensPerSecond: Double {
        let seconds = trainSeconds + mixtureSeconds
        return seconds > 0 ? Double(tokens - startTokens) / seconds : 0
    }
}
