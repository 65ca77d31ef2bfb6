import Foundation
import OrchardCorpus

/// What a running job may do. Implemented by the store-backed worker; every write is fenced by the
/// job's lease (id, attempt, owner): after the lease is lost, writes throw and `shouldStop` is true.
public protocol JobContext: AnyObject, Sendable {
    var jobID: String { get }
    var tenant: String { get }
    /// 1 on the first claim; a re-claimed job (after a crash or expired lease) sees 2, 3, ...
    var attempt: Int { get }
    /// Compute threads this job may use, for BLAS and the engine's own parallel loops.
    var threads: Int { get }
    /// Becomes true when the job is asked to stop (cancel, pause, drain on SIGTERM, lost lease).
    /// Runners check it every step, save a checkpoint, and throw `JobError.stopped`.
    var shouldStop: Bool { get }

    /// Appends an event to the job's stream (seq assigned by the store). `level`: info | warn | error.
    func emit(type: String, message: String, data: JSONValue, level: String) throws
    /// Updates the job's visible progress (step, total steps, tokens seen).
    func progress(step: Int, totalSteps: Int?, tokens: Int?) throws

    /// Writes a checkpoint atomically: `write` fills a fresh temporary directory; the store fsyncs it,
    /// renames it into place, indexes it (with SHA-256 of its files) and applies retention. `privateFiles` name
    /// files the API must neither serve nor describe (size, hash): method state that is not a release.
    /// `pinned`: retention never prunes it (a replay anchor of a model: exact unlearning restarts from it).
    @discardableResult
    func saveCheckpoint(step: Int, metrics: [String: Double], privateFiles: Set<String>, pinned: Bool,
                        write: (URL) throws -> Void) throws -> CheckpointRef
    /// The newest checkpoint of this job (from this or an earlier attempt), to resume from.
    func latestCheckpoint() throws -> CheckpointRef?
    /// Any checkpoint readable by this tenant (e.g. the model a deletion request must edit).
    func checkpoint(id: String) throws -> CheckpointRef?
    /// The newest checkpoint of another job of this tenant (a model named by its job id); nil when it has none.
    func latestCheckpoint(ofJob id: String) throws -> CheckpointRef?

    /// The live (not tombstoned) documents of a dataset of this tenant, in stable id order.
    func documents(dataset: String) throws -> [Document]
    /// The live preference pairs of a dataset of this tenant, in stable id order.
    func preferencePairs(dataset: String) throws -> [PreferencePair]
    /// Records that this job's model was trained on these documents (lineage for deletion requests).
    func recordLineage(dataset: String, documentIDs: [String]) throws
    /// Records that this job's model starts from another job's model, so it carries that model's lineage too (a
    /// deletion request for a document the base was trained on lists this model as affected).
    func inheritLineage(fromJob id: String) throws

    /// Every document of a dataset of this tenant as uploaded, tombstoned ones included, in the order of
    /// `documents(dataset:)` (id order): what a training catalog that must not depend on later deletions is built
    /// from. nil where the context keeps no such record (local drivers).
    func documentCatalog(dataset: String) throws -> [DocumentRecord]?
    /// Lineage with the step at which each document was first read (`firstReads`: id → step).
    func recordLineage(dataset: String, firstReads: [String: Int]) throws
    /// Every retained checkpoint of a job of this tenant, newest step first ([] when unknown).
    func checkpoints(ofJob id: String) throws -> [CheckpointRef]
    /// Type, resolved params and seed of a job of this tenant (a model a replay must retrain exactly).
    func jobDefinition(id: String) throws -> JobDefinition?
    /// The recorded lineage of a model of this tenant (its root job and every version of it) in a dataset: the ids
    /// of the documents it was trained on (tombstoned ones included; [] when unknown).
    func modelLineage(root: String, dataset: String) throws -> Set<String>
    /// The number of the version of model `root` (a job of this tenant) that this job releases: one past
    /// `rootVersion` (the root's own number) and every number already reserved for the model, kept for this job
    /// across resumes. Unique per model, whether the job was queued by a deletion request or submitted directly.
    func reserveModelVersion(root: String, rootVersion: Int) throws -> Int
}

/// One document of a dataset as uploaded: `bytes` is the UTF-8 length of its text (kept after a deletion purges
/// the text; nil where it was purged before lengths were kept).
public struct DocumentRecord: Sendable, Hashable, Codable {
    public var id: String
    public var domain: String
    public var bytes: Int?
    public var tombstoned: Bool
    public init(id: String, domain: String, bytes: Int?, tombstoned: Bool) {
        self.id = id; self.domain = domain; self.bytes = bytes; self.tombstoned = tombstoned
    }
}

/// A job as submitted: its type, its resolved params and its seed.
public struct JobDefinition: Sendable, Hashable {
    public var id: String
    public var type: String
    public var params: JSONValue
    public var seed: UInt64
    public init(id: String, type: String, params: JSONValue, seed: UInt64) {
        self.id = id; self.type = type; self.params = params; self.seed = seed
    }
}

extension JobContext {
    /// Contexts without a store of jobs (local experiment drivers) know no other job.
    public func latestCheckpoint(ofJob id: String) throws -> CheckpointRef? { nil }
    /// … and keep no lineage of other jobs.
    public func inheritLineage(fromJob id: String) throws {}
    public func documentCatalog(dataset: String) throws -> [DocumentRecord]? { nil }
    public func recordLineage(dataset: String, firstReads: [String: Int]) throws {
        try recordLineage(dataset: dataset, documentIDs: firstReads.keys.sorted())
    }
    public func checkpoints(ofJob id: String) throws -> [CheckpointRef] { [] }
    public func jobDefinition(id: String) throws -> JobDefinition? { nil }
    public func modelLineage(root: String, dataset: String) throws -> Set<String> { [] }

    /// A checkpoint retention may prune.
    @discardableResult
    public func saveCheckpoint(step: Int, metrics: [String: Double], privateFiles: Set<String>,
                               write: (URL) throws -> Void) throws -> CheckpointRef {
        try saveCheckpoint(step: step, metrics: metrics, privateFiles: privateFiles, pinned: false, write: write)
    }

    /// A model named by a checkpoint id or by a job id (its newest checkpoint).
    public func model(_ id: String) throws -> CheckpointRef? {
        id.hasPrefix("job_") ? try latestCheckpoint(ofJob: id) : try checkpoint(id: id)
    }

    /// A checkpoint all of whose files are public.
    @discardableResult
    public func saveCheckpoint(step: Int, metrics: [String: Double], write: (URL) throws -> Void) throws -> CheckpointRef {
        try saveCheckpoint(step: step, metrics: metrics, privateFiles: [], pinned: false, write: write)
    }

    public func emit(_ type: String, _ message: String = "", data: JSONValue = .null) throws {
        try emit(type: type, message: message, data: data, level: "info")
    }
    /// Emits a `metrics` event: `{"step": step, ...values}`.
    public func metrics(step: Int, _ values: [String: Double]) throws {
        var o: [String: JSONValue] = ["step": .number(Double(step))]
        for (k, v) in values { o[k] = v.isFinite ? .number(v) : .null }
        try emit(type: "metrics", message: "", data: .object(o), level: "info")
    }
}

/// A checkpoint on disk: an immutable directory of files (safetensors, state.json, tokenizer.json, ...).
public struct CheckpointRef: Sendable, Hashable, Codable {
    public var id: String
    public var jobID: String
    public var step: Int
    public var directory: URL
    public var metrics: [String: Double]
    public init(id: String, jobID: String, step: Int, directory: URL, metrics: [String: Double]) {
        self.id = id; self.jobID = jobID; self.step = step; self.directory = directory; self.metrics = metrics
    }
}

/// A preference pair: `{id, prompt, chosen, rejected}`.
public struct PreferencePair: Sendable, Hashable, Codable {
    public var id: String
    public var prompt: String
    public var chosen: String
    public var rejected: String
    public init(id: String, prompt: String, chosen: String, rejected: String) {
        self.id = id; self.prompt = prompt; self.chosen = chosen; self.rejected = rejected
    }
}
