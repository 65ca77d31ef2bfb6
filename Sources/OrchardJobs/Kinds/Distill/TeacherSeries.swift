import Foundation
import OrchardMethods

/// A teacher job's checkpoint series (ascending by step) and the schedule that picks from it.
struct TeacherSeries {
    let job: String
    let checkpoints: [CheckpointRef]
    let schedule: TeacherSchedule

    /// The teacher job's scheduled checkpoints (every `checkpoint_every` steps of its params, and its last step): a
    /// checkpoint written because the teacher was stopped is not part of the series.
    init(job: String, schedule: TeacherSchedule, context: JobContext) throws {
        guard let definition = try context.jobDefinition(id: job) else { throw JobError.invalid(param: "teacher", message: "job \(job) does not exist") }
        try self.init(job: job, candidates: try context.checkpoints(ofJob: job), definition: definition, schedule: schedule)
    }

    /// The scheduled checkpoints among `candidates` by the rule of `definition`'s params (the teacher's training job):
    /// also the series of a teacher's retrained version (`ParentTrajectory`), which keeps its steps.
    init(job: String, candidates: [CheckpointRef], definition: JobDefinition, schedule: TeacherSchedule) throws {
        let every = definition.params["checkpoint_every"]?.intValue, last = definition.params["steps"]?.intValue
        let all = candidates.sorted { $0.step < $1.step }
            .filter { c in every.map { c.step % $0 == 0 } ?? true || c.step == last }
        guard !all.isEmpty else { throw JobError.invalid(param: "teacher", message: "job \(job) has no checkpoint") }
        // One checkpoint per step (a re-saved step keeps its newest).
        var byStep: [Int: CheckpointRef] = [:]
        for c in all { byStep[c.step] = c }
        checkpoints = byStep.keys.sorted().map { byStep[$0]! }
        self.job = job; self.schedule = schedule
        if case .steps(let list) = schedule {
            for (i, s) in list.enumerated() where byStep[s] == nil {
                throw JobError.invalid(param: "strategy.steps[\(i)]",
                                       message: "teacher job \(job) has no checkpoint at step \(s) (it has \(checkpoints.map(\.step)))")
            }
        }
    }

    /// The series' checkpoint ids: recorded when a student starts, compared when it resumes (a teacher checkpoint purged
    /// meanwhile by a deletion request changes the series; the student must not continue on another one).
    var ids: [String] { checkpoints.map(\.id) }

    func requireUnchanged(since recorded: [String]?) throws {
        guard let recorded, recorded != ids else { return }
        throw JobError.permanent(code: "checkpoint_purged",
                                 message: "teacher job \(job)'s checkpoint series changed since this student started (a deletion request purged checkpoints that carried deleted documents): the student cannot continue on it")
    }

    /// The checkpoint the student learns from at step t (nil: labels only).
    func checkpoint(atStudentStep t: Int) -> CheckpointRef? {
        guard let s = schedule.teacherStep(studentStep: t, saved: checkpoints.map(\.step)) else { return nil }
        return checkpoints.first { $0.step == s }
    }
}
