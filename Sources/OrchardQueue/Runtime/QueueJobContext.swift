import Foundation
import OrchardCorpus
import OrchardJobs

/// Why a running job was asked to stop.
public enum StopReason: String, Sendable {
    case requested   // cancel or pause from the API
    case draining    // graceful shutdown: checkpoint and go back to the queue
    case leaseLost   // another worker may own the job now: stop writing at once
}

/// The `JobContext` handed to a running job: every write goes to the queue store, fenced by the job's lease.
public final class QueueJobContext: JobContext, @unchecked Sendable {
    public let store: any QueueStore
    public let lease: Lease
    public let tenant: String
    public let threads: Int
    private let lock = NSLock()
    private var stopReasonValue: StopReason?

    public init(store: any QueueStore, lease: Lease, tenant: String, threads: Int) {
        self.store = store; self.lease = lease; self.tenant = tenant; self.threads = max(1, threads)
    }

    public var jobID: String { lease.jobID }
    public var attempt: Int { lease.attempt }
    public var shouldStop: Bool { lock.withLock { stopReasonValue != nil } }
    public var stopReason: StopReason? { lock.withLock { stopReasonValue } }

    /// Asks the runner to stop; the first reason wins, except that a lost lease overrides all.
    public func requestStop(_ reason: StopReason) {
        lock.withLock {
            if stopReasonValue == nil || reason == .leaseLost { stopReasonValue = reason }
        }
    }

    private func fenced<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch StoreError.leaseLost(let id) {
            requestStop(.leaseLost)
            throw StoreError.leaseLost(jobID: id)
        }
    }

    public func emit(type: String, message: String, data: JSONValue, level: String) throws {
        try fenced { _ = try store.appendEvent(lease: lease, type: type, level: level, message: message, data: data) }
    }

    public func progress(step: Int, totalSteps: Int?, tokens: Int?) throws {
        try fenced { try store.updateProgress(lease, step: step, totalSteps: totalSteps, tokens: tokens) }
    }

    @discardableResult
    public func saveCheckpoint(step: Int, metrics: [String: Double], privateFiles: Set<String>, pinned: Bool,
                               write: (URL) throws -> Void) throws -> CheckpointRef {
        if stopReason == .leaseLost { throw StoreError.leaseLost(jobID: jobID) }
        let id = Identifiers.make("ckpt")
        let storage = store.checkpointStorage
        let tmp = try storage.makeTemporaryDirectory(id: id)
        do {
            try write(tmp)
            let files = try storage.seal(tmp).map { f in
                var f = f
                f.isPrivate = privateFiles.contains(f.name)
                return f
            }
            let path = try storage.publish(tmp, jobID: jobID, id: id)
            do {
                let (saved, pruned) = try fenced {
                    try store.indexCheckpoint(lease: lease, id: id, step: step, metrics: metrics, files: files, path: path, pinned: pinned)
                }
                for p in pruned { storage.remove(path: p) }
                return store.reference(saved)
            } catch {
                storage.remove(path: path)
                throw error
            }
        } catch {
            storage.discard(tmp)
            throw CheckpointWriteFailure.classify(error, checkpoint: id)
        }
    }

    public func latestCheckpoint() throws -> CheckpointRef? {
        try store.latestCheckpoint(jobID: jobID).map(store.reference)
    }

    /// A purged checkpoint (its files deleted by a deletion request) fails the job permanently, naming the request.
    public func checkpoint(id: String) throws -> CheckpointRef? {
        try store.checkpoint(id: id, tenant: tenant).map(Self.live).map(store.reference)
    }

    public func latestCheckpoint(ofJob id: String) throws -> CheckpointRef? {
        guard try store.job(id: id, tenant: tenant) != nil else { return nil }
        return try store.latestCheckpoint(jobID: id).map(Self.live).map(store.reference)
    }

    static func live(_ c: Checkpoint) throws -> Checkpoint {
        guard let request = c.purgedBy else { return c }
        throw JobError.permanent(code: "checkpoint_purged", message: "checkpoint \(c.id) was purged by deletion request \(request): it carried deleted documents and a new version of its model superseded it")
    }

    public func documents(dataset: String) throws -> [Document] {
        try store.liveDocuments(dataset: dataset, tenant: tenant)
    }

    public func preferencePairs(dataset: String) throws -> [PreferencePair] {
        try store.livePreferencePairs(dataset: dataset, tenant: tenant)
    }

    public func inheritLineage(fromJob id: String) throws {
        try fenced { try store.inheritLineage(lease, fromJob: id) }
    }

    public func recordLineage(dataset: String, documentIDs: [String]) throws {
        try fenced { try store.recordLineage(lease, dataset: dataset, documentIDs: documentIDs) }
    }

    public func recordLineage(dataset: String, firstReads: [String: Int]) throws {
        try fenced { try store.recordLineage(lease, dataset: dataset, firstReads: firstReads.mapValues { Optional($0) }) }
    }

    public func documentCatalog(dataset: String) throws -> [DocumentRecord]? {
        try store.documentCatalog(dataset: dataset, tenant: tenant)
    }

    public func checkpoints(ofJob id: String) throws -> [CheckpointRef] {
        guard try store.job(id: id, tenant: tenant) != nil else { return [] }
        return try store.checkpoints(jobID: id, tenant: tenant).filter { $0.purgedBy == nil }.map(store.reference)
    }

    public func modelLineage(root: String, dataset: String) throws -> Set<String> {
        guard try store.job(id: root, tenant: tenant) != nil else { return [] }
        return try store.modelLineage(root: root, dataset: dataset)
    }

    public func reserveModelVersion(root: String, rootVersion: Int) throws -> Int {
        guard try store.job(id: root, tenant: tenant) != nil else { throw StoreError.notFound(kind: "job", id: root) }
        return try fenced { try store.reserveModelVersion(lease, root: root, rootVersion: rootVersion) }
    }

    public func jobDefinition(id: String) throws -> JobDefinition? {
        guard let j = try store.job(id: id, tenant: tenant) else { return nil }
        return JobDefinition(id: j.id, type: j.type, params: j.params, seed: j.seed)
    }
}
