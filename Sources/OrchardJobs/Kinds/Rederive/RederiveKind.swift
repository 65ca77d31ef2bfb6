import Foundation
import OrchardMethods
import OrchardModels

/// `rederive`: unlearning of a model derived from another (a `dpo` policy from its base checkpoint, a GPT
/// `distill` student from its teacher's series) by re-running the derivation from the parent's new version. A
/// deletion request unlearns the parent first (exactly: `lm_unlearn` replays it), then queues this job with the
/// parent's new version (`UnlearningRequest.parents`). The job re-runs the child's own kind with its stored params and
/// seed, the parent reference swapped for the retrained parent's checkpoint at the same step (dpo) or its whole
/// series (distill), and reading only live data; each checkpoint carries `unlearning.json`. The result equals what the
/// user gets by retraining the parent through the API and re-running the child on it (tested bit for bit).
/// In approximate mode the child's own weights are edited by the request's MUSE method (`LMApproximateUnlearning`,
/// retain data from the child's lineage in the parent's pretraining data), as `lm_unlearn` edits a pretrained model.
public struct RederiveKind: UnlearningKind {
    public static let type = "rederive"
    /// The kinds whose models this job re-derives.
    static let derivedKinds = [DPOKind.type, DistillKind.type]
    public init() {}

    /// The params a deletion request queues for one derived model.
    static func params(for request: UnlearningRequest) -> RederiveParams {
        var p = RederiveParams()
        p.model = request.model
        p.checkpoint = request.inputCheckpoint
        p.parents = request.parents
        p.forget_documents = request.forget
        p.requested_mode = request.mode == "exact" || request.mode == "approximate" ? nil : request.mode
        if request.mode == "approximate", let json = request.options, let o = try? ApproximateUnlearningOptions.parse(json) {
            p.mode = "approximate"; p.approximate = o
        }
        p.deletion_request = request.deletionRequest
        return p
    }

    public func resolve(_ p: RederiveParams) throws -> RederiveParams {
        try JobError.requireNonEmpty(p.model, "model", "the derived model's root job id (a dpo or distill job)")
        guard p.parents.count == 1 else {
            throw JobError.invalid(param: "parents", message: "parents must name the one parent version to re-derive from: [{model, checkpoint, step, derived_from}]")
        }
        for (i, v) in p.parents.enumerated() {
            try JobError.requireNonEmpty(v.model, "parents[\(i)].model", "the parent model's root job id")
            try JobError.requireNonEmpty(v.checkpoint, "parents[\(i)].checkpoint", "the parent's current version checkpoint")
            if let s = v.step { try JobError.require(s, in: 0...Int(Int32.max), "parents[\(i)].step") }
        }
        switch p.mode {
        case "exact":
            guard p.approximate == nil else { throw JobError.invalid(param: "approximate", message: "approximate applies to mode \"approximate\" only") }
        case "approximate":
            guard let o = p.approximate else {
                throw JobError.invalid(param: "approximate", message: "approximate mode needs {method, …}: \(ApproximateUnlearningMethod.allCases.map(\.rawValue).joined(separator: " | "))")
            }
            do { _ = try ApproximateUnlearningOptions.parse(try JSONValue(encoding: o)) } catch let JobError.invalid(param, message) {
                throw JobError.invalid(param: "approximate" + (param.map { "." + $0 } ?? ""), message: message)
            }
        default:
            throw JobError.invalid(param: "mode", message: "mode must be \"exact\" (re-derive) or \"approximate\" (with approximate.method)")
        }
        try ForgetDocument.validate(p.forget_documents)
        return p
    }

    public func references(_ p: RederiveParams) -> [JobReference] {
        [.job(id: p.model, param: "model", types: Self.derivedKinds)]
            + p.parents.enumerated().flatMap { i, v in
                [JobReference.job(id: v.model, param: "parents[\(i)].model", types: []), .gptModel(id: v.checkpoint, param: "parents[\(i)].checkpoint")]
            }
    }

    public func readsModels(_ p: RederiveParams) -> [String] { p.parents.map(\.model) }

    public func redacted(_ params: RederiveParams) -> RederiveParams {
        var p = params
        p.forget_documents = p.forget_documents.map(\.redacted)
        return p
    }

    public func run(_ p: RederiveParams, seed: UInt64, context: JobContext) throws -> RederiveResult {
        guard let root = try context.jobDefinition(id: p.model) else {
            throw JobError.invalid(param: "model", message: "job \(p.model) does not exist")
        }
        let rootSeed = RegisteredKind.legacySeed(root.params) ?? root.seed
        let parent = p.parents[0]
        let input = try p.checkpoint.map { id in
            guard let c = try context.checkpoint(id: id) else { throw JobError.invalid(param: "checkpoint", message: "checkpoint \(id) does not exist") }
            return c
        }
        let version = try context.reserveModelVersion(root: p.model, rootVersion: 1)
        if p.mode == "approximate", let o = p.approximate {
            return try approximate(p, options: o, root: root, input: input, version: version, seed: seed, context: context)
        }
        let trajectory = try ParentTrajectory(parent, context: context)
        if let requested = p.requested_mode {
            try context.emit(type: "mode_changed", message: "\(requested) mode was requested; a derived model is re-derived exactly from its parent's new version, which is stronger",
                             data: ["requested": .string(requested), "ran": "exact"], level: "warn")
        }
        try context.emit("unlearning_started", "\(p.forget_documents.count) documents: re-deriving \(root.type) model \(p.model) from \(parent.model)'s version \(parent.checkpoint)",
                         data: ["documents": .number(Double(p.forget_documents.count)), "mode": "exact", "model": .string(p.model),
                                "parent": .string(parent.model), "parent_checkpoint": .string(parent.checkpoint)])
        let annotate = LMUnlearnKind.VersionFile(model: p.model, version: version, input_checkpoint: p.checkpoint,
                                                 deletion_request: p.deletion_request).write(into:)

        let training: JSONValue, final: String, derivedFrom: [String]
        switch root.type {
        case DPOKind.type:
            var params = try RegisteredKind.decodeStored(DPOKind(), root.params)
            guard let step = parent.step else {
                throw JobError.invalid(param: "parents[0].step", message: "a dpo model is re-derived from its parent's checkpoint at the step of its base")
            }
            let base = try trajectory.checkpoint(atStep: step)
            params.model = base.id
            var session = try DPOSession(params: params, seed: rootSeed, context: context)
            session.annotate = annotate
            let r = try session.run()
            (training, final, derivedFrom) = (try JSONValue(encoding: r), r.checkpoint, [base.id])
        case DistillKind.type:
            let params = try RegisteredKind.decodeStored(DistillKind(), root.params)
            guard params.student.gpt != nil else {
                throw JobError.invalid(param: "model", message: "job \(p.model) distils an MLP student, which reads no documents")
            }
            guard let teacher = try context.jobDefinition(id: parent.model), teacher.type == PretrainKind.type else {
                throw JobError.invalid(param: "parents[0].model", message: "a GPT student is re-derived from a pretrain teacher")
            }
            let series = try TeacherSeries(job: parent.model, candidates: trajectory.checkpoints, definition: teacher, schedule: params.schedule)
            // A retrain's series has every scheduled step; one missing here would make the schedule pick other steps.
            if let every = teacher.params["checkpoint_every"]?.intValue, let last = teacher.params["steps"]?.intValue, every > 0 {
                let missing = Set(stride(from: every, through: last, by: every)).union([last]).subtracting(series.checkpoints.map(\.step)).sorted()
                guard missing.isEmpty else {
                    throw JobError.permanent(code: "parent_checkpoint_missing",
                                             message: "teacher \(parent.model)'s current version lacks the checkpoints at steps \(missing) of its retrained series: the student cannot be re-derived exactly")
                }
            }
            var session = try DistillGPTSession(params: params, seed: rootSeed, series: series,
                                                teacherTraining: try RegisteredKind.decodeStored(PretrainKind(), teacher.params), context: context)
            session.annotate = annotate
            let r = try session.run()
            (training, final, derivedFrom) = (try JSONValue(encoding: r), r.checkpoint, series.ids)
        default:
            throw JobError.invalid(param: "model", message: "job \(p.model) is a \(root.type) job; rederive re-runs \(Self.derivedKinds.joined(separator: " and ")) jobs")
        }
        guard let finalRef = try context.checkpoint(id: final) else {
            throw JobError.permanent(code: "no_checkpoint", message: "the re-derivation wrote no checkpoint")
        }
        try context.emit("evaluating", "MUSE metrics of the model before and after", data: .null)
        let evaluation = try evaluate(before: input, after: finalRef, forget: p, parent: parent, context: context)
        return RederiveResult(checkpoint: final, input_checkpoint: p.checkpoint, root_job: p.model, root_type: root.type, model_version: version,
                              forgotten_documents: p.forget_documents.count, parents: p.parents, derived_from: derivedFrom,
                              training: training, guarantee: "exact_retrain_equivalent",
                              guarantee_statement: RederiveResult.statement(kind: root.type), deletion_request: p.deletion_request,
                              evaluation: evaluation)
    }

    /// Approximate mode: the request's method edits this model's newest version, as `lm_unlearn` edits a pretrained
    /// model; the data (retain set, MUSE's evaluation texts) is the parent's pretraining data.
    func approximate(_ p: RederiveParams, options o: ApproximateUnlearningOptions, root: JobDefinition, input: CheckpointRef?, version: Int,
                     seed: UInt64, context: JobContext) throws -> RederiveResult {
        let parent = p.parents[0]
        guard let training = try Self.pretraining(of: parent, fittedTo: input, context: context) else {
            throw JobError.invalid(param: "parents[0].model", message: "approximate unlearning of a derived model draws its retain data from a pretrain parent; \(parent.model) is not one")
        }
        var lp = LMUnlearnParams()
        lp.model = p.model; lp.checkpoint = p.checkpoint; lp.forget_documents = p.forget_documents
        lp.deletion_request = p.deletion_request; lp.requested_mode = p.requested_mode
        lp.apply(o)
        let r = try LMApproximateUnlearning.run(lp, root: root, training: training, input: input, version: version, seed: seed, context: context)
        return RederiveResult(method: r.method, mode: "approximate", checkpoint: r.checkpoint ?? "", input_checkpoint: p.checkpoint, root_job: p.model,
                              root_type: root.type, model_version: version, forgotten_documents: p.forget_documents.count, parents: p.parents,
                              derived_from: [], training: .null, guarantee: r.guarantee, guarantee_statement: r.guarantee_statement,
                              deletion_request: p.deletion_request, evaluation: r.evaluation, approximate: r)
    }

    /// The parent's `pretrain` params (nil when the parent is not a pretrain job), with the context cut to the derived
    /// model's (read from `checkpoint`): prompts, continuations and chunks must fit it (a student's may be shorter).
    static func pretraining(of parent: ParentVersion, fittedTo checkpoint: CheckpointRef?, context: JobContext) throws -> PretrainParams? {
        guard let def = try context.jobDefinition(id: parent.model), def.type == PretrainKind.type else { return nil }
        var training = try RegisteredKind.decodeStored(PretrainKind(), def.params)
        if let c = checkpoint {
            let contextLength = try GPTCheckpoint.read(from: c.directory, optimizer: false).header.model.contextLength
            training.model.context = .value(min(training.model.context.value, contextLength))
        }
        return training
    }

    /// MUSE's metrics on the documents of the parent's pretraining data (the derived model's text distribution),
    /// when the parent is a pretrained GPT; the new version is an exact re-derivation, so its AUC is the baseline.
    func evaluate(before: CheckpointRef?, after: CheckpointRef, forget p: RederiveParams, parent: ParentVersion,
                  context: JobContext) throws -> LMUnlearnEvaluation? {
        guard let before, let training = try Self.pretraining(of: parent, fittedTo: after, context: context) else { return nil }
        let read = try context.modelLineage(root: parent.model, dataset: training.dataset).subtracting(p.forget_documents.map(\.id))
        return try LMUnlearnEvaluation.run(target: before, unlearned: after, forget: p.forget_documents.compactMap(\.text),
                                           training: training, read: read, context: context)
    }
}
