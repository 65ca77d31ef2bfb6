import Foundation

/// The training trajectory of a parent model's current version, by step: what a retrain of the parent without the
/// tombstoned documents writes at each step, read from the checkpoints that still exist.
///   - the parent never unlearned (its version is the root's own): the root's checkpoints;
///   - an exact replay (`lm_unlearn`, mode exact): the replay's checkpoints, and at or before the step it continued from
///     (`unlearning.json` `replay_from_step`) the root's checkpoints that the deletion left (a prefix the retrain shares);
///     a replay that does not record that step contributes its own checkpoints only;
///   - an exact re-derivation (`rederive`): its own checkpoints (it re-ran from step 0).
/// An approximate edit has no trajectory (one edited checkpoint, not a retrain's): re-deriving from it is refused.
struct ParentTrajectory {
    let parent: ParentVersion
    /// One checkpoint per step; the version's own win over the root's.
    let byStep: [Int: CheckpointRef]
    /// The job whose checkpoints the trajectory ends with (the version's job).
    let job: String

    init(_ parent: ParentVersion, context: JobContext) throws {
        self.parent = parent
        guard let version = try context.checkpoint(id: parent.checkpoint) else {
            throw JobError.invalid(param: "parents", message: "checkpoint \(parent.checkpoint) of model \(parent.model) does not exist")
        }
        // The root's checkpoints count up to this step (all of them when the version is the root's own).
        var rootUpTo: Int? = version.jobID == parent.model ? Int.max : nil
        if version.jobID != parent.model {
            guard let def = try context.jobDefinition(id: version.jobID) else {
                throw JobError.invalid(param: "parents", message: "job \(version.jobID) does not exist")
            }
            let exact = (def.params["mode"]?.stringValue ?? "exact") == "exact"
            switch def.type {
            case LMUnlearnKind.type where exact:
                rootUpTo = LMUnlearnKind.VersionFile.read(from: version.directory)?.replay_from_step
            case RederiveKind.type where exact:
                break
            default:
                throw JobError.permanent(code: "parent_not_exact",
                                         message: "model \(parent.model)'s current version (\(parent.checkpoint), written by a \(def.type) job) is not an exact retrain: a derived model is re-derived only from a parent version that equals a retrain")
            }
        }
        var steps: [Int: CheckpointRef] = [:]
        if let upTo = rootUpTo, version.jobID != parent.model {
            for c in try context.checkpoints(ofJob: parent.model).sorted(by: { $0.step < $1.step }) where c.step <= upTo { steps[c.step] = c }
        }
        for c in try context.checkpoints(ofJob: version.jobID).sorted(by: { $0.step < $1.step }) { steps[c.step] = c }
        byStep = steps
        job = version.jobID
    }

    /// The trajectory's checkpoint at `step`.
    func checkpoint(atStep step: Int) throws -> CheckpointRef {
        guard let c = byStep[step] else {
            throw JobError.permanent(code: "parent_checkpoint_missing",
                                     message: "model \(parent.model)'s current version has no checkpoint at step \(step) (it has \(byStep.keys.sorted())): the model derived from its step-\(step) checkpoint cannot be re-derived exactly")
        }
        return c
    }

    /// Every checkpoint, ascending by step.
    var checkpoints: [CheckpointRef] { byStep.keys.sorted().map { byStep[$0]! } }
}
