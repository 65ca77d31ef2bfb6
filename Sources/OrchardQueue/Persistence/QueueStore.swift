import Foundation
import OrchardCorpus
import OrchardJobs

// The queue seam: what the HTTP routes and the worker runtime need from persistence. The SQLite store
// (OrchardStore, the embedded default) implements every protocol; a second back end (PostgreSQL) implements
// the same ones and runs the same store test suite. Every worker write takes the job's `Lease` and is fenced:
// it succeeds only while (job id, attempt, owner) is the job's current lease, else throws `StoreError.leaseLost`.

/// Jobs, leases, heartbeats and fencing.
public protocol JobQueue: Sendable {
    /// Queues a job; an `Idempotency-Key` already used by the tenant returns the original job (`replayed`)
    /// for the same body and throws `idempotencyMismatch` for another.
    func submit(_ s: JobSubmission) throws -> (job: Job, replayed: Bool)
    /// The job if it belongs to `tenant` (nil: any tenant, for workers).
    func job(id: String, tenant: String?) throws -> Job?
    func listJobs(_ q: JobListQuery) throws -> (jobs: [Job], hasMore: Bool)
    /// Unfinished jobs per status (queued, running, paused): the gauge `orchard_queue_depth{status}`.
    func queueDepth() throws -> [JobStatus: Int]
    /// cancel | pause | resume, idempotent; an impossible transition throws `invalidTransition`.
    func perform(_ action: JobAction, jobID: String, tenant: String) throws -> Job
    /// Claims up to `limit` runnable jobs of `types` atomically, each with a lease and attempt + 1. Only jobs of the
    /// local back end: a job of another back end runs only where that back end put it (`BackendDispatchStore`).
    func claim(owner: String, types: [String], leaseMillis: Int64, limit: Int) throws -> [ClaimedJob]
    /// Extends the lease and reports stop requests.
    func heartbeat(_ lease: Lease, leaseMillis: Int64) throws -> JobControl
    func control(_ lease: Lease) throws -> JobControl
    func updateProgress(_ lease: Lease, step: Int, totalSteps: Int?, tokens: Int?) throws
    /// Succeeded with `result`; returns the job's wall time in seconds.
    func complete(_ lease: Lease, result: JSONValue) throws -> Double
    /// Failed permanently; returns the wall time.
    func fail(_ lease: Lease, failure: JobFailure) throws -> Double
    /// Re-queues with backoff, or fails after `max_attempts`; true when it will retry.
    func retryOrFail(_ lease: Lease, failure: JobFailure) throws -> Bool
    /// The backoff before the retry that follows `attempt`: base · 2^(attempt−1), capped, ± jitter.
    func retryDelayMillis(attempt: Int) -> Int64
    /// The runner stopped on request: cancelled, paused or re-queued (drain), as requested.
    func stopped(_ lease: Lease) throws -> StopOutcome
    /// Gives the job back to the queue without using an attempt's outcome (drain timeout); a job whose cancel was
    /// requested ends `cancelled` instead.
    func release(_ lease: Lease) throws
    /// Re-queues (or fails) jobs whose lease expired or whose owner `isDead`; one whose cancel was requested ends
    /// `cancelled`. Returns how many.
    func reapExpiredLeases(isDead: (String) -> Bool) throws -> Int
    /// Replaces a finished job's stored params (redaction of data that must not outlive the job).
    func replaceParams(jobID: String, params: JSONValue) throws
}

/// Each job's append-only event stream (seq 1, 2, 3, … without gaps).
public protocol JobEventLog: Sendable {
    /// A worker's event, fenced by its lease; returns the seq.
    @discardableResult
    func appendEvent(lease: Lease, type: String, level: String, message: String, data: JSONValue) throws -> Int
    func events(jobID: String, tenant: String, after: Int, limit: Int) throws -> (events: [JobEvent], status: JobStatus, hasMore: Bool)
}

/// The index of checkpoints; their files live in `checkpointStorage`.
public protocol CheckpointCatalog: Sendable {
    var checkpointStorage: any CheckpointStorage { get }
    /// Indexes a published checkpoint (fenced), points the job at it and applies retention; returns the
    /// storage paths of pruned checkpoints (the caller removes their files).
    /// `pinned`: never pruned by retention (a model's replay anchor).
    func indexCheckpoint(lease: Lease, id: String, step: Int, metrics: [String: Double], files: [CheckpointFile],
                         path: String, pinned: Bool) throws -> (Checkpoint, pruned: [String])
    func checkpoints(jobID: String, tenant: String) throws -> [Checkpoint]
    func latestCheckpoint(jobID: String) throws -> Checkpoint?
    /// A checkpoint of this tenant (nil: any).
    func checkpoint(id: String, tenant: String?) throws -> Checkpoint?
}

extension CheckpointCatalog {
    public func indexCheckpoint(lease: Lease, id: String, step: Int, metrics: [String: Double], files: [CheckpointFile],
                                path: String) throws -> (Checkpoint, pruned: [String]) {
        try indexCheckpoint(lease: lease, id: id, step: step, metrics: metrics, files: files, path: path, pinned: false)
    }
    /// The absolute directory of a checkpoint.
    public func directory(of checkpoint: Checkpoint) -> URL { checkpointStorage.url(of: checkpoint.path) }
    public func reference(_ c: Checkpoint) -> CheckpointRef {
        CheckpointRef(id: c.id, jobID: c.jobID, step: c.step, directory: directory(of: c), metrics: c.metrics)
    }
}

/// Datasets, their documents and preference pairs, lineage and tombstones.
public protocol DatasetCatalog: Sendable {
    /// Stores a validated upload; with `maxTenantBytes`, refuses it (`limitExceeded(.maxDatasetBytes)`) when the
    /// tenant's stored bytes would exceed it, checked in the same transaction.
    func createDataset(tenant: String, name: String, from upload: DatasetImport, sha256: String, maxTenantBytes: Int64?) throws -> Dataset
    /// Bytes (as uploaded) of the tenant's stored datasets.
    func datasetBytes(tenant: String) throws -> Int64
    func dataset(id: String, tenant: String) throws -> Dataset?
    func listDatasets(tenant: String, after: String?, limit: Int) throws -> (datasets: [Dataset], hasMore: Bool)
    /// Live (not tombstoned) records, in stable id order.
    func liveDocuments(dataset: String, tenant: String) throws -> [Document]
    func livePreferencePairs(dataset: String, tenant: String) throws -> [PreferencePair]
    /// Every document of the dataset as uploaded (tombstoned ones with their kept byte length), in id order.
    func documentCatalog(dataset: String, tenant: String) throws -> [DocumentRecord]
    /// Records (fenced) that the job trained on these documents, with the step of each first read where known
    /// (`firstReads[id]`, nil: unknown). An unlearning job queued by a deletion request records under its model's root.
    func recordLineage(_ lease: Lease, dataset: String, firstReads: [String: Int?]) throws
    /// One page of a job's lineage in (dataset, document id) order, after `after` = "dataset/document".
    func lineagePage(jobID: String, tenant: String, after: String?, limit: Int) throws -> (entries: [LineageEntry], hasMore: Bool)
    /// Records (fenced) that the job's model also carries everything another job's model was trained on (a model
    /// trained from that job's checkpoint, e.g. DPO on a pretrained GPT).
    func inheritLineage(_ lease: Lease, fromJob: String) throws
    func jobsTrained(onDataset dataset: String, documentIDs: [String]) throws -> [String]
    /// The documents of `dataset` in a model's lineage: rows of its root job and of every version job recorded under it.
    func modelLineage(root: String, dataset: String) throws -> Set<String>
    /// Deletes what `policy` lets go of at `nowMillis` (events and jobs; see `RetentionPolicy`) in one transaction and
    /// returns the storage paths of the deleted checkpoints, whose files the caller removes.
    func applyRetention(_ policy: RetentionPolicy, nowMillis: Int64) throws -> RetentionReport
    /// Storage paths of every indexed checkpoint (purged ones included).
    func indexedCheckpointPaths() throws -> Set<String>
    /// Reserves (fenced) the number of the version of model `root` that the job will release: one past `rootVersion`
    /// and every number reserved for the model so far; the job's earlier reservation when it has one (a resume).
    /// Numbers are unique per model and increase in reservation order; a failed job's number is not reused.
    func reserveModelVersion(_ lease: Lease, root: String, rootVersion: Int) throws -> Int
    /// The model a job's checkpoints belong to: the root of the model it released a version of (a version number
    /// reserved by it), else the job itself.
    func modelRoot(ofJob job: String) throws -> String
    /// A model's current version as deletion request `request` sees it (`CurrentModelVersion`).
    func currentModelVersion(root: String, request: String) throws -> CurrentModelVersion
    func lineage(jobID: String) throws -> [(dataset: String, documentID: String)]
    /// Tombstones records; returns the ids that were live.
    @discardableResult
    func tombstone(dataset: String, tenant: String, ids: [String]) throws -> [String]
}

extension DeletionRequestStore {
    public func createDeletionRequest(tenant: String, dataset: String, documentIDs: [String], reason: String, mode: String,
                                      idempotencyKey: String?, fingerprint: String?,
                                      unlearnable: Set<String>) throws -> (DeletionRequest, replayed: Bool) {
        try createDeletionRequest(tenant: tenant, dataset: dataset, documentIDs: documentIDs, reason: reason, mode: mode, options: nil,
                                  idempotencyKey: idempotencyKey, fingerprint: fingerprint, unlearnable: unlearnable)
    }
}

extension DatasetCatalog {
    public func recordLineage(_ lease: Lease, dataset: String, documentIDs: [String]) throws {
        try recordLineage(lease, dataset: dataset, firstReads: Dictionary(documentIDs.map { ($0, Int?.none) }, uniquingKeysWith: { a, _ in a }))
    }
}

/// A document a job's model was trained on, with the step of its first read (nil: not recorded).
public struct LineageEntry: Sendable, Hashable {
    public var dataset: String
    public var documentID: String
    public var firstStep: Int?
    public init(dataset: String, documentID: String, firstStep: Int?) {
        self.dataset = dataset; self.documentID = documentID; self.firstStep = firstStep
    }
}

/// Deletion requests: filing (tombstone + affected models from lineage), the timeline, and the conditional
/// writes the `DeletionCoordinator` advances them with.
public protocol DeletionRequestStore: Sendable {
    /// `options`: approximate mode's method, hyperparameters and forget-quality bar (validated by the API).
    /// `mode` nil: the tenant's deletion policy, read in the same transaction (its options replace `options`).
    func createDeletionRequest(tenant: String, dataset: String, documentIDs: [String], reason: String, mode: String?,
                               options: JSONValue?, idempotencyKey: String?, fingerprint: String?,
                               unlearnable: Set<String>) throws -> (DeletionRequest, replayed: Bool)
    func deletionRequest(id: String, tenant: String) throws -> DeletionRequest?
    func listDeletionRequests(tenant: String, after: String?, limit: Int) throws -> (requests: [DeletionRequest], hasMore: Bool)
    func deletionEvents(id: String, tenant: String, after: Int, limit: Int) throws -> (events: [DeletionEvent], hasMore: Bool)
    func openDeletionRequestIDs() throws -> [String]
    func deletionProgress(id: String) throws -> DeletionProgress?
    /// Queues the model's unlearning job through the common insert path unless the snapshot is stale; `{job}` in
    /// the note's message is replaced by the new job's id. Returns the job id, or nil.
    func queueUnlearning(request: String, model: String, inputCheckpoint: String, submission: JobSubmission,
                         note: DeletionNote) throws -> String?
    @discardableResult
    func recordUnlearningEnd(request: String, model: String, jobID: String, end: ModelUnlearningEnd, redactedParams: JSONValue?) throws -> Bool
    func skipModel(request: String, model: String, note: DeletionNote) throws
    /// Marks a waiting model as failed without an unlearning job (nothing exact can be made of it), once.
    func failModel(request: String, model: String, note: DeletionNote) throws
    func markDeletionRunning(id: String) throws
    func finishDeletionRequest(id: String, failed: Bool, receipt: JSONValue, error: JSONValue?) throws
    /// The tenant's deletion policy (`DeletionPolicy.serviceDefault` when it set none).
    func deletionPolicy(tenant: String) throws -> DeletionPolicy
    /// Replaces the tenant's deletion policy (mode and options validated by the API); applies to requests filed after.
    func setDeletionPolicy(tenant: String, mode: String, options: JSONValue?) throws -> DeletionPolicy
}

/// Bearer API keys, stored hashed.
public protocol APIKeyStore: Sendable {
    /// A new key for `tenant` (shown once).
    func createAPIKey(tenant: String, limits: TenantLimits) throws -> String
    /// The tenant and the limits of a bearer key, or nil.
    func identity(forAPIKey key: String) throws -> APIKeyIdentity?
}

/// Everything the service persists: one value the routes and the worker runtime hold.
public protocol QueueStore: JobQueue, JobEventLog, CheckpointCatalog, DatasetCatalog, DeletionRequestStore, APIKeyStore,
                            BackendDispatchStore {
    /// The store's clock (milliseconds since 1970; injectable in tests).
    var clock: any StoreClock { get }
    /// The database answers and its schema is current (`/readyz`).
    func isReady() -> Bool
    /// Runs blocking store work off the caller's executor (never on NIO threads or the cooperative pool).
    func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T
    /// Runs `body`, a read of one row by its key (`job(id:tenant:)`), where it is cheapest. A back end whose point
    /// reads never wait (SQLite in WAL mode: a reader waits on no writer, and the row comes from the page cache in
    /// microseconds) runs it on the caller's thread, which saves two thread hops per request; one that may wait on
    /// the network or on locks offloads it (the default).
    func pointRead<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T
}

extension QueueStore {
    public func pointRead<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T { try await offload(body) }
}

extension JobQueue {
    public func claim(owner: String, types: [String], leaseMillis: Int64) throws -> [ClaimedJob] {
        try claim(owner: owner, types: types, leaseMillis: leaseMillis, limit: 1)
    }
    public func reapExpiredLeases() throws -> Int { try reapExpiredLeases(isDead: { _ in false }) }
}

/// How API keys are stored: only their SHA-256 (hex), never the key.
public enum APIKeyHash {
    public static func of(_ key: String) -> String { Fingerprint.sha256(Data(key.utf8)) }
}

extension QueueStore {
    /// Stores a validated upload with no storage limit.
    public func createDataset(tenant: String, name: String, from upload: DatasetImport, sha256: String) throws -> Dataset {
        try createDataset(tenant: tenant, name: name, from: upload, sha256: sha256, maxTenantBytes: nil)
    }

    /// A key whose limits are all the server's defaults.
    public func createAPIKey(tenant: String) throws -> String { try createAPIKey(tenant: tenant, limits: TenantLimits()) }
}
