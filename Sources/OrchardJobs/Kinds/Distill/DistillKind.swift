import Foundation
import OrchardMethods

/// `distill`: a student learns from a teacher job's checkpoint series — one-shot (the final checkpoint), progressive
/// (the teacher's trajectory, spec algorithms-1 §4.3), a listed schedule, or the labels alone — with the
/// distillation loss κ·CE(labels) + (1 − κ)·CE(softmax(z_T/τ)) (§4.1). MLP students learn from `mlp_train` teachers
/// on their task; GPT students from a `pretrain` teacher on its dataset, with its tokenizer. The teacher only runs
/// forward passes. Resumes bit for bit from its newest checkpoint. The student's lineage includes the teacher's.
/// Unlearnable (GPT students): a deletion request re-derives the student (`rederive`) from the teacher's new version.
public struct DistillKind: Unlearnable {
    public static let type = "distill"
    public init() {}

    public func resolve(_ p: DistillParams) throws -> DistillParams {
        try p.validate()
        return p
    }

    public func references(_ p: DistillParams) -> [JobReference] {
        if let g = p.student.gpt {
            return [.job(id: p.teacher, param: "teacher", types: [PretrainKind.type], series: true), .gptModel(id: p.teacher, param: "teacher")]
                + (g.tokenizer.map { [.gptTokenizer(id: p.teacher, param: "student.gpt.tokenizer", tokenizer: $0)] } ?? [])
        }
        return [.job(id: p.teacher, param: "teacher", types: [MLPTrainKind.type], series: true)]
    }

    public var unlearner: RederiveKind { RederiveKind() }

    public func unlearningParams(for request: UnlearningRequest) throws -> RederiveParams {
        RederiveKind.params(for: request)
    }

    /// The teacher's checkpoint series.
    public func parentModels(_ p: DistillParams, result: DistillResult?) -> [ParentModelReference] {
        [.series(job: p.teacher)]
    }

    public func run(_ p: DistillParams, seed: UInt64, context: JobContext) throws -> DistillResult {
        guard let teacher = try context.jobDefinition(id: p.teacher) else {
            throw JobError.invalid(param: "teacher", message: "job \(p.teacher) does not exist")
        }
        let series = try TeacherSeries(job: p.teacher, schedule: p.schedule, context: context)
        if p.student.mlp != nil {
            guard teacher.type == MLPTrainKind.type else {
                throw JobError.invalid(param: "teacher", message: "an MLP student learns from an mlp_train job; \(p.teacher) is \(teacher.type)")
            }
            var session = try DistillMLPSession(params: p, seed: seed, series: series, context: context)
            return try session.run()
        }
        guard teacher.type == PretrainKind.type else {
            throw JobError.invalid(param: "teacher", message: "a GPT student learns from a pretrain job; \(p.teacher) is \(teacher.type)")
        }
        let training = try RegisteredKind.decodeStored(PretrainKind(), teacher.params)
        var session = try DistillGPTSession(params: p, seed: seed, series: series, teacherTraining: training, context: context)
        return try session.run()
    }
}
