import Foundation
import OrchardTensor
import OrchardCorpus
import OrchardMethods

/// `topic_head`: a downstream linear head (multinomial logistic regression on θ̂_d = A^† h̄_d) over a frozen
/// `topic_model` checkpoint (spec algorithms-2 §1.7). The label is the document's domain (the Debian Section
/// for dpkg descriptions). The labelled documents are split by a hash of their id into train and held-out;
/// accuracy is reported on the held-out part.
///
/// Params: `TopicHeadParams` (`certification`: σ_h and the head's own capacity, spec §1.7 U_head).
/// Unlearnable: a deletion request queues `topic_unlearn` (U_head) on the head's newest version.
public struct TopicHeadKind: Unlearnable {
    public static let type = "topic_head"
    public init() {}

    public func resolve(_ params: TopicHeadParams) throws -> TopicHeadParams {
        try JobError.requireNonEmpty(params.model, "model", "a topic_model checkpoint id")
        guard params.held_out_fraction.isFinite, params.held_out_fraction > 0, params.held_out_fraction < 1 else {
            throw JobError.invalid(param: "held_out_fraction", message: "held_out_fraction must be in (0, 1)")
        }
        guard params.l2.isFinite, params.l2 >= 0 else { throw JobError.invalid(param: "l2", message: "l2 must be >= 0") }
        if let classes = params.classes {
            guard (2...1000).contains(classes.count) else { throw JobError.invalid(param: "classes", message: "classes must hold 2...1000 labels") }
            for (i, c) in classes.enumerated() where c.isEmpty { throw JobError.invalid(param: "classes[\(i)]", message: "a label must be a non-empty string") }
            guard Set(classes).count == classes.count else { throw JobError.invalid(param: "classes", message: "classes has duplicate labels") }
        }
        if let c = params.certification {
            try c.check()
            guard params.classes != nil else {
                throw JobError.invalid(param: "classes", message: "certified mode needs the label set as an input (classes): labels read off the data would be released un-noised")
            }
        }
        return params
    }

    public var unlearner: TopicUnlearnKind { TopicUnlearnKind() }

    public func unlearningParams(for request: UnlearningRequest) throws -> TopicUnlearnParams {
        TopicUnlearnKind.params(for: request)
    }

    /// The head's labelled documents split into (train, held-out).
    static func split(_ docs: [Document], heldOutFraction: Double) throws -> (train: [Document], heldOut: [Document]) {
        try HeldOutSplit(fraction: heldOutFraction).assign(docs)
    }

    public func references(_ p: TopicHeadParams) -> [JobReference] {
        [.checkpoint(id: p.model, param: "model")] + (p.dataset.map { [.dataset(id: $0, param: "dataset", records: .documents)] } ?? [])
    }

    public func run(_ r: TopicHeadParams, seed: UInt64, context: JobContext) throws -> TopicHeadResult {
        if let done = try context.latestCheckpoint() {
            let (meta, _, head) = try TopicCheckpoint.load(done, id: done.id, param: "checkpoint")
            return TopicHeadResult(checkpoint: done, meta: meta, head: head!, metrics: done.metrics)
        }
        let (baseMeta, baseModel, _) = try TopicCheckpoint.load(try context.checkpoint(id: r.model), id: r.model, param: "model")
        guard baseMeta.kind == .topicModel, let base = baseModel else {
            throw JobError.invalid(param: "model", message: "checkpoint \(r.model) is a \(baseMeta.kind.rawValue) checkpoint, not a topic_model")
        }
        let certified = r.certification != nil
        if certified, !base.vocabulary.isSupplied {
            throw JobError.invalid(param: "model", message: "a certified head releases its base's vocabulary: checkpoint \(r.model) chose its vocabulary from its training documents (train it with vocabulary.words)")
        }
        let headDataset = r.dataset ?? baseMeta.dataset
        let (train, heldOut) = try Self.split(try context.documents(dataset: headDataset), heldOutFraction: r.held_out_fraction)
        var calibration: [Document] = []
        if r.certification != nil {
            calibration = try context.documents(dataset: baseMeta.dataset).filter { base.documents[$0.id] != nil }
        }
        let start = ContinuousClock.now
        let head: TopicHead
        do {
            head = try TopicHead.train(base: base, documents: train, config: TopicHeadConfig(l2: r.l2), classes: r.classes,
                                       certification: r.certification?.config(seed: seed), calibrationDocuments: calibration)
        } catch let e as TopicModelError { throw e.jobError }
        let seconds = (ContinuousClock.now - start).seconds
        // The head's released B = (A^†)ᵀW depends on the base's training documents and on its own downstream set.
        try context.recordLineage(dataset: baseMeta.dataset, documentIDs: base.documents.keys.sorted())
        try context.recordLineage(dataset: headDataset, documentIDs: train.map(\.id))
        if context.shouldStop { throw JobError.stopped }
        let release = head.release()
        var all: [String: Double] = [
            "train_documents": Double(train.count), "held_out_documents": Double(heldOut.count),
            "train_accuracy": release.accuracy(on: train), "held_out_accuracy": heldOut.isEmpty ? .nan : release.accuracy(on: heldOut),
            "classes": Double(head.classes.count), "topic_spread_proxy": head.topicSpreadProxy, "train_seconds": seconds,
        ]
        if let c = head.certification {
            all["capacity"] = Double(c.capacity); all["capacity_remaining"] = Double(c.remaining); all["sigma"] = c.sigma
        }
        // Certified: accuracies, counts, q and timings are values of the data; the owner can score the release themselves.
        let metrics = CertifiedSurface.metrics(all, certified: certified, allowed: CertifiedSurface.headMetrics)
        let meta = TopicCheckpointMeta(kind: .topicHead, rootJob: context.jobID, version: 0, dataset: baseMeta.dataset,
                                       headDataset: headDataset, heldOutFraction: r.held_out_fraction)
        let saved = metrics.filter { $0.value.isFinite }
        let ckpt = try context.saveCheckpoint(step: 0, metrics: saved, privateFiles: certified ? CertifiedSurface.privateFiles : []) { dir in
            try TopicCheckpoint.save(meta: meta, model: nil, head: head, release: release, report: Optional<String>.none, in: dir)
        }
        try context.metrics(step: 0, metrics)
        return TopicHeadResult(checkpoint: ckpt, meta: meta, head: head, metrics: saved)
    }
}
