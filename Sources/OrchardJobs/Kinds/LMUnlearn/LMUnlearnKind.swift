import Foundation
import OrchardMethods

/// `lm_unlearn`: exact unlearning of a pretrained GPT by replay (`PretrainReplay`). The documents must already be
/// tombstoned (a deletion request does that first); the job retrains the model with the root job's params and seed,
/// continuing from the newest pinned checkpoint that a retrain without every tombstoned document also reaches, and
/// writes the result as a new model version (its checkpoints carry `unlearning.json`: model, version, input).
/// The receipt states `exact_retrain_equivalent` and the compute saved (steps replayed against a full retrain).
public struct LMUnlearnKind: UnlearningKind {
    public static let type = "lm_unlearn"
    public init() {}

    /// The params a deletion request queues for one pretrained model.
    static func params(for request: UnlearningRequest) -> LMUnlearnParams {
        var p = LMUnlearnParams()
        p.model = request.model
        p.checkpoint = request.inputCheckpoint
        p.dataset = request.dataset
        p.forget_documents = request.forget
        p.requested_mode = request.mode == "exact" || request.mode == "approximate" ? nil : request.mode
        p.deletion_request = request.deletionRequest
        if request.mode == "approximate", let json = request.options, let o = try? ApproximateUnlearningOptions.parse(json) {
            p.apply(o)
        }
        return p
    }

    public func resolve(_ params: LMUnlearnParams) throws -> LMUnlearnParams {
        try JobError.requireNonEmpty(params.model, "model", "the model's root job id (a pretrain job)")
        switch params.mode {
        case "exact":
            guard params.method == nil else { throw JobError.invalid(param: "method", message: "method applies to mode \"approximate\" only") }
        case "approximate":
            guard let m = params.method, ApproximateUnlearningMethod(rawValue: m) != nil else {
                throw JobError.invalid(param: "method", message: "approximate mode needs method: \(ApproximateUnlearningMethod.allCases.map(\.rawValue).joined(separator: " | "))")
            }
            guard params.lr.isFinite, params.lr > 0, params.lr <= 1 else { throw JobError.invalid(param: "lr", message: "lr must be in (0, 1]") }
            if let e = params.epochs { try JobError.require(e, in: 1...1000, "epochs") }
            try JobError.require(params.batch_size, in: 1...256, "batch_size")
            guard params.beta.isFinite, params.beta > 0 else { throw JobError.invalid(param: "beta", message: "beta must be > 0") }
            if let a = params.alpha, !(a.isFinite && a >= 0) { throw JobError.invalid(param: "alpha", message: "alpha must be ≥ 0") }
            try JobError.require(params.retain_documents, in: 1...100_000, "retain_documents")
        default:
            throw JobError.invalid(param: "mode", message: "mode must be \"exact\" (replay) or \"approximate\" (with a method)")
        }
        try ForgetDocument.validate(params.forget_documents)
        return params
    }

    public func references(_ p: LMUnlearnParams) -> [JobReference] {
        // With a checkpoint named, `model` is the model's identity (its root job, whose own checkpoints a deletion
        // request may have purged); without one, the root's newest checkpoint is the input.
        // WHP edits a WHP version too (its reinforced copy learns the new texts); every other method needs a single GPT.
        (p.checkpoint.map { [.job(id: p.model, param: "model", types: [PretrainKind.type]), .gptModel(id: $0, param: "checkpoint", combined: p.method == "whp")] }
            ?? [.gptModel(id: p.model, param: "model", combined: p.method == "whp")])
            + (p.dataset.map { [.dataset(id: $0, param: "dataset", records: .documents)] } ?? [])
            // Exact mode replays without the documents: each must already be tombstoned (approximate mode may name live ones).
            + (p.mode == "exact" ? [.tombstonedDocuments(job: p.model, datasetKey: "dataset", dataset: p.dataset,
                                                         ids: p.forget_documents.map(\.id), param: "forget_documents")] : [])
    }

    public func redacted(_ params: LMUnlearnParams) -> LMUnlearnParams {
        var p = params
        p.forget_documents = p.forget_documents.map(\.redacted)
        return p
    }

    /// `unlearning.json` in each checkpoint of a new version.
    struct VersionFile: Codable {
        var model: String
        var version: Int
        var input_checkpoint: String?
        var deletion_request: String?
        /// An exact replay: the step it continued from (its trajectory before that is the checkpoints it started from).
        var replay_from_step: Int? = nil

        static let fileName = "unlearning.json"

        /// The version file of a checkpoint directory; nil when it has none (not a released version) or it does not decode.
        static func read(from dir: URL) -> VersionFile? {
            (try? Data(contentsOf: dir.appendingPathComponent(fileName))).flatMap { try? JSONDecoder().decode(VersionFile.self, from: $0) }
        }

        func write(into dir: URL) throws {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            try e.encode(self).write(to: dir.appendingPathComponent(Self.fileName))
        }
    }

    public func run(_ p: LMUnlearnParams, seed: UInt64, context: JobContext) throws -> LMUnlearnResult {
        guard let root = try context.jobDefinition(id: p.model) else {
            throw JobError.invalid(param: "model", message: "job \(p.model) does not exist")
        }
        guard root.type == PretrainKind.type else {
            throw JobError.invalid(param: "model", message: "job \(p.model) is a \(root.type) job; lm_unlearn replays pretrain jobs")
        }
        let training = try RegisteredKind.decodeStored(PretrainKind(), root.params)
        let rootSeed = RegisteredKind.legacySeed(root.params) ?? root.seed
        if let d = p.dataset, d != training.dataset {
            throw JobError.invalid(param: "dataset", message: "model \(p.model) was trained on \(training.dataset), not \(d)")
        }
        // The replay excludes what is tombstoned: every forgotten document must be (a deletion request tombstones first).
        // Approximate mode edits weights with the texts given and may name live documents (an experiment, e.g. MUSE).
        let records = p.mode == "exact" ? try context.documentCatalog(dataset: training.dataset) ?? [] : []
        let tombstoned = Set(records.filter(\.tombstoned).map(\.id))
        for (i, d) in p.forget_documents.enumerated() where p.mode == "exact" && !tombstoned.contains(d.id) {
            throw JobError.invalid(param: "forget_documents[\(i)].id",
                                   message: "document \(d.id) is not tombstoned in \(training.dataset): file a deletion request, which tombstones it first")
        }
        let input = try p.checkpoint.map { id in
            guard let c = try context.checkpoint(id: id) else { throw JobError.invalid(param: "checkpoint", message: "checkpoint \(id) does not exist") }
            return c
        } ?? context.latestCheckpoint(ofJob: p.model)
        let inputVersion = input.flatMap { VersionFile.read(from: $0.directory) }
        if let v = inputVersion, v.model != p.model {
            throw JobError.invalid(param: "checkpoint", message: "checkpoint \(input!.id) is a version of model \(v.model), not \(p.model)")
        }
        let version = try context.reserveModelVersion(root: p.model, rootVersion: 1)
        // Replay anchors: the root's pinned checkpoints and those of the version being edited.
        var candidates = try context.checkpoints(ofJob: p.model)
        if let c = input, c.jobID != p.model { candidates += try context.checkpoints(ofJob: c.jobID) }

        if p.mode == "approximate" {
            return try LMApproximateUnlearning.run(p, root: root, training: training, input: input, version: version,
                                                   seed: seed, context: context)
        }
        if let requested = p.requested_mode {
            try context.emit(type: "mode_changed", message: "\(requested) mode was requested; language models are unlearned exactly (replay), which is stronger",
                             data: ["requested": .string(requested), "ran": "exact"], level: "warn")
        }
        try context.emit("unlearning_started", "\(p.forget_documents.count) documents, exact mode (replay)",
                         data: ["documents": .number(Double(p.forget_documents.count)), "mode": "exact", "model": .string(p.model)])
        var session = try PretrainSession(params: training, seed: rootSeed, context: context, replay: .init(candidates: candidates))
        let file = VersionFile(model: p.model, version: version, input_checkpoint: input?.id, deletion_request: p.deletion_request,
                               replay_from_step: session.replayOrigin?.startStep ?? 0)
        session.annotate = file.write(into:)
        let total = training.stepCount
        if let origin = session.replayOrigin, origin.startStep >= total, let start = origin.checkpoint {
            // The version being edited already is the retrain without every tombstoned document (they were tombstoned
            // before it was replayed, e.g. by a request filed while an earlier one ran): nothing to replay, no new version.
            try context.emit("unchanged", "checkpoint \(start) already excludes every tombstoned document: the model keeps its version",
                             data: ["checkpoint": .string(start)])
            var r = LMUnlearnResult(
                checkpoint: start, input_checkpoint: input?.id, root_job: p.model, model_version: version,
                forgotten_documents: p.forget_documents.count,
                replay: .init(from_checkpoint: start, from_step: total, steps_replayed: 0, steps_full_retrain: total,
                              compute_saved_fraction: 1, candidates: origin.candidates),
                training: nil, guarantee: "exact_retrain_equivalent", guarantee_statement: LMUnlearnResult.statement,
                deletion_request: p.deletion_request, evaluation: nil)
            r.unchanged = true
            return r
        }
        let trained = try session.run()
        guard let final = try context.latestCheckpoint() else {
            throw JobError.permanent(code: "no_checkpoint", message: "the replay wrote no checkpoint")
        }
        try context.emit("evaluating", "MUSE metrics of the model before and after", data: .null)
        let evaluation = try LMUnlearnEvaluation.run(
            target: input, unlearned: final, forget: p.forget_documents.compactMap(\.text), training: training,
            read: session.seen, context: context)
        let origin = session.replayOrigin
        let from = origin?.startStep ?? 0
        return LMUnlearnResult(
            checkpoint: final.id, input_checkpoint: input?.id, root_job: p.model, model_version: version,
            forgotten_documents: p.forget_documents.count,
            replay: .init(from_checkpoint: origin?.checkpoint, from_step: from, steps_replayed: total - from, steps_full_retrain: total,
                          compute_saved_fraction: total > 0 ? Double(from) / Double(total) : 0, candidates: origin?.candidates ?? 0),
            training: trained, guarantee: "exact_retrain_equivalent", guarantee_statement: LMUnlearnResult.statement,
            deletion_request: p.deletion_request, evaluation: evaluation)
    }
}
