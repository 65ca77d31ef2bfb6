import Foundation
import OrchardCorpus
import OrchardMethods

/// `topic_unlearn`: removes documents from a topic model (U_base, spec algorithms-2 §1.6) or from what a head
/// releases (U_head, §1.7), in exact or certified mode, and writes the result as a new model version
/// (a new checkpoint with `report.json`). The input checkpoint is never modified.
///
/// Params: `TopicUnlearnParams` (a deletion request snapshots the forget text into them; `redacted`
/// replaces it by its hash once the job has finished).
///
/// Capacity (certified mode): the base model retrains from its exact statistics and resets its counter
/// when a request would exceed m_U (inside the method); a head is refitted on its live downstream
/// training split and its counter reset. Documents the model no longer contains (already forgotten) are
/// skipped; if none remain, no new version is written.
public struct TopicUnlearnKind: UnlearningKind {
    public static let type = "topic_unlearn"
    public init() {}

    /// The params a deletion request queues for one topic model or head.
    static func params(for request: UnlearningRequest) -> TopicUnlearnParams {
        var p = TopicUnlearnParams()
        p.checkpoint = request.inputCheckpoint
        p.forget_documents = request.forget
        // Approximate mode names a language-model method; topic models are unlearned exactly (the stronger guarantee).
        p.mode = request.mode == "approximate" ? "exact" : request.mode
        p.dataset = request.dataset
        p.deletion_request = request.deletionRequest
        return p
    }

    public func resolve(_ params: TopicUnlearnParams) throws -> TopicUnlearnParams {
        try JobError.requireNonEmpty(params.checkpoint, "checkpoint", "a topic checkpoint id")
        guard TopicUnlearningMode(rawValue: params.mode) != nil else {
            throw JobError.invalid(param: "mode", message: "mode must be \"exact\" or \"certified\"")
        }
        try ForgetDocument.validate(params.forget_documents)
        return params
    }

    public func references(_ p: TopicUnlearnParams) -> [JobReference] {
        [.checkpoint(id: p.checkpoint, param: "checkpoint")] + (p.dataset.map { [.dataset(id: $0, param: "dataset", records: .documents)] } ?? [])
    }

    public func redacted(_ params: TopicUnlearnParams) -> TopicUnlearnParams {
        var p = params
        p.forget_documents = p.forget_documents.map(\.redacted)
        return p
    }

    /// The resolved request as the method sees it.
    struct Resolved {
        var checkpoint: String
        var forget: [Document]
        var mode: TopicUnlearningMode
        var deletionRequest: String?
        var dataset: String?
    }

    public func run(_ params: TopicUnlearnParams, seed: UInt64, context: JobContext) throws -> TopicUnlearnResult {
        guard params.forget_documents.allSatisfy({ $0.text != nil }) else {
            throw JobError.invalid(param: "forget_documents", message: "the forget texts were purged: this job has already finished")
        }
        var r = Resolved(checkpoint: params.checkpoint,
                         forget: params.forget_documents.map { Document(id: $0.id, domain: $0.domain ?? "", text: $0.text ?? "") },
                         mode: TopicUnlearningMode(rawValue: params.mode) ?? .exact, deletionRequest: params.deletion_request,
                         dataset: params.dataset)
        if let done = try context.latestCheckpoint() {
            var result = try JSONDecoder().decode(TopicUnlearnResult.self, from: Data(contentsOf: done.directory.appendingPathComponent("result.json")))
            result.checkpoint = done.id
            return result
        }
        let (meta, model, head) = try TopicCheckpoint.load(try context.checkpoint(id: r.checkpoint), id: r.checkpoint, param: "checkpoint")
        if r.mode == .certified, (model?.certification ?? head?.certification) == nil {
            // Certified mode needs a calibrated mechanism; exact mode is the stronger guarantee ((0,0)-unlearning).
            try context.emit(type: "mode_changed", message: "checkpoint \(r.checkpoint) was trained without certification: exact mode ran instead",
                             data: ["requested": "certified", "ran": "exact"], level: "warn")
            r.mode = .exact
        }
        try context.emit("unlearning_started", "\(r.forget.count) documents, \(r.mode.rawValue) mode",
                         data: ["documents": .number(Double(r.forget.count)), "mode": .string(r.mode.rawValue)])
        do {
            if let model { return try unlearnBase(model, meta: meta, r: r, context: context) }
            return try unlearnHead(head!, meta: meta, r: r, context: context)
        } catch let e as TopicModelError { throw e.jobError }
    }

    func unlearnBase(_ model: TopicModel, meta: TopicCheckpointMeta, r: Resolved, context: JobContext) throws -> TopicUnlearnResult {
        let forget = r.forget.filter { model.documents[$0.id] != nil }
        let skipped = r.forget.count - forget.count
        guard !forget.isEmpty else { return TopicUnlearnResult.unchanged(checkpoint: r.checkpoint, meta: meta, skipped: skipped) }
        let (newModel, report) = try model.unlearn(documents: forget, mode: r.mode)
        let change = try TopicRecoveryError.compare(reference: model.topicWord, estimate: newModel.topicWord,
                                                    vocabularySize: model.vocabularySize, topicCount: model.topicCount)
        // Certified: ‖ΔA‖, the anchor set and timings are values of the data; only σ (an input's consequence) is reported.
        let evaluation: [String: JSONValue] = r.mode == .certified
            ? ["release_noise_sigma": .number(report.release.noiseStandardDeviation)]
            : ["topic_change_mean_column_l1": .number(change.meanColumnL1), "topic_change_max_column_l1": .number(change.maxColumnL1),
               "topic_change_frobenius": .number(change.frobenius), "anchors_changed": .bool(report.anchorsChanged),
               "downdate_seconds": .number(report.downdateSeconds), "recompute_seconds": .number(report.recomputeSeconds)]
        if report.retrainedFromScratch {
            try context.emit("retrained", "deletion capacity exhausted: retrained from scratch and reset the counter",
                             data: ["retrains": .number(Double(report.capacity?.retrains ?? 0))])
        }
        var next = meta
        next.version = try context.reserveModelVersion(root: meta.rootJob, rootVersion: 0)
        return try save(kind: "base", meta: next, r: r, forgotten: forget.count, skipped: skipped, capacity: report.capacity,
                        guarantee: report.guarantee, retrained: report.retrainedFromScratch, evaluation: evaluation,
                        context: context) { dir in
            try TopicCheckpoint.save(meta: next, model: newModel, head: nil, release: report.release, report: report, in: dir)
        }
    }

    func unlearnHead(_ head: TopicHead, meta: TopicCheckpointMeta, r: Resolved, context: JobContext) throws -> TopicUnlearnResult {
        let headDataset = meta.headDataset ?? meta.dataset
        let (train, heldOut) = try TopicHeadKind.split(try context.documents(dataset: headDataset), heldOutFraction: meta.heldOutFraction ?? 0.2)
        let forget = r.forget.filter { head.base.documents[$0.id] != nil }
        let skipped = r.forget.count - forget.count
        // A forgotten document in the head's own training split moves W: refit on the live split (tombstoned
        // documents are no longer in it). Exact mode always refits, so the result equals a head trained from
        // scratch on the retrained base (spec §6.1 check 10 with σ_h = 0).
        let split = try? HeldOutSplit(fraction: meta.heldOutFraction ?? 0.2)
        let downstreamHit = (r.dataset ?? meta.dataset) == headDataset
            && r.forget.contains { !(split?.isHeldOut($0.id) ?? false) }
        let capacityExhausted = head.certification.map { $0.used + forget.count > $0.capacity } ?? false
        let refit = r.mode == .exact || downstreamHit || (r.mode == .certified && capacityExhausted)
        let before = try previousRelease(context: context, checkpoint: r.checkpoint)
        guard !forget.isEmpty || refit else { return TopicUnlearnResult.unchanged(checkpoint: r.checkpoint, meta: meta, skipped: skipped) }
        let newHead: TopicHead
        let report: TopicHeadUnlearningReport?
        if forget.isEmpty {
            // Only the downstream split changed: refit W on the unchanged base (classes and certified state kept).
            newHead = try head.refitted(on: train)
            report = nil
        } else {
            let out = try head.unlearn(pretrainingDocuments: forget, mode: r.mode, refitOn: refit ? train : nil)
            newHead = out.0; report = out.1
        }
        let release = report?.release ?? (r.mode == .exact ? newHead.exactOnly.release() : newHead.release())
        var evaluation: [String: JSONValue] = [
            "refitted": .bool(report?.refitted ?? true), "release_noise_sigma": .number(release.noiseStandardDeviation),
            "base_model_modified": .bool(false),
        ]
        // Certified: accuracies on held-out documents, their count and q are values of the data (the owner can score
        // the noised release on their own labelled set); exact mode reports them.
        if r.mode == .exact {
            let accuracyBefore = heldOut.isEmpty ? Double.nan : before.accuracy(on: heldOut)
            let accuracyAfter = heldOut.isEmpty ? Double.nan : release.accuracy(on: heldOut)
            evaluation["held_out_accuracy_before"] = accuracyBefore.isFinite ? .number(accuracyBefore) : .null
            evaluation["held_out_accuracy_after"] = accuracyAfter.isFinite ? .number(accuracyAfter) : .null
            evaluation["held_out_documents"] = .number(Double(heldOut.count))
            evaluation["topic_spread_proxy"] = .number(newHead.topicSpreadProxy)
        }
        let retrained = r.mode == .certified && capacityExhausted
        if retrained {
            try context.emit("retrained", "head deletion capacity exhausted: refitted the head on its live training split and reset the counter")
        }
        var next = meta
        next.version = try context.reserveModelVersion(root: meta.rootJob, rootVersion: 0)
        return try save(kind: "head", meta: next, r: r, forgotten: forget.count, skipped: skipped, capacity: report?.capacity,
                        guarantee: release.guarantee, retrained: retrained, evaluation: evaluation, context: context) { dir in
            try TopicCheckpoint.save(meta: next, model: nil, head: newHead, release: release, report: report, in: dir)
        }
    }

    func previousRelease(context: JobContext, checkpoint: String) throws -> TopicHeadRelease {
        guard let ref = try context.checkpoint(id: checkpoint),
              let data = try? Data(contentsOf: ref.directory.appendingPathComponent("release.json")),
              let release = try? JSONDecoder().decode(TopicHeadRelease.self, from: data) else {
            throw JobError.permanent(code: "checkpoint_unreadable", message: "checkpoint \(checkpoint) has no readable head release")
        }
        return release
    }

    func save(kind: String, meta: TopicCheckpointMeta, r: Resolved, forgotten: Int, skipped: Int, capacity: DeletionCapacity?,
              guarantee: GuaranteeKind, retrained: Bool, evaluation: [String: JSONValue], context: JobContext,
              write: @escaping (URL) throws -> Void) throws -> TopicUnlearnResult {
        if context.shouldStop { throw JobError.stopped }
        var metrics: [String: Double] = ["model_version": Double(meta.version), "forgotten_documents": Double(forgotten)]
        if let capacity {
            metrics["capacity"] = Double(capacity.capacity); metrics["capacity_used"] = Double(capacity.used)
            metrics["capacity_remaining"] = Double(capacity.remaining); metrics["retrains"] = Double(capacity.retrains)
        }
        var result = TopicUnlearnResult(
            kind: kind == "base" ? "topic_model" : "topic_head", method: kind == "base" ? "U_base" : "U_head", mode: r.mode.rawValue,
            checkpoint: nil, input_checkpoint: r.checkpoint, root_job: meta.rootJob, model_version: meta.version,
            forgotten_documents: forgotten, skipped_documents: skipped, capacity: CapacityReport(capacity),
            guarantee: guarantee.rawValue, guarantee_statement: guarantee.statement, retrained: retrained,
            evaluation: evaluation, deletion_request: r.deletionRequest, unchanged: nil)
        let ckpt = try context.saveCheckpoint(step: meta.version, metrics: metrics,
                                              privateFiles: r.mode == .certified ? CertifiedSurface.privateFiles : []) { dir in
            try write(dir)
            // The result is written with the checkpoint (minus its own id) so a retried attempt returns it unchanged.
            try TopicCheckpoint.write(result, to: dir.appendingPathComponent("result.json"))
        }
        try context.metrics(step: meta.version, metrics)
        result.checkpoint = ckpt.id
        return result
    }
}
