import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor

/// One run (or resumption) of a `distill` job with an MLP student on the teacher's sparse-parity task.
struct DistillMLPSession {
    let p: DistillParams
    let seed: UInt64
    let series: TeacherSeries
    let context: JobContext
    let task: SparseParity
    let student: MLPClassifier
    let architecture: MLPCheckpoint.Architecture
    let optimizer: any Optimizer
    let schedule: LearningRateSchedule
    let threads: ComputeThreads
    let evaluation: ParityEvaluation
    var progress: DistillProgress
    var teacher: (ref: CheckpointRef, model: MLPClassifier)? = nil

    init(params p: DistillParams, seed: UInt64, series: TeacherSeries, context: JobContext) throws {
        self.p = p; self.seed = seed; self.series = series; self.context = context
        threads = try ComputeThreads(max(1, p.threads ?? context.threads))
        task = try MLPCheckpoint.readState(series.checkpoints[0].directory).task
        let m = p.student.mlp!
        architecture = MLPCheckpoint.Architecture(input: task.n, hidden: m.hidden, classes: 2, activation: MLPClassifier.Activation(rawValue: m.activation)!)
        student = try MLPClassifier(inputSize: task.n, hiddenSizes: m.hidden, classes: 2, maxBatch: max(p.batch_size, 512), threads: threads,
                                    seed: seed, activation: architecture.activation, initialization: .uniform)
        optimizer = p.optimizer.kind == "adamw"
            ? try AdamW(parameterCount: student.parameters.count, weightDecay: Float(p.optimizer.weight_decay))
            : try SGD(parameterCount: student.parameters.count, momentum: Float(p.optimizer.momentum), weightDecay: Float(p.optimizer.weight_decay))
        schedule = p.learningRateSchedule
        // The test sample is the teacher job's own (its seed's stream) only by accident; the student's comes from its seed.
        evaluation = ParityEvaluation(task: task, count: p.eval_samples, seed: seed)
        let resumed = try context.latestCheckpoint()
        progress = try DistillProgress.begin(from: resumed, series: series)
        if let c = resumed {
            let (saved, state) = try MLPCheckpoint.load(c.directory, maxBatch: 1, threads: .single, optimizer: optimizer)
            try student.load(namedParameters: saved.namedParameters())
            guard progress.step == state.step else {
                throw JobError.permanent(code: "corrupt_checkpoint", message: "checkpoint \(c.id): progress.json is at step \(progress.step), state.json at \(state.step)")
            }
        }
    }

    /// Loads the teacher checkpoint the schedule names for student step t (once per switch) and records the switch.
    mutating func teacher(at t: Int) throws -> MLPClassifier? {
        guard let ref = series.checkpoint(atStudentStep: t) else { return nil }
        if let current = teacher, current.ref.id == ref.id { return current.model }
        let (model, state) = try MLPCheckpoint.load(ref.directory, maxBatch: student.maxBatch, threads: threads)
        guard state.task == task else { throw JobError.invalid(param: "teacher", message: "teacher checkpoint \(ref.id) is of another task") }
        teacher = (ref, model)
        try progress.use(ref, from: t, context: context)
        return model
    }

    mutating func run() throws -> DistillResult {
        let clock = ContinuousClock()
        let checkpointEvery = p.checkpoint_every ?? p.eval_every
        let loss = p.distillationLoss
        var last: ParityEvaluation.Report? = nil
        while progress.step < p.steps {
            if context.shouldStop { try save(); throw JobError.stopped }
            let t = progress.step, started = clock.now
            let (x, y) = MLPSandbox.batch(task, step: t, count: p.batch_size, seed: seed)
            student.zeroGradients()
            var value = Double(try student.forward(inputs: x, labels: y, batch: p.batch_size)!)
            if let teacherModel = try teacher(at: t) {
                let teacherStart = clock.now
                try teacherModel.forward(inputs: x, batch: p.batch_size)
                let z = teacherModel.lastLogits()
                progress.teacher_seconds += (clock.now - teacherStart).seconds
                let q = z.withUnsafeBufferPointer { loss.targets(teacherLogits: $0, rows: p.batch_size, classes: 2, labels: y) }
                value = try student.setSoftTargets(q)
            }
            try student.backward()
            if let clip = p.optimizer.clip {
                _ = GradientClipping.clipGlobalNorm(student.gradients.pointer, count: student.gradients.count, maxNorm: Float(clip), threads: threads)
            }
            optimizer.step(parameters: student.parameters.pointer, gradients: student.gradients.pointer, learningRate: schedule.rate(at: t), threads: threads)
            progress.step += 1
            progress.train_seconds += (clock.now - started).seconds
            progress.add(value)
            if progress.step % p.eval_every == 0 || progress.step == p.steps {
                let report = try evaluation.evaluate(student)
                last = report
                let trainLoss = progress.closeWindow()
                if progress.reached_target_at == nil, report.accuracy >= p.target_accuracy { progress.reached_target_at = progress.step }
                try context.metrics(step: progress.step, [
                    "train_loss": trainLoss, "test_accuracy": report.accuracy, "test_loss": report.loss,
                    "probe_in_support": report.probe.in_support, "probe_off_support": report.probe.off_support,
                    "probe_full_support": report.probe.full_support, "probe_noise_floor": report.probe.noise_floor,
                    "teacher_step": Double(teacher?.ref.step ?? -1), "lr": Double(schedule.rate(at: progress.step - 1))])
                try context.progress(step: progress.step, totalSteps: p.steps, tokens: progress.step * p.batch_size)
            }
            if progress.step % checkpointEvery == 0 || progress.step == p.steps { try save() }
        }
        let final = try last ?? evaluation.evaluate(student)
        guard let ckpt = try context.latestCheckpoint() else { throw JobError.permanent(code: "no_checkpoint", message: "the student wrote no checkpoint") }
        return DistillResult(family: "mlp", strategy: p.strategy.kind, teacher_job: series.job, steps: p.steps, checkpoint: ckpt.id,
                             teacher_schedule: progress.teacher_schedule, test_accuracy: final.accuracy,
                             reached_target_at_step: progress.reached_target_at, reached_target_at_samples: progress.reached_target_at.map { $0 * p.batch_size },
                             heldout_loss: nil, train_loss: progress.train_loss ?? 0, train_seconds: progress.train_seconds,
                             teacher_seconds: progress.teacher_seconds,
                             teacher_fraction: progress.train_seconds > 0 ? progress.teacher_seconds / progress.train_seconds : 0, tokens_per_second: nil)
    }

    func save() throws {
        let state = MLPCheckpoint.State(task: task, architecture: architecture, step: progress.step, teacher_checkpoint: teacher?.ref.id,
                                        teacher_step: teacher?.ref.step, reached_target_at: progress.reached_target_at)
        let progress = progress
        try context.saveCheckpoint(step: progress.step, metrics: [:]) { dir in
            try MLPCheckpoint.write(to: dir, model: student, optimizer: optimizer, state: state)
            try progress.write(into: dir)
        }
    }
}
