import Foundation
import GRDB
import OrchardJobs
import OrchardQueue
import Testing
@testable import OrchardStore

@Suite struct DatasetTests {
    func importing(_ text: String, chunk: Int = 7, kind: DatasetKind? = nil) throws -> (DatasetImport, String) {
        var imp = DatasetImport(expectedKind: kind)
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count { try imp.feed(bytes[i..<min(bytes.count, i + chunk)]); i += chunk }
        let sha = try imp.finish()
        return (imp, sha)
    }

    /// The `param` of the error an upload of `text` gets, validated as it streams and then stored (a repeated id is
    /// found by the store's primary key); nil when it is stored.
    func lineError(_ backend: StoreBackend, _ text: String, kind: DatasetKind? = nil) -> String? {
        do {
            let (imp, sha) = try importing(text, kind: kind)
            _ = try makeStore(backend).createDataset(tenant: "acme", name: "d", from: imp, sha256: sha)
            return nil
        } catch StoreError.invalid(let param, _) { return param } catch { return "\(error)" }
    }

    @Test(arguments: StoreBackend.all) func documentsImportWithCountsPerDomainAndStableIDs(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let text = """
        {"id":"b","domain":"web","text":"second"}
        {"id":"a","domain":"code","text":"first"}\r
        
        {"id":"c","domain":"web","text":"third \\u00e9"}
        """
        let (imp, sha) = try importing(text)
        let ds = try store.createDataset(tenant: "acme", name: "mix", from: imp, sha256: sha)
        #expect(ds.kind == .documents && ds.recordCount == 3 && ds.domains == ["web": 2, "code": 1])
        #expect(ds.sha256 == Fingerprint.sha256(Data(text.utf8)))
        #expect(try store.liveDocuments(dataset: ds.id, tenant: "acme").map(\.id) == ["a", "b", "c"])
        #expect(try store.liveDocuments(dataset: ds.id, tenant: "acme")[2].text == "third é")
        #expect(try store.dataset(id: ds.id, tenant: "other") == nil)
        #expect(throws: JobError.self) { try store.liveDocuments(dataset: ds.id, tenant: "other") }
        #expect(throws: JobError.self) { try store.livePreferencePairs(dataset: ds.id, tenant: "acme") }
    }

    @Test(arguments: StoreBackend.all) func tombstonedDocumentsNeverComeBack(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let (imp, sha) = try importing(#"{"id":"a","domain":"x","text":"1"}"# + "\n" + #"{"id":"b","domain":"y","text":"2"}"#)
        let ds = try store.createDataset(tenant: "acme", name: "d", from: imp, sha256: sha)
        #expect(try store.tombstone(dataset: ds.id, tenant: "acme", ids: ["a", "zz"]) == ["a"])
        #expect(try store.tombstone(dataset: ds.id, tenant: "acme", ids: ["a"]).isEmpty)
        #expect(try store.liveDocuments(dataset: ds.id, tenant: "acme").map(\.id) == ["b"])
        let after = try #require(try store.dataset(id: ds.id, tenant: "acme"))
        #expect(after.recordCount == 2 && after.liveCount == 1 && after.domains == ["y": 1])
    }

    @Test(arguments: StoreBackend.all) func preferencePairsImportAndGetContentIDsWhenUnnamed(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let (imp, sha) = try importing("""
        {"id":"p1","prompt":"q","chosen":"good","rejected":"bad"}
        {"prompt":"q2","chosen":"g","rejected":"b"}
        """, kind: .preferencePairs)
        let ds = try store.createDataset(tenant: "acme", name: "prefs", from: imp, sha256: sha)
        let pairs = try store.livePreferencePairs(dataset: ds.id, tenant: "acme")
        #expect(ds.kind == .preferencePairs && pairs.count == 2 && pairs.contains { $0.id == "p1" })
        #expect(pairs.first { $0.id != "p1" }!.id.hasPrefix("pair_"))
    }

    /// Records wait in a spool file, not in memory, and come back in upload order; a repeated id (here a pair whose
    /// content id repeats) rolls the whole dataset back.
    @Test(arguments: StoreBackend.all) func recordsAreSpooledAndARepeatedIDStoresNothing(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let lines = (0..<5000).map { #"{"id":"d\#($0)","domain":"x","text":"\#(String(repeating: "t", count: $0 % 700 + 1))"}"# }
        let (imp, sha) = try importing(lines.joined(separator: "\n"), chunk: 4093)
        let ds = try store.createDataset(tenant: "acme", name: "big", from: imp, sha256: sha)
        let docs = try store.liveDocuments(dataset: ds.id, tenant: "acme")
        #expect(docs.count == 5000 && ds.recordCount == 5000)
        #expect(docs.first { $0.id == "d4321" }?.text.count == 4321 % 700 + 1)
        let pairs = """
        {"prompt":"q","chosen":"a","rejected":"b"}
        {"prompt":"q2","chosen":"a","rejected":"b"}
        {"prompt":"q","chosen":"a","rejected":"b"}
        """
        let (dup, dupSHA) = try importing(pairs, kind: .preferencePairs)
        do {
            _ = try store.createDataset(tenant: "acme", name: "dup", from: dup, sha256: dupSHA)
            Issue.record("a repeated pair was stored")
        } catch StoreError.invalid(let param, let message) {
            #expect(param == "line 3" && message.contains("duplicate id"), "\(message)")
        }
        #expect(try store.listDatasets(tenant: "acme", after: nil, limit: 10).datasets.map(\.name) == ["big"])
    }

    @Test(arguments: StoreBackend.all) func everyBadLineIsReportedByNumber(_ backend: StoreBackend) {
        let ok = #"{"id":"a","domain":"x","text":"t"}"#
        #expect(lineError(backend, ok + "\n" + "{not json") == "line 2")
        #expect(lineError(backend, ok + "\n" + #"{"id":"a","domain":"x","text":"again"}"#) == "line 2")
        #expect(lineError(backend, ok + "\n\n" + #"{"id":"b","domain":"x"}"#) == "line 3")
        #expect(lineError(backend, #"{"id":"b","domain":"x","text":"t","extra":1}"#) == "line 1")
        #expect(lineError(backend, #"{"id":5,"domain":"x","text":"t"}"#) == "line 1")
        #expect(lineError(backend, #"{"id":"b","domain":"","text":"t"}"#) == "line 1")
        #expect(lineError(backend, "[1,2]") == "line 1")
        #expect(lineError(backend, ok + "\n" + #"{"prompt":"p","chosen":"c","rejected":"r"}"#) == "line 2")
        #expect(lineError(backend, ok, kind: .preferencePairs) == "line 1")
        #expect(lineError(backend, "\n\n") == "body")
        #expect(lineError(backend, String(decoding: [0x7B, 0xFF, 0x7D], as: UTF8.self)) != nil)
    }

    @Test func invalidUTF8IsALineError() {
        var imp = DatasetImport()
        #expect(throws: StoreError.invalid(param: "line 1", message: "line 1: not valid UTF-8")) {
            try imp.feed([0x7B, 0xFF, 0x7D, 0x0A])
        }
    }

    @Test(arguments: StoreBackend.all) func lineageIsRecordedPerJob(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        _ = try store.submit(submission())
        let c = try #require(try store.claim(owner: "w", types: ["test_counter"], leaseMillis: 60_000).first)
        let ctx = QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1)
        try ctx.recordLineage(dataset: "ds_1", documentIDs: ["a", "b", "a"])
        #expect(try store.lineage(jobID: c.job.id).map(\.documentID) == ["a", "b"])
        #expect(try store.jobsTrained(onDataset: "ds_1", documentIDs: ["b"]) == [c.job.id])
    }

    @Test(arguments: StoreBackend.all) func apiKeysAreStoredHashed(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let key = try store.createAPIKey(tenant: "acme")
        #expect(try store.identity(forAPIKey: key) == APIKeyIdentity(tenant: "acme", limits: TenantLimits()))
        #expect(try store.identity(forAPIKey: key + "x") == nil)
        let limited = try store.createAPIKey(tenant: "acme", limits: TenantLimits(requestsPerSecond: 2.5, maxQueuedJobs: 3, maxDatasetBytes: 1 << 30))
        #expect(try store.identity(forAPIKey: limited)?.limits == TenantLimits(requestsPerSecond: 2.5, maxQueuedJobs: 3, maxDatasetBytes: 1 << 30))
        #expect(throws: StoreError.self) { try store.createAPIKey(tenant: "acme", limits: TenantLimits(maxQueuedJobs: 0)) }
        let stored = try inspect(store, "SELECT key_hash FROM api_keys").compactMap { $0 }
        #expect(Set(stored) == [APIKeyHash.of(key), APIKeyHash.of(limited)] && !stored.contains(key))
        #expect(throws: StoreError.self) { try store.createAPIKey(tenant: "  ") }
    }
}
