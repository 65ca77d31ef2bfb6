import Foundation
import GRDB
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import Testing
@testable import OrchardStore

/// The deletion-request state machine on a real store, with a job type that has no unlearning method.
@Suite struct DeletionRequestStoreTests {
    func dataset(_ store: any QueueStore) throws -> Dataset {
        var imp = DatasetImport(expectedKind: nil)
        try imp.feed(Array("""
        {"id":"a","domain":"x","text":"alpha text"}
        {"id":"b","domain":"y","text":"beta text"}
        {"id":"c","domain":"y","text":"gamma text"}
        """.utf8)[...])
        let sha = try imp.finish()
        return try store.createDataset(tenant: "acme", name: "d", from: imp, sha256: sha)
    }

    /// A request that names no mode takes its tenant's policy as it stands when it is filed; a named mode wins.
    @Test(arguments: StoreBackend.all) func requestsWithoutAModeRunTheirTenantsPolicy(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let ds = try dataset(store)
        #expect(try store.deletionPolicy(tenant: "acme") == .serviceDefault)
        let first = try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["a"], reason: "r", mode: nil, options: nil,
                                                    idempotencyKey: nil, fingerprint: nil, unlearnable: []).0
        #expect(first.mode == "exact" && first.modeSource == "default" && first.options == nil)
        let options: JSONValue = ["method": "ga", "bar": ["max_utility_loss_increase": 0.5]]
        let policy = try store.setDeletionPolicy(tenant: "acme", mode: "approximate", options: options)
        #expect(policy.mode == "approximate" && policy.options == options && policy.updatedAt != nil)
        #expect(try store.deletionPolicy(tenant: "globex") == .serviceDefault, "a policy is the tenant's own")
        let second = try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["b"], reason: "r", mode: nil, options: nil,
                                                     idempotencyKey: nil, fingerprint: nil, unlearnable: []).0
        #expect(second.mode == "approximate" && second.modeSource == "tenant_policy" && second.options == options)
        let third = try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["c"], reason: "r", mode: "certified", options: nil,
                                                    idempotencyKey: nil, fingerprint: nil, unlearnable: []).0
        #expect(third.mode == "certified" && third.modeSource == "request" && third.options == nil)
        // Filed requests keep their mode when the policy changes.
        _ = try store.setDeletionPolicy(tenant: "acme", mode: "exact", options: nil)
        let reread = try #require(try store.deletionRequest(id: second.id, tenant: "acme"))
        #expect(reread.mode == "approximate" && reread.modeSource == "tenant_policy" && reread.options == options)
        #expect(try store.deletionPolicy(tenant: "acme").mode == "exact")
    }

    @Test(arguments: StoreBackend.all) func unsupportedModelsAreListedAndTheRequestCompletesWithAReceiptAndPurgedText(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let ds = try dataset(store)
        _ = try store.submit(submission())
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 60_000).first)
        let ctx = QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1)
        try ctx.recordLineage(dataset: ds.id, documentIDs: ["a", "b", "c"])
        _ = try store.complete(c.lease, result: ["ok": true])

        let (req, replayed) = try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["b"], reason: "erasure",
                                                             mode: "exact", idempotencyKey: "k", fingerprint: "f", unlearnable: [])
        #expect(!replayed && req.status == .pending && req.actions.map(\.action) == ["unsupported"])
        #expect(try store.liveDocuments(dataset: ds.id, tenant: "acme").map(\.id) == ["a", "c"])
        // Idempotency: same key + fingerprint replays; another fingerprint is a conflict.
        #expect(try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["b"], reason: "erasure", mode: "exact",
                                                idempotencyKey: "k", fingerprint: "f", unlearnable: []).0.id == req.id)
        #expect(throws: StoreError.idempotencyMismatch(key: "k")) {
            try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["c"], reason: "erasure", mode: "exact",
                                            idempotencyKey: "k", fingerprint: "g", unlearnable: [])
        }
        // Bad input: unknown and already deleted ids name their position; another tenant's dataset is not found.
        #expect(throws: StoreError.invalid(param: "document_ids[1]", message: "document zz is not in dataset \(ds.id)")) {
            try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["a", "zz"], reason: "r", mode: "exact",
                                            idempotencyKey: nil, fingerprint: nil, unlearnable: [])
        }
        #expect(throws: StoreError.self) {
            try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["b"], reason: "r", mode: "exact",
                                            idempotencyKey: nil, fingerprint: nil, unlearnable: [])
        }
        #expect(throws: StoreError.notFound(kind: "dataset", id: ds.id)) {
            try store.createDeletionRequest(tenant: "globex", dataset: ds.id, documentIDs: ["a"], reason: "r", mode: "exact",
                                            idempotencyKey: nil, fingerprint: nil, unlearnable: [])
        }
        #expect(try store.liveDocuments(dataset: ds.id, tenant: "acme").map(\.id) == ["a", "c"])

        let coordinator = DeletionCoordinator(store: store, registry: TestKinds.registry())
        #expect(try coordinator.advanceAll() == 1)
        #expect(try coordinator.advanceAll() == 0)   // idempotent: nothing left to do
        let done = try #require(try store.deletionRequest(id: req.id, tenant: "acme"))
        #expect(done.status == .completed && done.actions.first?.status == "skipped")
        let receipt = try #require(done.receipt)
        let manifest = try #require(receipt["manifest"])
        #expect(receipt["manifest_sha256"]?.stringValue == Fingerprint.sha256(manifest.canonicalData()))
        #expect(!String(decoding: manifest.canonicalData(), as: UTF8.self).contains("beta text"))
        #expect(manifest["documents"]?.arrayValue?.first?["content_sha256"]?.stringValue == Fingerprint.sha256(Data("beta text".utf8)))
        // Only hashes remain: the snapshot and the tombstoned row lost their text.
        let snapshot = try inspect(store, "SELECT text FROM deletion_request_documents WHERE request_id = ?", [req.id])
        #expect(!snapshot.isEmpty && snapshot.allSatisfy { $0 == nil })
        #expect(try inspect(store, "SELECT text FROM documents WHERE dataset_id = ? AND id = 'b'", [ds.id]) == [""])
        let events = try store.deletionEvents(id: req.id, tenant: "acme", after: 0, limit: 100).events.map(\.type)
        #expect(events == ["created", "tombstoned", "affected_model_unsupported", "status", "status"])
        #expect(try store.deletionRequest(id: req.id, tenant: "globex") == nil)
        #expect(try store.listDeletionRequests(tenant: "acme", after: nil, limit: 10).requests.map(\.id) == [req.id])
    }

    /// What a derived model's unlearning reads of its parent (both stores): the model a version job belongs to, the
    /// parent's current version and whether its unlearning is still open, and lineage inherited from a version job
    /// (the whole model's, not the version job's own rows).
    @Test(arguments: StoreBackend.all) func derivedModelsFindTheirParentsModelAndCurrentVersion(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let ds = try dataset(store)
        func run(_ body: (QueueJobContext) throws -> Void) throws -> String {
            let id = try store.submit(submission()).job.id
            let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 60_000).first { $0.job.id == id })
            try body(QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1))
            _ = try store.complete(c.lease, result: ["ok": true])
            return id
        }
        var saved = ""
        let parent = try run { ctx in
            try ctx.recordLineage(dataset: ds.id, documentIDs: ["a", "b"])
            saved = try ctx.saveCheckpoint(step: 3, metrics: [:], privateFiles: []) { try Data("w".utf8).write(to: $0.appendingPathComponent("w.bin")) }.id
        }
        #expect(try store.modelRoot(ofJob: parent) == parent)
        #expect(try store.currentModelVersion(root: parent, request: "dr_none") == CurrentModelVersion(checkpoint: saved, unlearningOpen: false))
        // A job that released a version of the parent belongs to the parent's model.
        var reserved = 0
        let version = try run { ctx in reserved = try ctx.reserveModelVersion(root: parent, rootVersion: 1) }
        #expect(reserved == 2)
        #expect(try store.modelRoot(ofJob: version) == parent)
        // A model derived from that version inherits the parent model's lineage.
        let child = try run { ctx in try ctx.inheritLineage(fromJob: version) }
        #expect(Set(try store.lineage(jobID: child).map(\.documentID)) == ["a", "b"])
        #expect(try store.currentModelVersion(root: "job_missing", request: "dr_none") == CurrentModelVersion(checkpoint: nil, unlearningOpen: false))
        // A request on a document of both: the parent's unlearning is open until its action settles.
        let (req, _) = try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["a"], reason: "r", mode: "exact",
                                                       idempotencyKey: nil, fingerprint: nil, unlearnable: ["test_counter"])
        #expect(Set(req.actions.map(\.rootJob)) == [parent, child])
        #expect(try store.currentModelVersion(root: parent, request: req.id).unlearningOpen)
        // A job derived now (not by a deletion request) keeps the tombstoned document: the version it starts from may carry it.
        let later = try run { ctx in try ctx.inheritLineage(fromJob: version) }
        #expect(Set(try store.lineage(jobID: later).map(\.documentID)) == ["a", "b"])
        // A newer request waiting on the parent does not hold the older request's children; its own it does.
        let (newer, _) = try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["b"], reason: "r", mode: "exact",
                                                         idempotencyKey: nil, fingerprint: nil, unlearnable: ["test_counter"])
        try store.skipModel(request: req.id, model: parent, note: DeletionNote("model_skipped", "test"))
        #expect(try store.currentModelVersion(root: parent, request: req.id)
                == CurrentModelVersion(checkpoint: saved, unlearningOpen: false, carriesDeletedRecords: true), "the skipped request's document is still in it")
        #expect(try store.currentModelVersion(root: parent, request: newer.id).unlearningOpen)
        try store.failModel(request: newer.id, model: parent, note: DeletionNote("model_failed", "test"))
        #expect(try store.deletionRequest(id: newer.id, tenant: "acme")?.actions.first { $0.rootJob == parent }?.status == "failed")
    }

    /// A request on a preference-pair dataset: the pair is tombstoned, the models trained on it are listed, the receipt
    /// hashes the whole pair, and when the request ends the pair keeps no text (both stores).
    @Test(arguments: StoreBackend.all) func preferencePairsAreDeletedLikeDocuments(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        var imp = DatasetImport(expectedKind: nil)
        try imp.feed(Array("""
        {"id":"p1","prompt":"Say","chosen":" yes","rejected":" no"}
        {"id":"p2","prompt":"Go","chosen":" on","rejected":" off"}
        """.utf8)[...])
        let sha = try imp.finish()
        let ds = try store.createDataset(tenant: "acme", name: "pairs", from: imp, sha256: sha)
        _ = try store.submit(submission())
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 60_000).first)
        try QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1).recordLineage(dataset: ds.id, documentIDs: ["p1", "p2"])
        _ = try store.complete(c.lease, result: ["ok": true])

        let (req, _) = try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["p1"], reason: "erasure", mode: "exact",
                                                       idempotencyKey: nil, fingerprint: nil, unlearnable: [])
        #expect(req.actions.map(\.rootJob) == [c.job.id])
        #expect(try store.livePreferencePairs(dataset: ds.id, tenant: "acme").map(\.id) == ["p2"])
        #expect(try inspect(store, "SELECT text FROM deletion_request_documents WHERE request_id = ?", [req.id]) == ["Say yes"])
        #expect(throws: StoreError.invalid(param: "document_ids[0]", message: "document p1 was already deleted by an earlier request")) {
            try store.createDeletionRequest(tenant: "acme", dataset: ds.id, documentIDs: ["p1"], reason: "r", mode: "exact",
                                            idempotencyKey: nil, fingerprint: nil, unlearnable: [])
        }
        #expect(try DeletionCoordinator(store: store, registry: TestKinds.registry()).advanceAll() == 1)
        let done = try #require(try store.deletionRequest(id: req.id, tenant: "acme"))
        #expect(done.status == .completed)
        #expect(done.receipt?["manifest"]?["documents"]?.arrayValue?.first?["content_sha256"]?.stringValue == Fingerprint.sha256(Data("Say\n yes\n no".utf8)))
        #expect(try inspect(store, "SELECT prompt || chosen || rejected FROM preference_pairs WHERE dataset_id = ? ORDER BY id", [ds.id]) == ["", "Go on off"])
        #expect(try inspect(store, "SELECT text FROM deletion_request_documents WHERE request_id = ?", [req.id]) == [nil])
    }
}
