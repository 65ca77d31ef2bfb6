import Foundation
import OrchardMethods

/// The result objects of the topic-model jobs (what `GET /v1/jobs/{id}` shows and a deletion request reads).
enum TopicJobResults {
    static func capacityJSON(_ c: DeletionCapacity?) -> JSONValue {
        guard let c else { return .null }
        return ["capacity": .number(Double(c.capacity)), "used": .number(Double(c.used)), "remaining": .number(Double(c.remaining)),
                "retrains": .number(Double(c.retrains)), "sigma": .number(c.sigma), "epsilon": .number(c.config.epsilon),
                "delta": .number(c.config.delta), "sensitivity_per_deletion": .number(c.sensitivityPerDeletion),
                "predicted_relative_loss": .number(c.predictedRelativeLoss)]
    }

    static func metricsJSON(_ m: [String: Double]) -> JSONValue {
        .object(m.mapValues { $0.isFinite ? .number($0) : .null })
    }

    static func model(checkpoint: CheckpointRef, meta: TopicCheckpointMeta, model: TopicModel) -> JSONValue {
        let top: [JSONValue] = (0..<model.topicCount).map { k in .array(model.topWords(topic: k, count: 8).map(JSONValue.string)) }
        return ["checkpoint": .string(checkpoint.id), "kind": "topic_model", "model_version": .number(Double(meta.version)),
                "dataset": .string(meta.dataset), "documents": .number(Double(model.documentCount)),
                "vocabulary_size": .number(Double(model.vocabularySize)), "topics": .number(Double(model.topicCount)),
                "anchors": .array(model.anchors.map { JSONValue.string(model.vocabulary.words[$0]) }), "top_words": .array(top),
                "certification": capacityJSON(model.certification),
                "guarantee": .string(model.release().guarantee.rawValue), "metrics": metricsJSON(checkpoint.metrics)]
    }

    static func head(checkpoint: CheckpointRef, meta: TopicCheckpointMeta, head: TopicHead, metrics: [String: Double]) -> JSONValue {
        ["checkpoint": .string(checkpoint.id), "kind": "topic_head", "model_version": .number(Double(meta.version)),
         "dataset": .string(meta.headDataset ?? meta.dataset), "base_dataset": .string(meta.dataset),
         "classes": .array(head.classes.map(JSONValue.string)), "certification": capacityJSON(head.certification),
         "metrics": metricsJSON(metrics)]
    }

    static func unlearning(kind: String, meta: TopicCheckpointMeta, inputCheckpoint: String, mode: TopicUnlearningMode,
                           forgotten: Int, skipped: Int, capacity: DeletionCapacity?, guarantee: GuaranteeKind, retrained: Bool,
                           evaluation: [String: JSONValue], deletionRequest: String?) -> JSONValue {
        ["kind": .string(kind == "base" ? "topic_model" : "topic_head"), "method": .string(kind == "base" ? "U_base" : "U_head"),
         "mode": .string(mode.rawValue), "input_checkpoint": .string(inputCheckpoint), "root_job": .string(meta.rootJob),
         "model_version": .number(Double(meta.version)), "forgotten_documents": .number(Double(forgotten)),
         "skipped_documents": .number(Double(skipped)), "capacity": capacityJSON(capacity),
         "guarantee": .string(guarantee.rawValue), "guarantee_statement": .string(guarantee.statement),
         "retrained": .bool(retrained), "evaluation": .object(evaluation),
         "deletion_request": deletionRequest.map(JSONValue.string) ?? .null]
    }

    static func nothingToForget(checkpoint: String, meta: TopicCheckpointMeta, skipped: Int) -> JSONValue {
        ["kind": .string(meta.kind.rawValue), "checkpoint": .string(checkpoint), "input_checkpoint": .string(checkpoint),
         "root_job": .string(meta.rootJob), "model_version": .number(Double(meta.version)), "forgotten_documents": 0,
         "skipped_documents": .number(Double(skipped)), "unchanged": true]
    }

    static func withCheckpoint(_ result: JSONValue, _ id: String) -> JSONValue {
        guard var o = result.objectValue else { return result }
        o["checkpoint"] = .string(id)
        return .object(o)
    }
}
