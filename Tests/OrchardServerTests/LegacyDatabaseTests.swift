import Foundation
import Hummingbird
import HummingbirdTesting
import OrchardJobs
import OrchardQueue
import OrchardServer
import OrchardStore
import Testing

/// A database written by the previous release (wave 1, commit 6e1ec73; `Tests/Fixtures/wave1/make-fixture.sh`)
/// served by this one: the params wave 1 stored (camelCase ADO config, the seed inside params, a topic job whose
/// `params.seed` overrides the job's) still decode, a paused job resumes from its wave-1 checkpoint (camelCase
/// state.json), and every job ends as it would have: the resumed ADO run equals the same job run from scratch
/// by this release, bit for bit.
@Suite(.serialized) struct LegacyDatabaseTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/wave1/data", isDirectory: true)

    @Test func jobsQueuedAndPausedByWave1RunToTheSameResults() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-wave1-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.copyItem(at: Self.fixture, to: dir)
        let ids = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: dir.appendingPathComponent("fixture.json")))
        let paused = try #require(ids["paused_pretrain"]), queued = try #require(ids["queued_pretrain"])
        let topic = try #require(ids["queued_topic_model"]), ds = try #require(ids["dataset"])
        let s = try TestServer(workers: 1, dataDirectory: dir, kinds: ProductionKinds.register)
        // The stored params are wave 1's, as stored.
        let stored = try #require(try s.store.job(id: paused, tenant: "acme"))
        #expect(stored.status == .paused && stored.params["seed"]?.stringValue == "7")
        #expect(stored.params["mixture"]?["config"]?["updateInterval"] == 10 && stored.latestCheckpointID != nil)
        #expect(try s.store.job(id: topic, tenant: "acme")?.params["seed"] == "123")

        try await s.app().test(.live) { client in
            func job(_ id: String) async throws -> JSONValue {
                json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: s.auth()).body)
            }
            func finish(_ id: String) async throws -> JSONValue {
                var j: JSONValue = .null
                let done = try await eventually(timeout: .seconds(300)) {
                    j = try await job(id)
                    return ["succeeded", "failed", "cancelled"].contains(j["status"]?.stringValue ?? "")
                }
                #expect(done && j["status"] == "succeeded", "\(id): \(j)")
                return j
            }
            let resumed = try await client.execute(uri: "/v1/jobs/\(paused)/resume", method: .post, headers: s.auth())
            #expect(resumed.status == .ok)
            let a = try await finish(paused)
            let b = try await finish(queued)
            let t = try await finish(topic)
            let events = json(try await client.execute(uri: "/v1/jobs/\(paused)/events?limit=1000", method: .get, headers: s.auth()).body)
            let resumedFrom = (events["data"]?.arrayValue ?? []).first { $0["type"] == "resumed" }?["data"]?["step"]?.intValue ?? 0
            #expect(resumedFrom >= 12, "the paused job resumed from its wave-1 checkpoint")
            #expect(a["result"]?["steps"] == 200 && b["result"]?["steps"] == 30 && (a["result"]?["ado_refits"]?.intValue ?? 0) > 0)
            #expect(t["result"]?["topics"] == 3)

            // The same job submitted to this release (snake_case config, the seed as the job's, and the three defaults
            // wave 2 changed set back: unpacked sequences, β penalty 1e-4, refits on schedule) ends identically.
            let again = try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(), body: body([
                "type": "pretrain", "seed": 7, "params": [
                    "dataset": .string(ds), "steps": 200, "batch_size": 8, "model": ["layers": 1, "d_model": 32, "heads": 2, "context": 32],
                    "optimizer": ["lr": 0.01, "warmup": 5], "metrics_every": 5, "eval_every": 20, "heldout_windows": 4, "checkpoint_every": 20,
                    "packing": false,
                    "mixture": ["kind": "ado", "config": ["update_interval": 10, "ignore_steps": 0, "start_step": 20, "subsample": 1,
                                                          "smoothing_window": 5, "minimum_weight": 0.05, "beta_penalty": 1e-4,
                                                          "refit_minimum_signal": 0]]]]))
            #expect(again.status == .created)
            let fresh = try await finish(try #require(json(again.body)["id"]?.stringValue))
            for key in ["final_weights", "heldout_loss", "heldout_loss_by_domain", "laws", "tokens"] {
                #expect(fresh["result"]?[key] == a["result"]?[key], "\(key): \(fresh["result"]?[key] ?? .null) vs \(a["result"]?[key] ?? .null)")
            }
            // The topic job ran with the seed its wave-1 params carried: the same params with job seed 123 agree.
            let topicAgain = try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(), body: body([
                "type": "topic_model", "seed": 123, "params": ["dataset": .string(ds), "topics": 3,
                    "vocabulary": ["min_document_frequency": 2, "max_size": 300], "anchors": ["min_document_frequency": 2, "document_fraction": 0]]]))
            #expect(topicAgain.status == .created)
            let t2 = try await finish(try #require(json(topicAgain.body)["id"]?.stringValue))
            #expect(t2["result"]?["anchors"] == t["result"]?["anchors"] && t2["result"]?["top_words"] == t["result"]?["top_words"])
        }
    }
}
