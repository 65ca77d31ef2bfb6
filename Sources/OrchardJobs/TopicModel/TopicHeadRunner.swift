import Foundation
import OrchardMethods

/// `topic_head`: a downstream linear head (multinomial logistic regression on θ̂_d = A^† h̄_d) over a frozen
/// `topic_model` checkpoint (spec algorithms-2 §1.7). The label is the document's domain (the Debian Section
/// for dpkg descriptions). The labelled documents are split by a hash of their id into train and held-out;
/// accuracy is reported on the held-out part.
///
/// Params: `model` (a topic_model checkpoint id, required), `dataset` (labelled documents; default: the
/// base model's dataset), `held_out_fraction` (0.2), `l2` (1e-3), `certification` (optional, σ_h and the
/// head's own capacity, spec §1.7 U_head).
public struct TopicHeadRunner: JobRunner {
    public let type = "topic_head"
    public init() {}

    struct Resolved {
        var model: String
        var dataset: String?
        var heldOutFraction: Double
        var l2: Double
        var certification: CertifiedUnlearningConfig?
        var json: JSONValue
    }

    func resolve(_ params: JSONValue, seed: UInt64) throws -> Resolved {
        let o = try TopicJobParams.object(params)
        try TopicJobParams.rejectUnknown(o, allowed: ["model", "dataset", "held_out_fraction", "l2", "certification", "seed"])
        let seed = try TopicJobParams.seed(o, default: seed)
        let model = try TopicJobParams.string(o, "model")
        let dataset = try TopicJobParams.optionalString(o, "dataset")
        let fraction = try TopicJobParams.double(o, "held_out_fraction", default: 0.2, valid: { $0 > 0 && $0 < 1 }, requirement: "in (0, 1)")
        let l2 = try TopicJobParams.double(o, "l2", default: 1e-3, valid: { $0 >= 0 }, requirement: ">= 0")
        let cert = try TopicJobParams.certification(o["certification"], seed: seed)
        let json: JSONValue = ["model": .string(model), "dataset": dataset.map(JSONValue.string) ?? .null,
                               "held_out_fraction": .number(fraction), "l2": .number(l2),
                               "certification": cert?.0 ?? .null, "seed": TopicJobParams.seedJSON(seed)]
        return Resolved(model: model, dataset: dataset, heldOutFraction: fraction, l2: l2, certification: cert?.1, json: json)
    }

    public func validate(params: JSONValue, seed: UInt64) throws -> JSONValue {
        try resolve(params, seed: seed).json
    }

    /// The head's labelled documents split into (train, held-out).
    static func split(_ docs: [Document], heldOutFraction: Double) -> (train: [TopicDocument], heldOut: [TopicDocument]) {
        var train: [TopicDocument] = [], heldOut: [TopicDocument] = []
        for d in docs {
            if TopicJobParams.isHeldOut(d.id, fraction: heldOutFraction) { heldOut.append(d.topicDocument) } else { train.append(d.topicDocument) }
        }
        return (train, heldOut)
    }

    public func run(params: JSONValue, context: JobContext) throws -> JSONValue {
        let r = try resolve(params, seed: TopicJobParams.storedSeed(params))
        if let done = try context.latestCheckpoint() {
            let (meta, _, head) = try TopicCheckpoint.load(done, id: done.id, param: "checkpoint")
            return TopicJobResults.head(checkpoint: done, meta: meta, head: head!, metrics: done.metrics)
        }
        let (baseMeta, baseModel, _) = try TopicCheckpoint.load(try context.checkpoint(id: r.model), id: r.model, param: "model")
        guard baseMeta.kind == .topicModel, let base = baseModel else {
            throw JobError.invalid(param: "model", message: "checkpoint \(r.model) is a \(baseMeta.kind.rawValue) checkpoint, not a topic_model")
        }
        let headDataset = r.dataset ?? baseMeta.dataset
        let (train, heldOut) = Self.split(try context.documents(dataset: headDataset), heldOutFraction: r.heldOutFraction)
        var calibration: [TopicDocument] = []
        if r.certification != nil {
            calibration = try context.documents(dataset: baseMeta.dataset).filter { base.documents[$0.id] != nil }.map(\.topicDocument)
        }
        let start = ContinuousClock.now
        let head: TopicHead
        do {
            head = try TopicHead.train(base: base, documents: train, config: TopicHeadConfig(l2: r.l2),
                                       certification: r.certification, calibrationDocuments: calibration)
        } catch let e as TopicModelError { throw e.jobError }
        let seconds = TopicJobParams.seconds(since: start)
        // The head's released B = (A^†)ᵀW depends on the base's training documents and on its own downstream set.
        try context.recordLineage(dataset: baseMeta.dataset, documentIDs: base.documents.keys.sorted())
        try context.recordLineage(dataset: headDataset, documentIDs: train.map(\.id))
        if context.shouldStop { throw JobError.stopped }
        let release = head.release()
        var metrics: [String: Double] = [
            "train_documents": Double(train.count), "held_out_documents": Double(heldOut.count),
            "train_accuracy": release.accuracy(on: train), "held_out_accuracy": heldOut.isEmpty ? .nan : release.accuracy(on: heldOut),
            "classes": Double(head.classes.count), "topic_spread_proxy": head.topicSpreadProxy, "train_seconds": seconds,
        ]
        if let c = head.certification {
            metrics["capacity"] = Double(c.capacity); metrics["capacity_remaining"] = Double(c.remaining); metrics["sigma"] = c.sigma
        }
        let meta = TopicCheckpointMeta(kind: .topicHead, rootJob: context.jobID, version: 0, dataset: baseMeta.dataset,
                                       headDataset: headDataset, heldOutFraction: r.heldOutFraction)
        let saved = metrics.filter { $0.value.isFinite }
        let ckpt = try context.saveCheckpoint(step: 0, metrics: saved) { dir in
            try TopicCheckpoint.save(meta: meta, model: nil, head: head, release: release, report: Optional<String>.none, in: dir)
        }
        try context.metrics(step: 0, metrics)
        return TopicJobResults.head(checkpoint: ckpt, meta: meta, head: head, metrics: saved)
    }
}
