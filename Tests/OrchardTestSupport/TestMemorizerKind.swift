import Foundation
import OrchardJobs
import OrchardTensor

/// A second unlearnable family, for tests only: `test_memorizer` "trains" by storing the ids of the live
/// documents of a dataset (and records them as lineage); `test_forget` unlearns by writing a new version
/// without the forgotten ids. Exact by construction: a version equals a memorizer run on the remaining
/// documents. It shows that the deletion workflow serves any registered unlearnable kind, beside the topic ones.
public struct TestMemorizerKind: Unlearnable {
    public static let type = "test_memorizer"
    public init() {}

    public struct Params: JobParams {
        public var dataset: String = ""
        public init() {}
    }

    /// What a memorizer checkpoint holds (`memory.json`).
    public struct Memory: Codable, Sendable, Equatable {
        public var root_job: String
        public var version: Int
        public var document_ids: [String]
    }

    public struct Output: Codable, Sendable {
        public var checkpoint: String
        public var documents: Int
    }

    public func resolve(_ p: Params) throws -> Params {
        try JobError.requireNonEmpty(p.dataset, "dataset", "a dataset id")
        return p
    }

    public func references(_ p: Params) -> [JobReference] { [.dataset(id: p.dataset, param: "dataset", records: .documents)] }

    public func run(_ p: Params, seed: UInt64, context: JobContext) throws -> Output {
        let ids = try context.documents(dataset: p.dataset).map(\.id)
        try context.recordLineage(dataset: p.dataset, documentIDs: ids)
        let memory = Memory(root_job: context.jobID, version: 0, document_ids: ids)
        let ckpt = try context.saveCheckpoint(step: 0, metrics: [:]) { dir in
            try JSONEncoder().encode(memory).write(to: dir.appendingPathComponent("memory.json"))
        }
        return Output(checkpoint: ckpt.id, documents: ids.count)
    }

    public var unlearner: TestForgetKind { TestForgetKind() }

    public func unlearningParams(for request: UnlearningRequest) throws -> TestForgetKind.Params {
        guard request.mode == "exact" else {
            throw JobError.invalid(param: "mode", message: "test_memorizer models are unlearned in exact mode only")
        }
        var p = TestForgetKind.Params()
        p.checkpoint = request.inputCheckpoint
        p.forget = request.forget
        return p
    }
}

/// Unlearns a `test_memorizer` version: the new version is the old one without the forgotten ids.
public struct TestForgetKind: UnlearningKind {
    public static let type = "test_forget"
    public init() {}

    public struct Params: JobParams {
        public var checkpoint: String = ""
        public var forget: [ForgetDocument] = []
        public init() {}
    }

    public struct Output: UnlearningResult {
        public var checkpoint: String
        public var model_version: Int
        public var forgotten: Int
        public var outcome: UnlearningOutcome {
            UnlearningOutcome(checkpoint: checkpoint, model_version: model_version, method: "drop_ids", mode: "exact",
                              guarantee: UnlearningGuarantee(kind: "exact_retrain_equivalent",
                                                             statement: "the stored ids equal a memorizer run on the remaining documents"),
                              evaluation: ["forgotten": .number(Double(forgotten))])
        }
    }

    public func resolve(_ p: Params) throws -> Params {
        try JobError.requireNonEmpty(p.checkpoint, "checkpoint", "a test_memorizer checkpoint id")
        guard !p.forget.isEmpty else { throw JobError.invalid(param: "forget", message: "forget must not be empty") }
        return p
    }

    public func redacted(_ p: Params) -> Params {
        var r = p
        r.forget = p.forget.map(\.redacted)
        return r
    }

    public func run(_ p: Params, seed: UInt64, context: JobContext) throws -> Output {
        guard let input = try context.checkpoint(id: p.checkpoint) else {
            throw JobError.invalid(param: "checkpoint", message: "checkpoint \(p.checkpoint) not found")
        }
        var memory = try JSONDecoder().decode(TestMemorizerKind.Memory.self,
                                              from: Data(contentsOf: input.directory.appendingPathComponent("memory.json")))
        let gone = Set(p.forget.map(\.id))
        let before = memory.document_ids.count
        memory.document_ids.removeAll { gone.contains($0) }
        memory.version += 1
        let m = memory
        let ckpt = try context.saveCheckpoint(step: m.version, metrics: [:]) { dir in
            try JSONEncoder().encode(m).write(to: dir.appendingPathComponent("memory.json"))
        }
        return Output(checkpoint: ckpt.id, model_version: m.version, forgotten: before - m.document_ids.count)
    }
}
