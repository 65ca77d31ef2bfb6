import Foundation
import OrchardMethods

/// `topic_model`: trains an anchor-word topic model (Arora et al. 2013; spec algorithms-2 §1.2–1.4) on the
/// live documents of a dataset, records lineage, and checkpoints the model together with its sufficient
/// statistics T(S) so that a deletion never needs another pass over the corpus.
///
/// Params: `dataset` (required), `topics` (r, required), `recover` ("L2" | "KL"),
/// `vocabulary {min_document_frequency, max_size}`, `anchors {min_document_frequency, document_fraction,
/// projection_dimension}`, `certification {epsilon, delta, capacity, sensitivity}` (optional; makes every
/// release noised, spec §1.6 mode C). The job's `seed` is the projection seed and the empirical-calibration seed.
public struct TopicModelRunner: JobRunner {
    public let type = "topic_model"
    public init() {}

    struct Resolved {
        var dataset: String
        var config: TopicModelConfig
        var certification: CertifiedUnlearningConfig?
        var json: JSONValue
    }

    func resolve(_ params: JSONValue, seed: UInt64) throws -> Resolved {
        let o = try TopicJobParams.object(params)
        try TopicJobParams.rejectUnknown(o, allowed: ["dataset", "topics", "recover", "vocabulary", "anchors", "certification", "seed"])
        let seed = try TopicJobParams.seed(o, default: seed)
        let dataset = try TopicJobParams.string(o, "dataset")
        let topics = try TopicJobParams.int(o, "topics", default: nil, range: 2...200)
        let recoverName = try TopicJobParams.string(o, "recover", default: "L2").uppercased()
        let objective: TopicRecoveryObjective
        switch recoverName {
        case "L2": objective = .l2
        case "KL": objective = .kl
        default: throw JobError.invalid(param: "recover", message: "recover must be \"L2\" or \"KL\"")
        }
        let vocab = try section(o, "vocabulary")
        try TopicJobParams.rejectUnknown(vocab, allowed: ["min_document_frequency", "max_size"], prefix: "vocabulary.")
        let minDF = try TopicJobParams.int(vocab, "min_document_frequency", prefix: "vocabulary.", default: 3, range: 1...1_000_000)
        let maxSize = try TopicJobParams.int(vocab, "max_size", prefix: "vocabulary.", default: 2000, range: topics...8000)
        let anchors = try section(o, "anchors")
        try TopicJobParams.rejectUnknown(anchors, allowed: ["min_document_frequency", "document_fraction", "projection_dimension"], prefix: "anchors.")
        let anchorDF = try TopicJobParams.int(anchors, "min_document_frequency", prefix: "anchors.", default: 5, range: 1...1_000_000)
        let fraction = try TopicJobParams.double(anchors, "document_fraction", prefix: "anchors.", default: 0.01,
                                                 valid: { $0 >= 0 && $0 < 1 }, requirement: "in [0, 1)")
        var projection: Int? = nil
        if let v = anchors["projection_dimension"], v != .null {
            projection = try TopicJobParams.int(anchors, "projection_dimension", prefix: "anchors.", default: nil, range: 2...10_000)
        }
        let config = TopicModelConfig(topicCount: topics, minDocumentFrequency: minDF, maxVocabularySize: maxSize,
                                      anchorMinDocumentFrequency: anchorDF, anchorDocumentFraction: fraction,
                                      projectionDimension: projection, projectionSeed: seed, recoveryObjective: objective)
        do { try config.validate() } catch let e as TopicModelError {
            throw JobError.invalid(param: "topics", message: e.description)
        }
        let cert = try TopicJobParams.certification(o["certification"], seed: seed)
        var json: [String: JSONValue] = [
            "dataset": .string(dataset), "topics": .number(Double(topics)),
            "recover": .string(objective == .l2 ? "L2" : "KL"),
            "vocabulary": ["min_document_frequency": .number(Double(minDF)), "max_size": .number(Double(maxSize))],
            "anchors": ["min_document_frequency": .number(Double(anchorDF)), "document_fraction": .number(fraction),
                        "projection_dimension": projection.map { .number(Double($0)) } ?? .null],
        ]
        json["certification"] = cert?.0 ?? .null
        json["seed"] = TopicJobParams.seedJSON(seed)
        return Resolved(dataset: dataset, config: config, certification: cert?.1, json: .object(json))
    }

    func section(_ o: [String: JSONValue], _ key: String) throws -> [String: JSONValue] {
        guard let v = o[key], v != .null else { return [:] }
        guard let s = v.objectValue else { throw JobError.invalid(param: key, message: "\(key) must be an object") }
        return s
    }

    public func validate(params: JSONValue, seed: UInt64) throws -> JSONValue {
        try resolve(params, seed: seed).json
    }

    public func run(params: JSONValue, context: JobContext) throws -> JSONValue {
        let r = try resolve(params, seed: TopicJobParams.storedSeed(params))
        if let done = try context.latestCheckpoint() { return try result(done, meta: nil) }
        let docs = try context.documents(dataset: r.dataset).map(\.topicDocument)
        try context.emit("training_started", "\(docs.count) live documents", data: ["documents": .number(Double(docs.count))])
        let start = ContinuousClock.now
        let model: TopicModel
        do { model = try TopicModelTrainer.train(documents: docs, config: r.config, certification: r.certification) }
        catch let e as TopicModelError { throw e.jobError }
        let seconds = TopicJobParams.seconds(since: start)
        try context.recordLineage(dataset: r.dataset, documentIDs: docs.map(\.id))
        if context.shouldStop { throw JobError.stopped }
        let meta = TopicCheckpointMeta(kind: .topicModel, rootJob: context.jobID, version: 0, dataset: r.dataset)
        let release = model.release()
        var metrics: [String: Double] = [
            "documents": Double(model.documentCount), "contributing_documents": Double(model.statistics.documentCount),
            "vocabulary_size": Double(model.vocabularySize), "topics": Double(model.topicCount), "train_seconds": seconds,
        ]
        if let c = model.certification {
            metrics["capacity"] = Double(c.capacity); metrics["capacity_remaining"] = Double(c.remaining); metrics["sigma"] = c.sigma
        }
        let ckpt = try context.saveCheckpoint(step: 0, metrics: metrics) { dir in
            try TopicCheckpoint.save(meta: meta, model: model, head: nil, release: release, report: Optional<String>.none, in: dir)
        }
        try context.metrics(step: 0, metrics)
        return try result(ckpt, meta: meta, model: model)
    }

    func result(_ ckpt: CheckpointRef, meta: TopicCheckpointMeta?, model: TopicModel? = nil) throws -> JSONValue {
        let (m, loaded, _) = try TopicCheckpoint.load(ckpt, id: ckpt.id, param: "checkpoint")
        let model = model ?? loaded!
        return TopicJobResults.model(checkpoint: ckpt, meta: meta ?? m, model: model)
    }
}
