import Foundation
import OrchardMethods

/// `topic_unlearn`: removes documents from a topic model (U_base, spec algorithms-2 §1.6) or from what a head
/// releases (U_head, §1.7), in exact or certified mode, and writes the result as a new model version
/// (a new checkpoint with `report.json`). The input checkpoint is never modified.
///
/// Params: `checkpoint` (a topic_model / topic_head / earlier topic_unlearn checkpoint, required),
/// `forget_documents` ([{id, text}], required: the method checks each text's fingerprint against the one it
/// trained on; a deletion request snapshots the text here and purges it once the job has finished),
/// `mode` ("exact" | "certified"), `dataset` (the dataset the forget documents belong to; default: the
/// base model's), `deletion_request` (optional, for the audit trail).
///
/// Capacity (certified mode): the base model retrains from its exact statistics and resets its counter
/// when a request would exceed m_U (inside the method); a head is refitted on its live downstream
/// training split and its counter reset. Documents the model no longer contains (already forgotten) are
/// skipped; if none remain, no new version is written.
public struct TopicUnlearnRunner: JobRunner {
    public let type = "topic_unlearn"
    public init() {}

    struct Resolved {
        var checkpoint: String
        var forget: [TopicDocument]
        var mode: TopicUnlearningMode
        var deletionRequest: String?
        var dataset: String?
        var json: JSONValue
    }

    func resolve(_ params: JSONValue) throws -> Resolved {
        let o = try TopicJobParams.object(params)
        try TopicJobParams.rejectUnknown(o, allowed: ["checkpoint", "forget_documents", "mode", "deletion_request", "dataset", "seed"])
        let checkpoint = try TopicJobParams.string(o, "checkpoint")
        let mode = try TopicJobParams.mode(o)
        let request = try TopicJobParams.optionalString(o, "deletion_request")
        let dataset = try TopicJobParams.optionalString(o, "dataset")
        guard let list = o["forget_documents"]?.arrayValue, !list.isEmpty else {
            throw JobError.invalid(param: "forget_documents", message: "forget_documents must be a non-empty array of {id, text}")
        }
        var seen = Set<String>()
        var forget: [TopicDocument] = []
        for (i, item) in list.enumerated() {
            let p = "forget_documents[\(i)]."
            guard let d = item.objectValue else { throw JobError.invalid(param: "forget_documents[\(i)]", message: "must be an object {id, text}") }
            try TopicJobParams.rejectUnknown(d, allowed: ["id", "text", "domain"], prefix: p)
            let id = try TopicJobParams.string(d, "id", prefix: p)
            guard let text = d["text"]?.stringValue else { throw JobError.invalid(param: p + "text", message: "\(p)text is required") }
            guard seen.insert(id).inserted else { throw JobError.invalid(param: p + "id", message: "document \(id) appears twice") }
            forget.append(TopicDocument(id: id, text: text, label: d["domain"]?.stringValue))
        }
        var json = o
        json["mode"] = .string(mode.rawValue)
        json["deletion_request"] = request.map(JSONValue.string) ?? .null
        return Resolved(checkpoint: checkpoint, forget: forget, mode: mode, deletionRequest: request, dataset: dataset,
                        json: .object(json))
    }

    public func validate(params: JSONValue, seed: UInt64) throws -> JSONValue {
        try resolve(params).json
    }

    public func run(params: JSONValue, context: JobContext) throws -> JSONValue {
        var r = try resolve(params)
        if let done = try context.latestCheckpoint() {
            let report = try Data(contentsOf: done.directory.appendingPathComponent("result.json"))
            return TopicJobResults.withCheckpoint(try JSONDecoder().decode(JSONValue.self, from: report), done.id)
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

    func unlearnBase(_ model: TopicModel, meta: TopicCheckpointMeta, r: Resolved, context: JobContext) throws -> JSONValue {
        let forget = r.forget.filter { model.documents[$0.id] != nil }
        let skipped = r.forget.count - forget.count
        guard !forget.isEmpty else { return TopicJobResults.nothingToForget(checkpoint: r.checkpoint, meta: meta, skipped: skipped) }
        let (newModel, report) = try model.unlearn(documents: forget, mode: r.mode)
        let change = try TopicRecoveryError.compare(reference: model.topicWord, estimate: newModel.topicWord,
                                                    vocabularySize: model.vocabularySize, topicCount: model.topicCount)
        var evaluation: [String: JSONValue] = [
            "topic_change_mean_column_l1": .number(change.meanColumnL1), "topic_change_max_column_l1": .number(change.maxColumnL1),
            "topic_change_frobenius": .number(change.frobenius), "anchors_changed": .bool(report.anchorsChanged),
            "downdate_seconds": .number(report.downdateSeconds), "recompute_seconds": .number(report.recomputeSeconds),
        ]
        if r.mode == .certified {
            evaluation["release_noise_sigma"] = .number(report.release.noiseStandardDeviation)
        }
        if report.retrainedFromScratch {
            try context.emit("retrained", "deletion capacity exhausted: retrained from scratch and reset the counter",
                             data: ["retrains": .number(Double(report.capacity?.retrains ?? 0))])
        }
        var next = meta
        next.version += 1
        return try save(kind: "base", meta: next, r: r, forgotten: forget.count, skipped: skipped, capacity: report.capacity,
                        guarantee: report.guarantee, retrained: report.retrainedFromScratch, evaluation: evaluation,
                        context: context) { dir in
            try TopicCheckpoint.save(meta: next, model: newModel, head: nil, release: report.release, report: report, in: dir)
        }
    }

    func unlearnHead(_ head: TopicHead, meta: TopicCheckpointMeta, r: Resolved, context: JobContext) throws -> JSONValue {
        let headDataset = meta.headDataset ?? meta.dataset
        let (train, heldOut) = TopicHeadRunner.split(try context.documents(dataset: headDataset), heldOutFraction: meta.heldOutFraction ?? 0.2)
        let forget = r.forget.filter { head.base.documents[$0.id] != nil }
        let skipped = r.forget.count - forget.count
        // A forgotten document in the head's own training split moves W: refit on the live split (tombstoned
        // documents are no longer in it). Exact mode always refits, so the result equals a head trained from
        // scratch on the retrained base (spec §6.1 check 10 with σ_h = 0).
        let fraction = meta.heldOutFraction ?? 0.2
        let downstreamHit = (r.dataset ?? meta.dataset) == headDataset
            && r.forget.contains { !TopicJobParams.isHeldOut($0.id, fraction: fraction) }
        let capacityExhausted = head.certification.map { $0.used + forget.count > $0.capacity } ?? false
        let refit = r.mode == .exact || downstreamHit || (r.mode == .certified && capacityExhausted)
        let before = try previousRelease(context: context, checkpoint: r.checkpoint)
        let accuracyBefore = heldOut.isEmpty ? Double.nan : before.accuracy(on: heldOut)
        guard !forget.isEmpty || refit else { return TopicJobResults.nothingToForget(checkpoint: r.checkpoint, meta: meta, skipped: skipped) }
        let newHead: TopicHead
        let report: TopicHeadUnlearningReport?
        if forget.isEmpty {
            // Only the downstream split changed: refit W on the unchanged base.
            newHead = try TopicHead.train(base: head.base, documents: train, config: head.config)
            report = nil
        } else {
            let out = try head.unlearn(pretrainingDocuments: forget, mode: r.mode, refitOn: refit ? train : nil)
            newHead = out.0; report = out.1
        }
        let release = report?.release ?? newHead.release()
        let accuracyAfter = heldOut.isEmpty ? Double.nan : release.accuracy(on: heldOut)
        let evaluation: [String: JSONValue] = [
            "held_out_accuracy_before": accuracyBefore.isFinite ? .number(accuracyBefore) : .null,
            "held_out_accuracy_after": accuracyAfter.isFinite ? .number(accuracyAfter) : .null,
            "held_out_documents": .number(Double(heldOut.count)), "refitted": .bool(report?.refitted ?? true),
            "topic_spread_proxy": .number(newHead.topicSpreadProxy), "release_noise_sigma": .number(release.noiseStandardDeviation),
            "base_model_modified": .bool(false),
        ]
        let retrained = r.mode == .certified && capacityExhausted
        if retrained {
            try context.emit("retrained", "head deletion capacity exhausted: refitted the head on its live training split and reset the counter")
        }
        var next = meta
        next.version += 1
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
              write: @escaping (URL) throws -> Void) throws -> JSONValue {
        if context.shouldStop { throw JobError.stopped }
        var metrics: [String: Double] = ["model_version": Double(meta.version), "forgotten_documents": Double(forgotten)]
        if let capacity {
            metrics["capacity"] = Double(capacity.capacity); metrics["capacity_used"] = Double(capacity.used)
            metrics["capacity_remaining"] = Double(capacity.remaining); metrics["retrains"] = Double(capacity.retrains)
        }
        var result = TopicJobResults.unlearning(kind: kind, meta: meta, inputCheckpoint: r.checkpoint, mode: r.mode,
                                                forgotten: forgotten, skipped: skipped, capacity: capacity, guarantee: guarantee,
                                                retrained: retrained, evaluation: evaluation, deletionRequest: r.deletionRequest)
        let ckpt = try context.saveCheckpoint(step: meta.version, metrics: metrics) { dir in
            try write(dir)
            // The result is written with the checkpoint (minus its own id) so a retried attempt returns it unchanged.
            try TopicCheckpoint.write(result, to: dir.appendingPathComponent("result.json"))
        }
        try context.metrics(step: meta.version, metrics)
        result = TopicJobResults.withCheckpoint(result, ckpt.id)
        return result
    }
}
