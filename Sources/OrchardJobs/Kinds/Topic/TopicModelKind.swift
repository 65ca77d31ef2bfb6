import Foundation
import OrchardTensor
import OrchardMethods

/// `topic_model`: trains an anchor-word topic model (Arora et al. 2013; spec algorithms-2 §1.2–1.4) on the
/// live documents of a dataset, records lineage, and checkpoints the model together with its sufficient
/// statistics T(S) so that a deletion never needs another pass over the corpus.
///
/// Params: `TopicModelParams`. The job's seed is the projection seed and the empirical-calibration seed.
/// Unlearnable: a deletion request queues `topic_unlearn` on the model's newest version.
public struct TopicModelKind: Unlearnable {
    public static let type = "topic_model"
    public init() {}

    public func resolve(_ params: TopicModelParams) throws -> TopicModelParams {
        var p = params
        try JobError.requireNonEmpty(p.dataset, "dataset", "a dataset id")
        guard let topics = p.topics else { throw JobError.invalid(param: "topics", message: "topics is required") }
        try JobError.require(topics, in: 2...200, "topics")
        p.recover = p.recover.uppercased()
        guard ["L2", "KL"].contains(p.recover) else { throw JobError.invalid(param: "recover", message: "recover must be \"L2\" or \"KL\"") }
        try JobError.require(p.vocabulary.min_document_frequency, in: 1...1_000_000, "vocabulary.min_document_frequency")
        try JobError.require(p.vocabulary.max_size, in: topics...8000, "vocabulary.max_size")
        try JobError.require(p.anchors.min_document_frequency, in: 1...1_000_000, "anchors.min_document_frequency")
        guard p.anchors.document_fraction.isFinite, p.anchors.document_fraction >= 0, p.anchors.document_fraction < 1 else {
            throw JobError.invalid(param: "anchors.document_fraction", message: "anchors.document_fraction must be in [0, 1)")
        }
        if let words = p.vocabulary.words {
            guard (max(2, topics)...8000).contains(words.count) else {
                throw JobError.invalid(param: "vocabulary.words", message: "vocabulary.words must hold \(max(2, topics))...8000 words")
            }
            do { _ = try TopicVocabulary.supplied(words: words, tokenizer: p.config(seed: 0).tokenizer) } catch let e as TopicModelError {
                throw JobError.invalid(param: "vocabulary.words", message: e.description)
            }
        }
        if let d = p.anchors.projection_dimension { try JobError.require(d, in: 2...10_000, "anchors.projection_dimension") }
        do { try p.config(seed: 0).validate() } catch let e as TopicModelError {
            throw JobError.invalid(param: "topics", message: e.description)
        }
        if let c = p.certification {
            try c.check()
            guard p.vocabulary.words != nil else {
                throw JobError.invalid(param: "vocabulary.words", message: "certified mode needs a supplied vocabulary (vocabulary.words): a vocabulary chosen from the training documents is a value of the data that would be released un-noised")
            }
        }
        return p
    }

    public var unlearner: TopicUnlearnKind { TopicUnlearnKind() }

    public func unlearningParams(for request: UnlearningRequest) throws -> TopicUnlearnParams {
        TopicUnlearnKind.params(for: request)
    }

    public func references(_ p: TopicModelParams) -> [JobReference] {
        [.dataset(id: p.dataset, param: "dataset", records: .documents)]
    }

    public func run(_ r: TopicModelParams, seed: UInt64, context: JobContext) throws -> TopicModelResult {
        if let done = try context.latestCheckpoint() { return try result(done, meta: nil) }
        let docs = try context.documents(dataset: r.dataset)
        let certified = r.certification != nil
        // Certified mode publishes no count of the data, not even in an event.
        try context.emit("training_started", certified ? "" : "\(docs.count) live documents",
                         data: certified ? .null : ["documents": .number(Double(docs.count))])
        let start = ContinuousClock.now
        let model: TopicModel
        do {
            let config = r.config(seed: seed), certification = r.certification?.config(seed: seed)
            if let words = r.vocabulary.words {
                let vocabulary = try TopicVocabulary.supplied(words: words, tokenizer: config.tokenizer)
                model = try TopicModelTrainer.train(documents: docs, vocabulary: vocabulary, config: config, certification: certification)
            } else {
                model = try TopicModelTrainer.train(documents: docs, config: config, certification: certification)
            }
        }
        catch let e as TopicModelError { throw e.jobError }
        let seconds = (ContinuousClock.now - start).seconds
        try context.recordLineage(dataset: r.dataset, documentIDs: docs.map(\.id))
        if context.shouldStop { throw JobError.stopped }
        let meta = TopicCheckpointMeta(kind: .topicModel, rootJob: context.jobID, version: 0, dataset: r.dataset)
        let release = model.release()
        var all: [String: Double] = [
            "documents": Double(model.documentCount), "contributing_documents": Double(model.statistics.documentCount),
            "vocabulary_size": Double(model.vocabularySize), "topics": Double(model.topicCount), "train_seconds": seconds,
        ]
        if let c = model.certification {
            all["capacity"] = Double(c.capacity); all["capacity_remaining"] = Double(c.remaining); all["sigma"] = c.sigma
        }
        let metrics = CertifiedSurface.metrics(all, certified: certified, allowed: CertifiedSurface.modelMetrics)
        let ckpt = try context.saveCheckpoint(step: 0, metrics: metrics, privateFiles: certified ? CertifiedSurface.privateFiles : []) { dir in
            try TopicCheckpoint.save(meta: meta, model: model, head: nil, release: release, report: Optional<String>.none, in: dir)
        }
        try context.metrics(step: 0, metrics)
        return try result(ckpt, meta: meta, model: model, release: release)
    }

    func result(_ ckpt: CheckpointRef, meta: TopicCheckpointMeta?, model: TopicModel? = nil, release: TopicModelRelease? = nil) throws -> TopicModelResult {
        let (m, loaded, _) = try TopicCheckpoint.load(ckpt, id: ckpt.id, param: "checkpoint")
        let release = try release ?? TopicCheckpoint.release(TopicModelRelease.self, in: ckpt)
        return TopicModelResult(checkpoint: ckpt, meta: meta ?? m, model: model ?? loaded!, release: release)
    }
}
