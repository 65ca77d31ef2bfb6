import Foundation

public struct DistillResult: Codable, Sendable, Equatable {
    public var kind = "distill"
    /// "mlp" | "gpt".
    public var family: String
    public var strategy: String
    public var teacher_job: String
    public var steps: Int
    public var checkpoint: String
    /// The teacher checkpoints used, in order, with the student step each took over at.
    public var teacher_schedule: [TeacherUse]
    /// MLP: the final test accuracy and the first step/sample count at which it reached `target_accuracy`.
    @Nullable public var test_accuracy: Double?
    @Nullable public var reached_target_at_step: Int?
    @Nullable public var reached_target_at_samples: Int?
    /// GPT: the final held-out loss (nats/token) on the teacher's held-out split.
    @Nullable public var heldout_loss: Double?
    /// The last evaluation's mean training loss (the distillation loss; CE for strategy none).
    public var train_loss: Double
    public var train_seconds: Double
    /// Seconds in the teacher's forward passes, and their share of the training time.
    public var teacher_seconds: Double
    public var teacher_fraction: Double
    /// GPT: student tokens per second of training.
    @Nullable public var tokens_per_second: Double?

    public struct TeacherUse: Codable, Sendable, Equatable {
        public var from_student_step: Int
        public var teacher_step: Int
        public var checkpoint: String
    }
}

/// `state.json` fields a distill checkpoint adds (both families), so a resumed job continues bit for bit.
struct DistillProgress: Codable, Sendable, Equatable {
    var step: Int = 0
    var reached_target_at: Int? = nil
    var teacher_schedule: [DistillResult.TeacherUse] = []
    var teacher_seconds: Double = 0
    var train_seconds: Double = 0
    /// The current metrics window (so a resumed job reports the same `train_loss` as an uninterrupted one) and the
    /// last window's mean.
    var window_loss: Double = 0
    var window_steps: Int = 0
    var train_loss: Double? = nil
    /// The teacher series' checkpoint ids when the student started.
    var teacher_series: [String]? = nil

    static let file = "progress.json"

    /// The progress a session starts from: the one saved in `checkpoint` (the job's newest, when it resumes), whose
    /// teacher series must still be `series`, or a fresh one that records `series`.
    static func begin(from checkpoint: CheckpointRef?, series: TeacherSeries) throws -> DistillProgress {
        guard let checkpoint else {
            var fresh = DistillProgress()
            fresh.teacher_series = series.ids
            return fresh
        }
        let saved = try read(from: checkpoint.directory)
        try series.requireUnchanged(since: saved.teacher_series)
        return saved
    }

    /// Adds a step's loss to the window.
    mutating func add(_ loss: Double) { window_loss += loss; window_steps += 1 }

    /// Closes the window: its mean becomes `train_loss`.
    mutating func closeWindow() -> Double {
        let mean = window_loss / Double(max(1, window_steps))
        train_loss = mean.isFinite ? mean : nil
        window_loss = 0; window_steps = 0
        return mean
    }

    /// Records (once) that the student learns from `ref` from step t on, and says so in an event.
    mutating func use(_ ref: CheckpointRef, from t: Int, context: JobContext) throws {
        guard teacher_schedule.last?.checkpoint != ref.id else { return }
        teacher_schedule.append(.init(from_student_step: t, teacher_step: ref.step, checkpoint: ref.id))
        try context.emit("teacher_checkpoint", "student step \(t): teacher checkpoint \(ref.id) (teacher step \(ref.step))",
                         data: ["student_step": .number(Double(t)), "teacher_step": .number(Double(ref.step)), "checkpoint": .string(ref.id)])
    }

    func write(into dir: URL) throws {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        try e.encode(self).write(to: dir.appendingPathComponent(Self.file))
    }

    static func read(from dir: URL) throws -> DistillProgress {
        try JSONDecoder().decode(DistillProgress.self, from: Data(contentsOf: dir.appendingPathComponent(file)))
    }
}
