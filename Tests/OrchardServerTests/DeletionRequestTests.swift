import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import OrchardCorpus
import OrchardJobs
import OrchardQueue
import OrchardMethods
import OrchardServer
import OrchardStore
import OrchardTestSupport
import Testing

/// Deletion requests end to end over a live loopback server: real dpkg-status text imported through
/// POST /v1/datasets, topic_model and topic_head jobs run by the worker pool, deletion requests driven to
/// completion by the unlearning jobs, and the results checked against retraining in the test.
@Suite(.serialized) struct DeletionRequestTests {
    /// The dpkg descriptions of the five largest Sections (label = Section), as dataset JSONL.
    static let corpus: [OrchardCorpus.Document] = {
        let all = (try? DebianStatusCorpus.load()) ?? []
        var counts: [String: Int] = [:]
        for d in all { counts[d.domain, default: 0] += 1 }
        let top = Set(counts.filter { !$0.key.isEmpty }.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(5).map(\.key))
        return all.filter { top.contains($0.domain) }
    }()

    static var jsonl: String {
        corpus.map { d in String(decoding: JSONValue.object(["id": .string(d.id), "domain": .string(d.domain), "text": .string(d.text)]).canonicalData(), as: UTF8.self) }
            .joined(separator: "\n")
    }

    /// A server that also runs the topic-model job kinds (besides the test-only ones, among them the
    /// `test_memorizer` family: a second unlearnable family).
    static func server() throws -> TestServer {
        try TestServer(workers: 1, kinds: { $0.register(TopicModelKind()); $0.register(TopicHeadKind()) })
    }

    func submitJob(_ client: some TestClientProtocol, _ s: TestServer, type: String, params: JSONValue, seed: Int? = nil,
                   timeout: Duration = .seconds(300)) async throws -> JSONValue {
        var request: JSONValue = ["type": .string(type), "params": params]
        if let seed { request = .object(request.objectValue!.merging(["seed": .number(Double(seed))]) { $1 }) }
        let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(), body: body(request))
        #expect(r.status == .created, "\(type): \(json(r.body))")
        let id = try #require(json(r.body)["id"]?.stringValue)
        var job: JSONValue = .null
        let done = try await eventually(timeout: timeout) {
            job = json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: s.auth()).body)
            return ["succeeded", "failed", "cancelled"].contains(job["status"]?.stringValue ?? "")
        }
        #expect(done && job["status"] == "succeeded", "\(type): \(job)")
        return job
    }

    func uploadDataset(_ client: some TestClientProtocol, _ s: TestServer) async throws -> String {
        let r = try await client.execute(uri: "/v1/datasets?name=dpkg", method: .post, headers: s.auth(), body: ByteBuffer(string: Self.jsonl))
        #expect(r.status == .created)
        return try #require(json(r.body)["id"]?.stringValue)
    }

    func fileRequest(_ client: some TestClientProtocol, _ s: TestServer, _ payload: JSONValue, key: String? = nil) async throws -> (HTTPResponse.Status, JSONValue, HTTPFields) {
        var extra: HTTPFields = [:]
        if let key { extra[HTTPField.Name("Idempotency-Key")!] = key }
        let r = try await client.execute(uri: "/v1/deletion_requests", method: .post, headers: s.auth(nil, extra), body: body(payload))
        return (r.status, json(r.body), r.headers)
    }

    func waitForRequest(_ client: some TestClientProtocol, _ s: TestServer, _ id: String, timeout: Duration = .seconds(300)) async throws -> JSONValue {
        var req: JSONValue = .null
        let done = try await eventually(timeout: timeout) {
            req = json(try await client.execute(uri: "/v1/deletion_requests/\(id)", method: .get, headers: s.auth()).body)
            return ["completed", "failed"].contains(req["status"]?.stringValue ?? "")
        }
        #expect(done && req["status"] == "completed", "\(req)")
        return req
    }

    static func modelParams(_ ds: String) -> JSONValue {
        ["dataset": .string(ds), "topics": 5, "vocabulary": ["max_size": 500, "min_document_frequency": 3]]
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func exactDeletionEqualsRetrainingAndIssuesAReceipt() async throws {
        let s = try Self.server()
        try await s.app().test(.live) { client in
            let ds = try await uploadDataset(client, s)
            let modelJob = try await submitJob(client, s, type: "topic_model", params: Self.modelParams(ds))
            let modelCkpt = try #require(modelJob["result"]?["checkpoint"]?.stringValue)
            let headJob = try await submitJob(client, s, type: "topic_head", params: ["model": .string(modelCkpt)])
            #expect((headJob["result"]?["metrics"]?["held_out_accuracy"]?.doubleValue ?? 0) > 0.3)

            let forget = Array(Self.corpus.map(\.id).enumerated().filter { $0.offset % 97 == 3 }.map(\.element).prefix(6))
            let payload: JSONValue = ["dataset": .string(ds), "document_ids": .array(forget.map(JSONValue.string)), "reason": "gdpr erasure"]
            let (status, created, _) = try await fileRequest(client, s, payload, key: "erase-1")
            #expect(status == .created && created["status"] == "pending", "\(created)")
            let id = try #require(created["id"]?.stringValue)
            #expect(Set(created["affected_models"]?.arrayValue ?? []) == [modelJob["id"]!, headJob["id"]!])
            // Idempotency: same key and body replays; same key, other body is 409.
            let (replayStatus, replay, replayHeaders) = try await fileRequest(client, s, payload, key: "erase-1")
            #expect(replayStatus == .created && replay["id"]?.stringValue == id && replayHeaders[HTTPField.Name("Idempotent-Replayed")!] == "true")
            var other = payload.objectValue!; other["reason"] = "other"
            #expect(try await fileRequest(client, s, .object(other), key: "erase-1").0 == .conflict)
            // Tombstoned at once: the documents are no longer live.
            let live = try s.store.liveDocuments(dataset: ds, tenant: "acme").map(\.id)
            #expect(live.count == Self.corpus.count - forget.count && Set(live).isDisjoint(with: forget))

            let original = try s.model(checkpoint: modelCkpt)   // read before the request purges it
            let done = try await waitForRequest(client, s, id)
            let versions = try #require(done["new_model_versions"]?.arrayValue)
            #expect(versions.count == 2)
            // Both models' earlier versions carried the documents: purged (files deleted, 410), listed on the receipt.
            for (job, ckpt) in [(modelJob, modelCkpt), (headJob, try #require(headJob["result"]?["checkpoint"]?.stringValue))] {
                let action = try #require(done["receipt"]?["manifest"]?["actions"]?.arrayValue?.first { $0["model"] == job["id"] })
                #expect(action["purged_checkpoints"]?.arrayValue?.contains(.string(ckpt)) == true, "\(action)")
                let content = try await client.execute(uri: "/v1/checkpoints/\(ckpt)/content", method: .get, headers: s.auth())
                #expect(content.status == .gone, "\(ckpt)")
            }
            let newBase = try #require(versions.first { $0["model"] == modelJob["id"] }?["checkpoint"]?.stringValue)
            let newHead = try #require(versions.first { $0["model"] == headJob["id"] }?["checkpoint"]?.stringValue)
            let headEval = try #require(done["evaluation"]?[headJob["id"]!.stringValue!])
            #expect(headEval["held_out_accuracy_before"]?.doubleValue != nil && headEval["held_out_accuracy_after"]?.doubleValue != nil)
            #expect(done["evaluation"]?[modelJob["id"]!.stringValue!]?["topic_change_mean_column_l1"]?.doubleValue != nil)

            // Exact mode == retraining without the documents (same vocabulary, spec §7), to 1e-6.
            let unlearned = try s.model(checkpoint: newBase)
            let remaining = Self.corpus.filter { !forget.contains($0.id) }
            let retrained = try TopicModelTrainer.train(documents: remaining, vocabulary: original.vocabulary, config: original.config)
            #expect(unlearned.anchors == retrained.anchors)
            let diff = zip(unlearned.topicWord, retrained.topicWord).map { abs($0 - $1) }.max() ?? .infinity
            #expect(diff <= 1e-6, "max |A_unlearn - A_retrain| = \(diff)")
            #expect(Set(unlearned.documents.keys).isDisjoint(with: forget))
            // U_head leaves the base of the released head consistent with the unlearned base.
            let headBase = try s.model(checkpoint: newHead)
            #expect(zip(headBase.topicWord, retrained.topicWord).map { abs($0 - $1) }.max() ?? .infinity <= 1e-6)

            // Receipt: the SHA-256 over the manifest's canonical JSON; no raw ids or text in it.
            let receipt = try #require(done["receipt"])
            let manifest = try #require(receipt["manifest"])
            #expect(receipt["manifest_sha256"]?.stringValue == Fingerprint.sha256(manifest.canonicalData()))
            let manifestText = String(decoding: manifest.canonicalData(), as: UTF8.self)
            for docID in forget { #expect(!manifestText.contains("\"\(docID)\"")) }
            // The vocabulary was chosen from the training documents: the receipt claims exactness over it, not a retrain.
            #expect(manifestText.contains("exact_given_vocabulary") && !manifestText.contains("exact_retrain_equivalent"))

            // The unlearning job's params no longer carry the text; the tombstoned rows lost it too.
            let unlearnJobID = try #require(done["actions"]?.arrayValue?.first?["job_id"]?.stringValue)
            let unlearnJob = json(try await client.execute(uri: "/v1/jobs/\(unlearnJobID)", method: .get, headers: s.auth()).body)
            for d in unlearnJob["params"]?["forget_documents"]?.arrayValue ?? [] { #expect(d["text"] == nil && d["text_sha256"] != nil) }

            // Events: the timeline pending -> running -> completed.
            let events = json(try await client.execute(uri: "/v1/deletion_requests/\(id)/events", method: .get, headers: s.auth()).body)
            let statuses = (events["data"]?.arrayValue ?? []).filter { $0["type"] == "status" }.compactMap { $0["data"]?["status"]?.stringValue }
            #expect(statuses == ["running", "completed"])

            // A later job never sees the tombstoned documents.
            let later = try await submitJob(client, s, type: "topic_model", params: Self.modelParams(ds))
            let laterModel = try s.model(checkpoint: try #require(later["result"]?["checkpoint"]?.stringValue))
            #expect(laterModel.documentCount == remaining.count && Set(laterModel.documents.keys).isDisjoint(with: forget))

            // Listing, cross-tenant isolation, bad input.
            let list = json(try await client.execute(uri: "/v1/deletion_requests?limit=1", method: .get, headers: s.auth()).body)
            #expect(list["data"]?.arrayValue?.count == 1 && list["data"]?.arrayValue?.first?["id"]?.stringValue == id)
            #expect(try await client.execute(uri: "/v1/deletion_requests/\(id)", method: .get, headers: s.auth(s.otherKey)).status == .notFound)
            let crossTenant = try await client.execute(uri: "/v1/deletion_requests", method: .post, headers: s.auth(s.otherKey),
                                                       body: body(["dataset": .string(ds), "document_ids": [.string(remaining[0].id)], "reason": "x"]))
            #expect(crossTenant.status == .notFound)
            let keep = JSONValue.string(remaining[0].id)
            let dsValue = JSONValue.string(ds)
            var bad: [(JSONValue, String)] = []
            bad.append((["dataset": dsValue, "document_ids": [keep, "no-such-doc"], "reason": "x"], "document_ids[1]"))
            bad.append((["dataset": dsValue, "document_ids": [.string(forget[0])], "reason": "x"], "document_ids[0]"))
            bad.append((["dataset": dsValue, "document_ids": [], "reason": "x"], "document_ids"))
            bad.append((["dataset": dsValue, "document_ids": [keep]], "reason"))
            bad.append((["dataset": dsValue, "document_ids": [keep], "reason": "x", "mode": "fast"], "mode"))
            bad.append((["document_ids": [keep], "reason": "x"], "dataset"))
            for (payload, param) in bad {
                let (st, err, _) = try await fileRequest(client, s, payload)
                #expect(st == .unprocessableContent && err["error"]?["param"]?.stringValue == param, "\(param): \(err)")
            }
            #expect(try s.store.liveDocuments(dataset: ds, tenant: "acme").count == remaining.count)
            let badJob = try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(),
                                                  body: body(["type": "topic_model", "params": ["dataset": .string(ds), "topics": 1]]))
            #expect(badJob.status == .unprocessableContent && (json(badJob.body)["error"]?["param"]?.stringValue ?? "").hasSuffix("topics"), "\(json(badJob.body))")
            let badUnlearn = try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(),
                body: body(["type": "topic_unlearn", "params": ["checkpoint": .string(modelCkpt), "forget_documents": []]]))
            #expect(badUnlearn.status == .unprocessableContent && (json(badUnlearn.body)["error"]?["param"]?.stringValue ?? "").hasSuffix("forget_documents"), "\(json(badUnlearn.body))")
        }
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func certifiedDeletionsTrackCapacityAndRetrainWhenExhausted() async throws {
        let s = try Self.server()
        try await s.app().test(.live) { client in
            let ds = try await uploadDataset(client, s)
            var params = Self.modelParams(ds).objectValue!
            let vocabulary = try TopicVocabulary.build(documents: Self.corpus, tokenizer: TopicTokenizer(), minDocumentFrequency: 3, maxSize: 500)
            params["vocabulary"] = ["words": .array(vocabulary.words.map(JSONValue.string))]
            params["certification"] = ["epsilon": 0.5, "delta": 1e-5, "capacity": 3, "sensitivity": ["empirical_trials": 2]]
            let modelJob = try await submitJob(client, s, type: "topic_model", params: .object(params))
            #expect(modelJob["result"]?["certification"]?["capacity"] == 3 && modelJob["result"]?["guarantee"] == "empirical_not_certified")
            let ids = Self.corpus.map(\.id)
            var remaining: [Int] = []
            var retrained: [Bool] = []
            for batch in [[ids[10], ids[20]], [ids[30]], [ids[40], ids[50]]] {
                let (st, created, _) = try await fileRequest(client, s, ["dataset": .string(ds), "document_ids": .array(batch.map(JSONValue.string)),
                                                                         "reason": "erasure", "mode": "certified"])
                #expect(st == .created)
                let done = try await waitForRequest(client, s, try #require(created["id"]?.stringValue))
                let g = try #require(done["receipt"]?["manifest"]?["actions"]?.arrayValue?.first?["guarantee"])
                #expect(g["kind"] == "empirical_not_certified" && g["epsilon"] == 0.5)
                #expect((g["summary"]?.stringValue ?? "").contains("empirical, not proven"))
                remaining.append(g["capacity_remaining"]?.intValue ?? -1)
                retrained.append(g["retrained"]?.boolValue ?? false)
            }
            // m_U = 3: 2 used (1 left), 3 used (0 left), then 2 more would exceed: retrain from scratch and reset.
            #expect(remaining == [1, 0, 3])
            #expect(retrained == [false, false, true])
        }
    }

    /// The user's check of the exact guarantee, through the API only: train a topic model with a supplied vocabulary and
    /// a head on it, delete documents (exact), then retrain both through the API with the same params and seeds on the
    /// same dataset (the tombstoned documents are excluded): every released number is equal, bit for bit, and the
    /// receipt says `exact_retrain_equivalent`.
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func exactUnlearningWithASuppliedVocabularyEqualsARetrainThroughTheAPI() async throws {
        let s = try Self.server()
        try await s.app().test(.live) { client in
            let ds = try await uploadDataset(client, s)
            // The vocabulary, fixed before training (the user's choice: here the 400 most frequent tokens of the corpus).
            let vocabulary = try TopicVocabulary.build(documents: Self.corpus, tokenizer: TopicTokenizer(), minDocumentFrequency: 3, maxSize: 400)
            var params = Self.modelParams(ds).objectValue!
            params["vocabulary"] = ["words": .array(vocabulary.words.map(JSONValue.string))]
            let modelJob = try await submitJob(client, s, type: "topic_model", params: .object(params), seed: 42)
            let modelCkpt = try #require(modelJob["result"]?["checkpoint"]?.stringValue)
            #expect(modelJob["result"]?["guarantee"] == "exact_retrain_equivalent")
            let headJob = try await submitJob(client, s, type: "topic_head", params: ["model": .string(modelCkpt)], seed: 43)

            let originalRelease = try s.release(modelCkpt)   // read before the request purges it
            let forget = Array(Self.corpus.map(\.id).enumerated().filter { $0.offset % 89 == 5 }.map(\.element).prefix(8))
            let (status, created, _) = try await fileRequest(client, s, ["dataset": .string(ds), "document_ids": .array(forget.map(JSONValue.string)),
                                                                         "reason": "erasure", "mode": "exact"])
            #expect(status == .created)
            let done = try await waitForRequest(client, s, try #require(created["id"]?.stringValue))
            let versions = try #require(done["new_model_versions"]?.arrayValue)
            let unlearnedBase = try #require(versions.first { $0["model"] == modelJob["id"] }?["checkpoint"]?.stringValue)
            let unlearnedHead = try #require(versions.first { $0["model"] == headJob["id"] }?["checkpoint"]?.stringValue)
            for a in try #require(done["receipt"]?["manifest"]?["actions"]?.arrayValue) {
                #expect(a["guarantee"]?["kind"] == "exact_retrain_equivalent", "\(a)")
            }

            // The user retrains through the API: same params, same seeds, same dataset.
            let retrained = try await submitJob(client, s, type: "topic_model", params: .object(params), seed: 42)
            let retrainedCkpt = try #require(retrained["result"]?["checkpoint"]?.stringValue)
            let retrainedHead = try await submitJob(client, s, type: "topic_head", params: ["model": .string(retrainedCkpt)], seed: 43)
            let retrainedHeadCkpt = try #require(retrainedHead["result"]?["checkpoint"]?.stringValue)
            #expect(try s.release(unlearnedBase) == s.release(retrainedCkpt), "the unlearned base's release equals the retrain's")
            #expect(try s.release(unlearnedHead) == s.release(retrainedHeadCkpt), "the unlearned head's release equals the retrain's")
            // Negative control: the model before the deletion released something else.
            #expect(try originalRelease != s.release(retrainedCkpt))
        }
    }

    /// Two unlearnable families coexist: one request touches a topic model and a `test_memorizer` model trained on
    /// the same dataset; the coordinator asks the registry how each is unlearned and queues `topic_unlearn` for one and
    /// `test_forget` for the other, through the ordinary submission path, and the receipt states each guarantee.
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func twoUnlearnableFamiliesAreUnlearnedByOneRequest() async throws {
        let s = try Self.server()
        #expect(s.registry.unlearnableTypes == ["test_memorizer", "topic_head", "topic_model"])
        try await s.app().test(.live) { client in
            let ds = try await uploadDataset(client, s)
            let topic = try await submitJob(client, s, type: "topic_model", params: Self.modelParams(ds))
            let memo = try await submitJob(client, s, type: "test_memorizer", params: ["dataset": .string(ds)])
            let counter = try await submitJob(client, s, type: "test_counter", params: ["steps": 2])
            let forget = [Self.corpus[5].id, Self.corpus[17].id]
            let (status, created, _) = try await fileRequest(client, s, ["dataset": .string(ds), "document_ids": .array(forget.map(JSONValue.string)),
                                                                         "reason": "two families"])
            #expect(status == .created)
            #expect(Set(created["affected_models"]?.arrayValue ?? []) == [topic["id"]!, memo["id"]!])
            _ = counter
            let done = try await waitForRequest(client, s, try #require(created["id"]?.stringValue))
            let actions = try #require(done["actions"]?.arrayValue)
            #expect(actions.count == 2 && actions.allSatisfy { $0["status"] == "completed" && $0["action"] == "unlearn" }, "\(actions)")
            // Each model was unlearned by its own family's job, queued like any job (visible in the job list, tenant's own).
            var types: [String: String] = [:]
            for a in actions {
                let jobID = try #require(a["job_id"]?.stringValue)
                let job = json(try await client.execute(uri: "/v1/jobs/\(jobID)", method: .get, headers: s.auth()).body)
                types[a["model"]!.stringValue!] = job["type"]?.stringValue
                #expect(job["metadata"]?["deletion_request"] == created["id"] && job["status"] == "succeeded")
            }
            #expect(types == [topic["id"]!.stringValue!: "topic_unlearn", memo["id"]!.stringValue!: "test_forget"])
            // The memorizer's new version no longer holds the forgotten ids; the forget text was purged from its job.
            let versions = try #require(done["new_model_versions"]?.arrayValue)
            #expect(versions.count == 2)
            let memoVersion = try #require(versions.first { $0["model"] == memo["id"] })
            #expect(memoVersion["model_version"] == 1)
            let memoCheckpoint = try #require(memoVersion["checkpoint"]?.stringValue)
            let ckpt = try #require(try s.store.checkpoint(id: memoCheckpoint, tenant: "acme"))
            let memory = try JSONDecoder().decode(TestMemorizerKind.Memory.self,
                                                  from: Data(contentsOf: s.store.directory(of: ckpt).appendingPathComponent("memory.json")))
            #expect(Set(memory.document_ids).isDisjoint(with: forget) && memory.document_ids.count == Self.corpus.count - forget.count)
            let forgetJob = try #require(actions.first { $0["model"] == memo["id"] }?["job_id"]?.stringValue)
            let forgetParams = json(try await client.execute(uri: "/v1/jobs/\(forgetJob)", method: .get, headers: s.auth()).body)["params"]
            for d in forgetParams?["forget"]?.arrayValue ?? [] { #expect(d["text"] == nil && d["text_sha256"] != nil) }
            // The receipt states each family's guarantee and hashes each new checkpoint's files.
            let receiptActions = try #require(done["receipt"]?["manifest"]?["actions"]?.arrayValue)
            for a in receiptActions {
                let expected: JSONValue = a["model"] == memo["id"] ? "exact_retrain_equivalent" : "exact_given_vocabulary"
                #expect(a["guarantee"]?["kind"] == expected && (a["checkpoint_files"]?.arrayValue?.isEmpty == false), "\(a)")
            }
            #expect(done["evaluation"]?[memo["id"]!.stringValue!]?["forgotten"] == 2)
        }
    }
}

/// `dpo` refuses, before queueing, what it cannot align: a checkpoint that is not a GPT (here a topic model's), a job
/// without checkpoints, a documents dataset where pairs are needed (422 naming the param), another tenant's model (404).
@Suite(.serialized) struct DPOReferenceTests {
    /// A directly submitted unlearning job and a later deletion request on the same model take different version
    /// numbers (before, both took "version 1" from different parents).
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func versionNumbersAreUniquePerModel() async throws {
        let s = try DeletionRequestTests.server()
        let t = DeletionRequestTests()
        try await s.app().test(.live) { client in
            let ds = try await t.uploadDataset(client, s)
            let modelJob = try await t.submitJob(client, s, type: "topic_model", params: DeletionRequestTests.modelParams(ds))
            let root = try #require(modelJob["id"]?.stringValue)
            let modelCkpt = try #require(modelJob["result"]?["checkpoint"]?.stringValue)
            let docs = Array(DeletionRequestTests.corpus.enumerated().filter { $0.offset % 89 == 5 }.map(\.element).prefix(5))
            let direct = try await t.submitJob(client, s, type: "topic_unlearn", params: [
                "checkpoint": .string(modelCkpt),
                "forget_documents": .array(docs.prefix(2).map { ["id": .string($0.id), "text": .string($0.text)] }),
            ])
            #expect(direct["result"]?["model_version"] == 1, "\(direct)")
            let (status, created, _) = try await t.fileRequest(client, s, [
                "dataset": .string(ds), "document_ids": .array(docs[2...3].map { .string($0.id) }), "reason": "erasure"])
            #expect(status == .created, "\(created)")
            let done = try await t.waitForRequest(client, s, try #require(created["id"]?.stringValue))
            let version = try #require(done["new_model_versions"]?.arrayValue?.first { $0["model"] == .string(root) })
            #expect(version["model_version"] == 2, "\(version)")
            // A second direct job, on the request's version, continues the sequence.
            let again = try await t.submitJob(client, s, type: "topic_unlearn", params: [
                "checkpoint": .string(try #require(version["checkpoint"]?.stringValue)),
                "forget_documents": .array([["id": .string(docs[4].id), "text": .string(docs[4].text)]]),
            ])
            #expect(again["result"]?["model_version"] == 3, "\(again)")
        }
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func dpoRefusesModelsThatAreNotGPTsAndDocumentDatasets() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(TopicModelKind()); $0.register(DPOKind()); $0.register(PretrainKind()) })
        let t = DeletionRequestTests()
        try await s.app().test(.live) { client in
            let docs = try await t.uploadDataset(client, s)
            let pairsBody = #"{"id":"p1","prompt":"Say","chosen":" yes","rejected":" no"}"#
            let up = try await client.execute(uri: "/v1/datasets?name=pairs", method: .post, headers: s.auth(), body: ByteBuffer(string: pairsBody))
            let pairs = try #require(json(up.body)["id"]?.stringValue)
            let topic = try await t.submitJob(client, s, type: "topic_model", params: DeletionRequestTests.modelParams(docs))
            let topicCkpt = try #require(topic["result"]?["checkpoint"]?.stringValue)
            let gpt = try await t.submitJob(client, s, type: "pretrain", params: ["dataset": .string(docs), "steps": 3, "batch_size": 2,
                                                                                  "model": ["layers": 1, "d_model": 16, "heads": 1, "context": 16]])
            let gptCkpt = try #require(gpt["latest_checkpoint_id"]?.stringValue)
            let queued = try #require(json(try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(), body: body([
                "type": "test_counter", "params": ["steps": 1]])).body)["id"]?.stringValue)
            let cases: [(JSONValue, String?, HTTPResponse.Status, String)] = [
                (["model": .string(topicCkpt), "dataset": .string(pairs)], nil, .unprocessableContent, "params.model"),
                (["model": .string(topic["id"]!.stringValue!), "dataset": .string(pairs)], nil, .unprocessableContent, "params.model"),
                (["model": .string(gptCkpt), "dataset": .string(docs)], nil, .unprocessableContent, "params.dataset"),
                (["model": .string(gptCkpt), "dataset": .string(pairs)], s.otherKey, .notFound, "params.model"),
                (["model": .string(topicCkpt), "dataset": .string(pairs)], s.otherKey, .notFound, "params.model"),
                (["model": .string(queued), "dataset": .string(pairs)], nil, .unprocessableContent, "params.model"),
            ]
            // The same requests with a GPT model (by checkpoint and by job) and the pairs are accepted.
            for model in [gptCkpt, gpt["id"]!.stringValue!] {
                let ok = try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(),
                                                  body: body(["type": "dpo", "params": ["model": .string(model), "dataset": .string(pairs), "steps": 1]]))
                #expect(ok.status == .created, "\(json(ok.body))")
            }
            for (params, key, status, param) in cases {
                let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(key), body: body(["type": "dpo", "params": params]))
                #expect(r.status == status && json(r.body)["error"]?["param"]?.stringValue == param, "\(params): \(json(r.body))")
            }
        }
    }
}

extension TestServer {
    /// What a checkpoint publishes (`release.json`: words, the released matrix, mode, noise), as JSON.
    func release(_ checkpoint: String) throws -> JSONValue {
        let c = try #require(try store.checkpoint(id: checkpoint, tenant: "acme"))
        return try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: store.directory(of: c).appendingPathComponent("release.json")))
    }

    /// The topic model stored in a checkpoint (model.json, or the head's private base for head.json).
    func model(checkpoint id: String) throws -> TopicModel {
        let c = try #require(try store.checkpoint(id: id, tenant: "acme"))
        let dir = store.directory(of: c)
        if let data = try? Data(contentsOf: dir.appendingPathComponent("model.json")) {
            return try JSONDecoder().decode(TopicModel.self, from: data)
        }
        return try JSONDecoder().decode(TopicHead.self, from: Data(contentsOf: dir.appendingPathComponent("head.json"))).base
    }
}
