import Foundation
import OrchardCorpus
import OrchardMethods
import OrchardModels
import OrchardTensor

/// One run (or resumption) of a `distill` job with a GPT student: windows of the teacher's training split (tokenized
/// with the teacher's tokenizer), soft targets from the scheduled teacher checkpoint at every position.
struct DistillGPTSession {
    let p: DistillParams
    let seed: UInt64
    let series: TeacherSeries
    let context: JobContext
    let tokenizer: TextTokenizer
    let config: GPTConfig
    let trainer: GPTTrainer
    let sampler: TokenWindowSampler
    let heldOut: [Int32]
    let dataset: String
    let trainIDs: [String]
    let threads: ComputeThreads
    var progress: DistillProgress
    var teacher: (ref: CheckpointRef, model: GPT)? = nil
    /// Writes extra files into each checkpoint (a re-derived version's `unlearning.json`).
    var annotate: ((URL) throws -> Void)? = nil

    init(params p: DistillParams, seed: UInt64, series: TeacherSeries, teacherTraining: PretrainParams, context: JobContext) throws {
        self.p = p; self.seed = seed; self.series = series; self.context = context
        threads = try ComputeThreads(max(1, p.threads ?? context.threads))
        let final = try GPTCheckpoint.read(from: series.checkpoints.last!.directory, optimizer: false)
        let tokenizer = final.tokenizer
        self.tokenizer = tokenizer
        let g = p.student.gpt!
        if let t = g.tokenizer, t != tokenizer.name {
            throw JobError.invalid(param: "student.gpt.tokenizer", message: "the teacher uses the \(tokenizer.name) tokenizer; a student learns the teacher's distribution over its vocabulary")
        }
        let teacherContext = final.header.model.contextLength
        let length = g.context ?? teacherContext
        guard length <= teacherContext else {
            throw JobError.invalid(param: "student.gpt.context", message: "student.gpt.context \(length) exceeds the teacher's \(teacherContext)")
        }
        config = GPTConfig(vocabularySize: tokenizer.vocabularySize, contextLength: length, layers: g.layers, channels: g.d_model, heads: g.heads)
        do { try config.validate() } catch { throw JobError.invalid(param: "student.gpt", message: "\(error)") }
        dataset = teacherTraining.dataset
        let data = try PretrainData(params: teacherTraining, context: context)
        trainIDs = data.train.map(\.id)
        let stream = data.train.flatMap { tokenizer.encode($0.text) }
        do { sampler = try TokenWindowSampler(tokens: stream, batch: p.batch_size, length: length) } catch {
            throw JobError.invalid(param: "teacher", message: "the teacher's training split is too short for \(p.batch_size) windows of \(length) tokens")
        }
        heldOut = data.heldOut.flatMap { tokenizer.encode($0.text) }
        let gpt = try GPT(config: config, maxBatch: p.batch_size, threads: threads, seed: seed)
        let clip = p.optimizer.clip.map { Float($0) }
        if p.optimizer.kind == "adamw" {
            trainer = try GPTTrainer.adamW(model: gpt, learningRate: p.learningRateSchedule, weightDecay: Float(p.optimizer.weight_decay),
                                           gradientClip: clip, seed: seed)
        } else {
            trainer = try GPTTrainer(model: gpt, optimizer: SGD(parameterCount: gpt.parameters.count, momentum: Float(p.optimizer.momentum),
                                                                 weightDecay: Float(p.optimizer.weight_decay), decayedRanges: gpt.layout.decayedRanges),
                                     schedule: p.learningRateSchedule, gradientClip: clip, seed: seed)
        }
        let resumed = try context.latestCheckpoint()
        progress = try DistillProgress.begin(from: resumed, series: series)
        if let c = resumed {
            let saved = try GPTCheckpoint.read(from: c.directory)
            var snap = trainer.snapshot()
            snap.parameters = saved.parameters; snap.optimizer = saved.optimizer; snap.step = progress.step
            try trainer.restore(snap)
        }
    }

    mutating func teacher(at t: Int) throws -> GPT? {
        guard let ref = series.checkpoint(atStudentStep: t) else { return nil }
        if let current = teacher, current.ref.id == ref.id { return current.model }
        let contents = try GPTCheckpoint.read(from: ref.directory, optimizer: false)
        guard contents.tokenizer.name == tokenizer.name, contents.header.model.vocabularySize == config.vocabularySize else {
            throw JobError.invalid(param: "teacher", message: "teacher checkpoint \(ref.id) uses another tokenizer than the final one")
        }
        // Inference only: no gradient buffer, no optimizer, two layers' activations (nothing kept for a backward).
        let model = try GPT(config: contents.header.model, maxBatch: p.batch_size, threads: threads, seed: 0, inferenceOnly: true)
        try model.load(namedParameters: contents.parameters)
        teacher = (ref, model)
        try progress.use(ref, from: t, context: context)
        return model
    }

    /// Mean next-token loss of the student on up to `eval_samples` consecutive held-out windows.
    func heldOutLoss() throws -> Double? {
        let T = config.contextLength, model = trainer.model
        let windows = min(p.eval_samples, max(0, (heldOut.count - 1) / T))
        guard windows > 0 else { return nil }
        var total = 0.0, done = 0
        while done < windows {
            let b = min(model.maxBatch, windows - done)
            var x = [Int32](), y = [Int32]()
            for w in done..<(done + b) { x += heldOut[(w * T)..<((w + 1) * T)]; y += heldOut[(w * T + 1)..<((w + 1) * T + 1)] }
            total += Double(try model.forward(inputs: x, targets: y, batch: b, length: T)!) * Double(b)
            done += b
        }
        return total / Double(windows)
    }

    mutating func run() throws -> DistillResult {
        let clock = ContinuousClock()
        let checkpointEvery = p.checkpoint_every ?? p.eval_every
        let loss = p.distillationLoss, T = config.contextLength, B = p.batch_size, V = config.vocabularySize
        if progress.step == 0 {
            // Lineage: the training split the student reads, and everything the teacher was trained on.
            try context.recordLineage(dataset: dataset, documentIDs: trainIDs)
            try context.inheritLineage(fromJob: series.job)
        }
        var x = [Int32](), y = [Int32]()
        var heldout: Double? = nil
        let uniform = [Float](repeating: 1 / Float(B * T), count: B * T)
        while progress.step < p.steps {
            if context.shouldStop { try save(); throw JobError.stopped }
            let t = progress.step, started = clock.now
            var rng = SeededRandom(seed: seed, stream: [0xD157, UInt64(t)])
            sampler.sample(inputs: &x, targets: &y, random: &rng)
            let teacherModel = try teacher(at: t)
            var value = 0.0, teacherSeconds = 0.0
            try trainer.trainStep(inputs: x, targets: y, batch: B, length: T, objective: { lp in
                value = -lp.reduce(0.0) { $0 + Double($1) } / Double(B * T)   // CE on the labels; replaced by the soft loss below
                return (value, uniform)
            }, beforeBackward: { student in
                guard let teacherModel else { return }
                let teacherStart = clock.now
                try teacherModel.forward(inputs: x, batch: B, length: T)
                let q = teacherModel.withLastLogits { loss.targets(teacherLogits: $0, rows: B * T, classes: V, labels: y) }
                teacherSeconds = (clock.now - teacherStart).seconds
                value = try student.setSoftTargets(dense: q)
            })
            progress.teacher_seconds += teacherSeconds
            progress.step += 1
            progress.train_seconds += (clock.now - started).seconds
            progress.add(value)
            if progress.step % p.eval_every == 0 || progress.step == p.steps {
                heldout = try heldOutLoss()
                var metrics: [String: Double] = ["train_loss": progress.closeWindow(), "teacher_step": Double(teacher?.ref.step ?? -1),
                                                 "lr": Double(trainer.schedule.rate(at: progress.step - 1))]
                if let h = heldout { metrics["heldout_loss"] = h }
                try context.metrics(step: progress.step, metrics)
                try context.progress(step: progress.step, totalSteps: p.steps, tokens: progress.step * B * T)
            }
            if progress.step % checkpointEvery == 0 || progress.step == p.steps { try save() }
        }
        guard let ckpt = try context.latestCheckpoint() else { throw JobError.permanent(code: "no_checkpoint", message: "the student wrote no checkpoint") }
        let seconds = progress.train_seconds
        return DistillResult(family: "gpt", strategy: p.strategy.kind, teacher_job: series.job, steps: p.steps, checkpoint: ckpt.id,
                             teacher_schedule: progress.teacher_schedule, test_accuracy: nil, reached_target_at_step: nil,
                             reached_target_at_samples: nil, heldout_loss: try heldout ?? heldOutLoss(), train_loss: progress.train_loss ?? 0, train_seconds: seconds,
                             teacher_seconds: progress.teacher_seconds, teacher_fraction: seconds > 0 ? progress.teacher_seconds / seconds : 0,
                             tokens_per_second: seconds > 0 ? Double(p.steps * B * T) / seconds : nil)
    }

    struct State: Codable {
        var model: GPTConfig
        var tokenizer: String
        var step: Int
        var teacher_job: String
        var teacher_checkpoint: String?
    }

    func save() throws {
        let state = State(model: config, tokenizer: tokenizer.name, step: progress.step, teacher_job: series.job, teacher_checkpoint: teacher?.ref.id)
        let snapshot = trainer.snapshot(), progress = progress, tokenizer = tokenizer, annotate = annotate
        try context.saveCheckpoint(step: progress.step, metrics: [:]) { dir in
            try GPTCheckpoint.write(to: dir, snapshot: snapshot, tokenizer: tokenizer, state: state, metadata: ["format": "orchard-gpt"])
            try progress.write(into: dir)
            try annotate?(dir)
        }
    }
}
