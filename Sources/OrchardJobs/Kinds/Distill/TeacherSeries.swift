import Foundation
import OrchardMethods

/// A teacher job's checkpoint series (ascending by step) and the schedule that picks from it.
struct TeacherSeries {
    let job: String
    let checkpoints: [CheckpointRef]
    let schedule: TeacherSchedule

    init(job: String, schedule: TeacherSchedule, context: JobContext) throws {
        guard try context.jobDefinition(id: job) != nil else { throw JobError.invalid(param: "teacher", message: "job \(job) does not exist") }
        let all = try context.checkpoints(ofJob: job).sorted { $0.step < $1.step }
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

    /// The checkpoint the student learns from at step t (nil: labels only).
    func checkpoint(atStudentStep t: Int) -> CheckpointRef? {
        guard let s = schedule.teacherStep(studentStep: t, saved: checkpoints.map(\.step)) else { return nil }
        return checkpoints.first { $0.step == s }
    }
}
