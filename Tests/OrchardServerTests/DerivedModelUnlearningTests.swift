import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardCorpus
import OrchardJobs
import OrchardServer
import OrchardTestSupport
import Testing

/// Deletion requests that reach models derived from a pretrained GPT (DPO policies), end to end over a live server:
/// the parent is replayed first (`lm_unlearn`), then each policy is re-derived (`rederive`) from the parent's new
/// version at its base's step. The user's check: retrain the parent through the API (same params and seed), run DPO
/// with the same params and seed on the retrain's checkpoint at that step — the tensors must equal the new version's.
@Suite(.serialized) struct DerivedModelUnlearningTests {
    static let pairs: String = {
        let words = ["apple", "river", "stone", "cloud", "ember", "field", "glass", "honey"]
        return words.enumerated().map { i, w in
            String(decoding: JSONValue.object(["id": .string("p\(i)"), "prompt": .string("Package \(w):"),
                                               "chosen": .string(" a tool for \(w) data"), "rejected": .string(" no \(w)")]).canonicalData(), as: UTF8.self)
        }.joined(separator: "\n")
    }()

    static func dpoParams(_ model: String, _ pairs: String) -> JSONValue {
        ["model": .string(model), "dataset": .string(pairs), "steps": 4, "batch_size": 2, "optimizer": ["lr": 0.001], "checkpoint_every": 2]
    }

    /// The dpkg documents (the parent's data) and the preference pairs, uploaded.
    static func upload(_ client: some TestClientProtocol, _ s: TestServer) async throws -> (documents: String, pairs: String) {
        let upload = try await client.execute(uri: "/v1/datasets?name=dpkg", method: .post, headers: s.auth(),
                                              body: ByteBuffer(string: DeletionRequestTests.jsonl))
        let up = try await client.execute(uri: "/v1/datasets?name=pairs", method: .post, headers: s.auth(), body: ByteBuffer(string: pairs))
        return (try #require(json(upload.body)["id"]?.stringValue), try #require(json(up.body)["id"]?.stringValue))
    }

    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func dpoPoliciesAreRederivedFromTheParentsRetrainAndEqualWhatTheUserGets() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(DPOKind()) })
        try await s.app().test(.live) { client in
            let d = DeletionRequestTests(), lm = LMUnlearningTests()
            let (ds, pairs) = try await Self.upload(client, s)
            let params = LMUnlearningTests.params(ds, mixture: "natural")
            let parent = try await d.submitJob(client, s, type: "pretrain", params: params, seed: 11)
            let parentID = try #require(parent["id"]?.stringValue)
            let read = try await lm.lineage(client, s, parentID)
            let late = read.filter { ($0["first_step"]?.intValue ?? 0) >= 22 && ($0["first_step"]?.intValue ?? 0) < 34 }
            let forget = try #require(late.count >= 2 ? Array(late.prefix(2)) : nil, "\(read.count) documents read")
            let firstRead = forget.compactMap { $0["first_step"]?.intValue }.min()!
            let ids = forget.compactMap { $0["document_id"]?.stringValue }

            // Three policies: on the parent's final checkpoint (named by job), on one taken after the first read, and on
            // one taken before it (its base never saw the documents: the re-derivation must reproduce it exactly).
            let checkpoints = try await lm.get(client, s, "/v1/jobs/\(parentID)/checkpoints?limit=100")["data"]?.arrayValue ?? []
            func checkpoint(atStep step: Int, _ list: [JSONValue]) throws -> String {
                try #require(list.first { $0["step"]?.intValue == step }?["id"]?.stringValue, "no checkpoint at step \(step)")
            }
            let lateStep = 35, earlyStep = (firstRead / LMUnlearningTests.checkpointEvery) * LMUnlearningTests.checkpointEvery
            let bases: [(name: String, model: String, step: Int)] = [
                ("final", parentID, LMUnlearningTests.steps),
                ("late", try checkpoint(atStep: lateStep, checkpoints), lateStep),
                ("early", try checkpoint(atStep: earlyStep, checkpoints), earlyStep),
            ]
            var policies: [String: (id: String, final: String)] = [:]
            for b in bases {
                let job = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(b.model, pairs), seed: 7)
                #expect(job["status"] == "succeeded", "\(job)")
                policies[b.name] = (try #require(job["id"]?.stringValue), try #require(job["result"]?["checkpoint"]?.stringValue))
            }

            let (status, created, _) = try await d.fileRequest(client, s, ["dataset": .string(ds), "document_ids": .array(ids.map(JSONValue.string)),
                                                                            "reason": "erasure", "mode": "exact"])
            #expect(status == .created, "\(created)")
            let affected = Set(created["affected_models"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(affected == Set([parentID] + policies.values.map(\.id)), "\(created)")
            for a in created["actions"]?.arrayValue ?? [] { #expect(a["action"] == "unlearn", "\(a)") }
            let done = try await d.waitForRequest(client, s, try #require(created["id"]?.stringValue))
            #expect(done["status"] == "completed", "\(done)")

            // The parent was unlearned before any policy was re-derived: its job ended before theirs were queued.
            let events = try await lm.get(client, s, "/v1/deletion_requests/\(try #require(created["id"]?.stringValue))/events?limit=200")["data"]?.arrayValue ?? []
            let order = events.map { "\($0["type"]?.stringValue ?? "")/\($0["data"]?["model"]?.stringValue ?? "")" }
            let parentDone = try #require(order.firstIndex(of: "unlearning_completed/\(parentID)"), "\(order)")
            for p in policies.values {
                let queued = try #require(order.firstIndex(of: "unlearning_job_queued/\(p.id)"), "\(order)")
                #expect(queued > parentDone, "\(order)")
            }

            let actions = done["receipt"]?["manifest"]?["actions"]?.arrayValue ?? []
            func action(_ model: String) throws -> JSONValue { try #require(actions.first { $0["model"]?.stringValue == model }, "\(actions)") }
            let parentVersion = try #require(try action(parentID)["checkpoint"]?.stringValue)

            // The user's check: retrain the parent through the API, then DPO on the retrain at each base's step.
            let retrain = try await d.submitJob(client, s, type: "pretrain", params: params, seed: 11)
            let retrainID = try #require(retrain["id"]?.stringValue)
            #expect(try await lm.tensorHashes(client, s, parentVersion) == (try await lm.tensorHashes(client, s, try #require(retrain["latest_checkpoint_id"]?.stringValue))))
            let retrainCheckpoints = try await lm.get(client, s, "/v1/jobs/\(retrainID)/checkpoints?limit=100")["data"]?.arrayValue ?? []
            for b in bases {
                let policy = try #require(policies[b.name])
                let a = try action(policy.id)
                #expect(a["guarantee"]?["kind"] == "exact_retrain_equivalent" && a["type"] == "dpo", "\(a)")
                let version = try #require(a["checkpoint"]?.stringValue)
                let parentVersion = a["evaluation"]?["parents"]?.arrayValue?.first
                #expect(parentVersion?["model"]?.stringValue == parentID && parentVersion?["step"]?.intValue == b.step, "\(a)")
                let check = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(try checkpoint(atStep: b.step, retrainCheckpoints), pairs), seed: 7)
                let expected = try await lm.tensorHashes(client, s, try #require(check["result"]?["checkpoint"]?.stringValue))
                let got = try await lm.tensorHashes(client, s, version)
                #expect(got.count >= 2 && got == expected, "\(b.name): the re-derived policy equals DPO on the retrain")
                // The policy before the deletion differs, except where its base never saw the documents.
                let before = try await lm.tensorHashes(client, s, policy.final)
                #expect((before == got) == (b.step <= firstRead), "\(b.name) (base step \(b.step), first read \(firstRead))")
                // Its earlier checkpoints are purged (they were trained from weights that carried the documents).
                let purged = Set(a["purged_checkpoints"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                #expect(purged.contains(policy.final), "\(a)")
                // MUSE's metrics before and after ride on the receipt.
                #expect(a["evaluation"]?["unlearned"]?["privleak"] == 0 && a["evaluation"]?["target"]?["mia_auc"]?.doubleValue != nil, "\(a)")
            }
            // The re-derivations' lineage is their model's: none lists a forgotten document, and a second request on a document
            // the parent read early lists the policies as the affected models (not the jobs that wrote their versions).
            var versionJobs: Set<String> = []
            for a in done["actions"]?.arrayValue ?? [] { if let j = a["job_id"]?.stringValue { versionJobs.insert(j) } }
            for p in policies.values {
                let job = try #require(done["actions"]?.arrayValue?.first { $0["model"]?.stringValue == p.id }?["job_id"]?.stringValue)
                let rederived = Set(try await lm.lineage(client, s, job).compactMap { $0["document_id"]?.stringValue })
                #expect(!rederived.isEmpty && rederived.isDisjoint(with: ids), "\(job)")
            }
            let early = try #require(read.first { ($0["first_step"]?.intValue ?? 99) < earlyStep && !ids.contains($0["document_id"]?.stringValue ?? "") }?["document_id"]?.stringValue)
            let (status2, second, _) = try await d.fileRequest(client, s, ["dataset": .string(ds), "document_ids": [.string(early)], "reason": "erasure"])
            // (The user's checks above — the retrain and its policies — read it too.)
            let affected2 = Set(second["affected_models"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(status2 == .created && affected2.isSuperset(of: [parentID] + policies.values.map(\.id)) && affected2.isDisjoint(with: versionJobs), "\(second)")
            let done2 = try await d.waitForRequest(client, s, try #require(second["id"]?.stringValue))
            #expect(done2["status"] == "completed" && done2["new_model_versions"]?.arrayValue?.count == affected2.count, "\(done2)")

            // The re-derivation job's params no longer hold the forgotten text.
            let job = try #require(done["actions"]?.arrayValue?.first { $0["model"]?.stringValue == policies["final"]!.id }?["job_id"]?.stringValue)
            let stored = try await lm.get(client, s, "/v1/jobs/\(job)")
            let forgotten = stored["params"]?["forget_documents"]?.arrayValue?.first
            #expect(stored["type"] == "rederive" && forgotten?["text"] == nil && forgotten?["text_sha256"]?.stringValue != nil, "\(stored)")
        }
    }

    /// In approximate mode the policy's own weights are edited by the request's method (it has no retrained parent to be
    /// re-derived from), after the parent's edit; the bar applies to each model, and no guarantee is claimed.
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func approximateRequestsEditDerivedPoliciesWithTheRequestsMethod() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(DPOKind()) })
        try await s.app().test(.live) { client in
            let d = DeletionRequestTests(), lm = LMUnlearningTests()
            let (ds, pairs) = try await Self.upload(client, s)
            let parent = try await d.submitJob(client, s, type: "pretrain", params: LMUnlearningTests.params(ds, mixture: "natural"), seed: 5)
            let parentID = try #require(parent["id"]?.stringValue)
            let policy = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(parentID, pairs), seed: 7)
            let policyID = try #require(policy["id"]?.stringValue)
            let read = try await lm.lineage(client, s, parentID).compactMap { $0["document_id"]?.stringValue }
            let (status, created, _) = try await d.fileRequest(client, s, [
                "dataset": .string(ds), "document_ids": .array(read.prefix(2).map(JSONValue.string)), "reason": "erasure", "mode": "approximate",
                "approximate": ["method": "npo_klr", "lr": 0.001, "epochs": 1, "batch_size": 2, "bar": ["max_utility_loss_increase": 100]]])
            #expect(status == .created, "\(created)")
            let done = try await d.waitForRequest(client, s, try #require(created["id"]?.stringValue))
            #expect(done["status"] == "completed" && done["new_model_versions"]?.arrayValue?.count == 2, "\(done)")
            let actions = done["receipt"]?["manifest"]?["actions"]?.arrayValue ?? []
            let child = try #require(actions.first { $0["model"]?.stringValue == policyID })
            #expect(child["mode"] == "approximate" && child["method"] == "npo_klr" && child["guarantee"]?["kind"] == "none", "\(child)")
            #expect(child["evaluation"]?["unlearned"]?["utility_loss"]?.doubleValue != nil && child["evaluation"]?["forget_nll_after"]?.doubleValue != nil, "\(child)")
            // The edit starts from the policy's own weights: the new version differs from them and from the parent's new version.
            let version = try #require(child["checkpoint"]?.stringValue)
            let edited = try await lm.tensorHashes(client, s, version)
            let original = try await lm.tensorHashes(client, s, try #require(policy["result"]?["checkpoint"]?.stringValue))
            #expect(!edited.isEmpty && edited != original)
            let parentVersion = try #require(actions.first { $0["model"]?.stringValue == parentID }?["checkpoint"]?.stringValue)
            let parentEdited = try await lm.tensorHashes(client, s, parentVersion)
            #expect(edited != parentEdited)
        }
    }

    /// A request on a preference pair reaches only the policies trained on it: each is re-derived from its (unchanged)
    /// base without the pair, and equals DPO through the API with the same params and seed now.
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func deletingAPreferencePairRederivesThePoliciesTrainedOnIt() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(DPOKind()) })
        try await s.app().test(.live) { client in
            let d = DeletionRequestTests(), lm = LMUnlearningTests()
            let (ds, pairs) = try await Self.upload(client, s)
            let parent = try await d.submitJob(client, s, type: "pretrain", params: LMUnlearningTests.params(ds, mixture: "natural"), seed: 3)
            let base = try #require(parent["latest_checkpoint_id"]?.stringValue)
            let policy = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(base, pairs), seed: 7)
            let policyID = try #require(policy["id"]?.stringValue)
            let (status, created, _) = try await d.fileRequest(client, s, ["dataset": .string(pairs), "document_ids": ["p3"], "reason": "erasure"])
            #expect(status == .created && created["affected_models"] == [.string(policyID)], "\(created)")
            let done = try await d.waitForRequest(client, s, try #require(created["id"]?.stringValue))
            #expect(done["status"] == "completed", "\(done)")
            let action = try #require(done["receipt"]?["manifest"]?["actions"]?.arrayValue?.first)
            #expect(action["guarantee"]?["kind"] == "exact_retrain_equivalent" && action["evaluation"]?["derived_from"] == [.string(base)], "\(action)")
            let check = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(base, pairs), seed: 7)
            #expect(check["result"]?["pairs"] == 7, "the check trains on the live pairs")
            let expected = try await lm.tensorHashes(client, s, try #require(check["result"]?["checkpoint"]?.stringValue))
            let got = try await lm.tensorHashes(client, s, try #require(action["checkpoint"]?.stringValue))
            let before = try await lm.tensorHashes(client, s, try #require(policy["result"]?["checkpoint"]?.stringValue))
            #expect(got.count >= 2 && got == expected && got != before)
        }
    }

    /// Two requests filed back to back on a policy's parent: the second one's replay of the parent waits until the first
    /// one's re-derivation of the policy (which reads the parent's version) has ended — older requests' children go
    /// first — and the policy's final version —
    /// a re-derivation of a re-derivation — equals DPO on a retrain without both documents.
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func aSecondRequestWaitsForTheFirstRederivationAndTheChainStaysExact() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(DPOKind()) })
        try await s.app().test(.live) { client in
            let d = DeletionRequestTests(), lm = LMUnlearningTests()
            let (ds, pairs) = try await Self.upload(client, s)
            let params = LMUnlearningTests.params(ds, mixture: "natural")
            let parent = try await d.submitJob(client, s, type: "pretrain", params: params, seed: 13)
            let parentID = try #require(parent["id"]?.stringValue)
            let policy = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(parentID, pairs), seed: 7)
            let policyID = try #require(policy["id"]?.stringValue)
            let read = try await lm.lineage(client, s, parentID).sorted { ($0["first_step"]?.intValue ?? 0) > ($1["first_step"]?.intValue ?? 0) }
                .compactMap { $0["document_id"]?.stringValue }
            var requests: [String] = []
            for doc in read.prefix(2) {
                let (status, created, _) = try await d.fileRequest(client, s, ["dataset": .string(ds), "document_ids": [.string(doc)], "reason": "erasure"])
                #expect(status == .created, "\(created)")
                requests.append(try #require(created["id"]?.stringValue))
            }
            var done: [JSONValue] = []
            for r in requests { done.append(try await d.waitForRequest(client, s, r)) }
            #expect(done.allSatisfy { $0["status"] == "completed" }, "\(done)")
            func job(_ request: JSONValue, _ model: String) async throws -> JSONValue {
                try await lm.get(client, s, "/v1/jobs/\(try #require(request["actions"]?.arrayValue?.first { $0["model"]?.stringValue == model }?["job_id"]?.stringValue))")
            }
            let firstRederive = try await job(done[0], policyID), secondReplay = try await job(done[1], parentID)
            let ended = try #require(firstRederive["finished_at"]?.doubleValue), queued = try #require(secondReplay["created_at"]?.doubleValue)
            #expect(queued >= ended, "the second request's replay of the parent waited for the first one's re-derivation of the policy")
            // The user's check after both: retrain the parent (both documents are tombstoned now), DPO on it.
            let retrain = try await d.submitJob(client, s, type: "pretrain", params: params, seed: 13)
            let check = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(try #require(retrain["id"]?.stringValue), pairs), seed: 7)
            let final = try #require(done[1]["receipt"]?["manifest"]?["actions"]?.arrayValue?.first { $0["model"]?.stringValue == policyID }?["checkpoint"]?.stringValue)
            let got = try await lm.tensorHashes(client, s, final)
            let expected = try await lm.tensorHashes(client, s, try #require(check["result"]?["checkpoint"]?.stringValue))
            #expect(got.count >= 2 && got == expected)
        }
    }

    /// A policy trained on an approximate edit of its parent has no retrained base: an exact request fails its action
    /// (and so the request) with the reason, instead of re-deriving it from a checkpoint that is not a retrain's.
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func aPolicyOnAnApproximateVersionIsNotClaimedExact() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(DPOKind()) })
        try await s.app().test(.live) { client in
            let d = DeletionRequestTests(), lm = LMUnlearningTests()
            let (ds, pairs) = try await Self.upload(client, s)
            let parent = try await d.submitJob(client, s, type: "pretrain", params: LMUnlearningTests.params(ds, mixture: "natural"), seed: 17)
            let parentID = try #require(parent["id"]?.stringValue)
            let read = try await lm.lineage(client, s, parentID).compactMap { $0["document_id"]?.stringValue }
            let (_, edit, _) = try await d.fileRequest(client, s, ["dataset": .string(ds), "document_ids": [.string(read[0])], "reason": "erasure",
                                                                   "mode": "approximate", "approximate": ["method": "ga", "lr": 0.001, "epochs": 1, "batch_size": 2]])
            let edited = try await d.waitForRequest(client, s, try #require(edit["id"]?.stringValue))
            let version = try #require(edited["new_model_versions"]?.arrayValue?.first?["checkpoint"]?.stringValue, "\(edited)")
            let policy = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(version, pairs), seed: 7)
            let policyID = try #require(policy["id"]?.stringValue)
            let (_, exact, _) = try await d.fileRequest(client, s, ["dataset": .string(ds), "document_ids": [.string(read[1])], "reason": "erasure", "mode": "exact"])
            var done: JSONValue = .null
            _ = try await eventually(timeout: .seconds(300)) {
                done = try await lm.get(client, s, "/v1/deletion_requests/\(try #require(exact["id"]?.stringValue))")
                return ["completed", "failed"].contains(done["status"]?.stringValue ?? "")
            }
            #expect(done["status"] == "failed", "\(done)")
            let actions = done["actions"]?.arrayValue ?? []
            #expect(actions.first { $0["model"]?.stringValue == parentID }?["status"] == "completed", "the parent is replayed")
            #expect(actions.first { $0["model"]?.stringValue == policyID }?["status"] == "failed", "\(actions)")
            let events = try await lm.get(client, s, "/v1/deletion_requests/\(try #require(exact["id"]?.stringValue))/events?limit=100")["data"]?.arrayValue ?? []
            let failed = try #require(events.first { $0["type"] == "model_failed" }, "\(events)")
            #expect(failed["message"]?.stringValue?.contains("approximate") == true, "\(failed)")
        }
    }

    /// A chain: a policy trained on another policy. The request replays the pretrained model, re-derives the first policy
    /// from it, then the second from the first's new version; the end equals what a user gets by retraining all three.
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func aPolicyOfAPolicyIsRederivedAfterItsParent() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(DPOKind()) })
        try await s.app().test(.live) { client in
            let d = DeletionRequestTests(), lm = LMUnlearningTests()
            let (ds, pairs) = try await Self.upload(client, s)
            let params = LMUnlearningTests.params(ds, mixture: "natural")
            let root = try await d.submitJob(client, s, type: "pretrain", params: params, seed: 19)
            let rootID = try #require(root["id"]?.stringValue)
            let first = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(rootID, pairs), seed: 7)
            let firstID = try #require(first["id"]?.stringValue)
            let second = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(firstID, pairs), seed: 8)
            let secondID = try #require(second["id"]?.stringValue)
            let doc = try #require(try await lm.lineage(client, s, rootID).first?["document_id"])
            let (_, created, _) = try await d.fileRequest(client, s, ["dataset": .string(ds), "document_ids": [doc], "reason": "erasure"])
            #expect(Set(created["affected_models"]?.arrayValue?.compactMap(\.stringValue) ?? []) == [rootID, firstID, secondID], "\(created)")
            let done = try await d.waitForRequest(client, s, try #require(created["id"]?.stringValue))
            let actions = done["receipt"]?["manifest"]?["actions"]?.arrayValue ?? []
            let secondAction = try #require(actions.first { $0["model"]?.stringValue == secondID })
            #expect(secondAction["evaluation"]?["parents"]?.arrayValue?.first?["model"]?.stringValue == firstID, "\(secondAction)")
            // The user's check: retrain, then both policies, each on the previous one.
            let retrain = try await d.submitJob(client, s, type: "pretrain", params: params, seed: 19)
            let first2 = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(try #require(retrain["id"]?.stringValue), pairs), seed: 7)
            let second2 = try await d.submitJob(client, s, type: "dpo", params: Self.dpoParams(try #require(first2["id"]?.stringValue), pairs), seed: 8)
            let got = try await lm.tensorHashes(client, s, try #require(secondAction["checkpoint"]?.stringValue))
            let expected = try await lm.tensorHashes(client, s, try #require(second2["result"]?["checkpoint"]?.stringValue))
            #expect(got.count >= 2 && got == expected)
        }
    }
}
