import Foundation
import OrchardCorpus
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import Testing
@testable import OrchardStore

/// The `dpo` kind on a real store: a tiny GPT pretrained on real text, preference pairs cut from the same text
/// (chosen = the true continuation, rejected = a continuation from another document), DPO with checkpoints,
/// kill-and-resume on the identical trajectory, events and the result.
@Suite struct DPOKindTests {
    func setUp(_ backend: StoreBackend) throws -> (any QueueStore, ckpt: String, pairs: String) {
        let store = try makeStore(backend)
        var imp = DatasetImport()
        try imp.feed(Array(try RealTextFixture.jsonl().utf8))
        let docsDataset = try store.createDataset(tenant: "acme", name: "docs", from: imp, sha256: try imp.finish())
        let docs = try store.liveDocuments(dataset: docsDataset.id, tenant: "acme")
        // Pretrain a tiny byte-level GPT (the base and the reference).
        let pre = try kinds.validate("pretrain", ["dataset": .string(docsDataset.id), "model": ["layers": 1, "d_model": 32, "heads": 2, "context": 48],
                                                  "batch_size": 8, "steps": 30, "optimizer": ["lr": 0.01, "warmup": 3],
                                                  "metrics_every": 10, "eval_every": 30, "heldout_windows": 2, "checkpoint_every": 30])
        _ = try store.submit(JobSubmission(tenant: "acme", type: "pretrain", params: pre, seed: 3, idempotencyKey: "pre"))
        let c = try #require(try store.claim(owner: "w", types: ["pretrain"], leaseMillis: 600_000).first)
        let ctx = QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1)
        _ = try kinds.run("pretrain", pre, seed: 3, context: ctx)
        let ckpt = try #require(try ctx.latestCheckpoint()?.id)
        // Pairs from real text: prompt = 24 bytes, chosen = the next 16, rejected = 16 bytes of the next document.
        var lines: [String] = []
        let usable = docs.filter { $0.text.utf8.count >= 80 }
        for (i, d) in usable.prefix(24).enumerated() {
            let t = Array(d.text.utf8), other = Array(usable[(i + 1) % usable.count].text.utf8)
            let pair: JSONValue = ["id": .string("pair-\(i)"), "prompt": .string(String(decoding: t[0..<24], as: UTF8.self)),
                                   "chosen": .string(String(decoding: t[24..<40], as: UTF8.self)),
                                   "rejected": .string(String(decoding: other[40..<56], as: UTF8.self))]
            lines.append(String(decoding: pair.canonicalData(), as: UTF8.self))
        }
        var pimp = DatasetImport()
        try pimp.feed(Array(lines.joined(separator: "\n").utf8))
        let pairs = try store.createDataset(tenant: "acme", name: "pairs", from: pimp, sha256: try pimp.finish())
        return (store, ckpt, pairs.id)
    }

    func start(_ store: any QueueStore, _ params: JSONValue, key: String, type: String = "dpo") throws -> QueueJobContext {
        let resolved = try kinds.validate(type, params)
        _ = try store.submit(JobSubmission(tenant: "acme", type: type, params: resolved, seed: 11, idempotencyKey: key))
        let c = try #require(try store.claim(owner: "w", types: [type], leaseMillis: 600_000).first)
        return QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1)
    }

    func events(_ store: any QueueStore, _ job: String) throws -> [(String, JSONValue)] {
        try store.events(jobID: job, tenant: "acme", after: 0, limit: 100_000).events.map { ($0.type, $0.data) }
    }

    static func params(_ ckpt: String, _ pairs: String) -> JSONValue {
        ["model": .string(ckpt), "dataset": .string(pairs), "beta": 0.5, "steps": 16, "batch_size": 4, "metrics_every": 1,
         "checkpoint_every": 5, "optimizer": ["lr": 0.001], "displacement_threshold": 0.2, "report_pairs": 3]
    }

    @Test(arguments: StoreBackend.all) func trainsStreamsAndResumesOnTheSameTrajectory(_ backend: StoreBackend) throws {
        let (store, ckpt, pairs) = try setUp(backend)
        let a = try start(store, Self.params(ckpt, pairs), key: "a")
        let resultA = try kinds.run("dpo", try #require(try store.job(id: a.jobID, tenant: "acme")).params, seed: 11, context: a)
        let evA = try events(store, a.jobID)
        let prepared = try #require(evA.first { $0.0 == "pairs_prepared" }?.1)
        let count = try #require(try store.dataset(id: pairs, tenant: "acme")).recordCount
        #expect(count >= 20 && prepared["pairs"]?.intValue == count && prepared["pairs_trained"]?.intValue == count, "\(prepared)")
        #expect(prepared["prompt_truncated"] == 0 && prepared["response_truncated"] == 0)
        let metrics = evA.filter { $0.0 == "metrics" }.map(\.1)
        #expect(metrics.count == 16 && metrics.last?["step"] == 16)
        for m in metrics {
            for k in ["loss", "reward_margin", "reward_accuracy", "chosen_logprob_change", "rejected_logprob_change", "pairs_per_second"] {
                #expect(m[k]?.doubleValue?.isFinite == true, "\(k) in \(m)")
            }
        }
        // Policy = reference at the first step: ln 2 (spec §6.2 check 1); then the loss falls and the margin opens.
        #expect(Swift.abs((metrics.first?["loss"]?.doubleValue ?? 0) - Foundation.log(2)) < 1e-5, "\(metrics.first!)")
        #expect((metrics.last?["loss"]?.doubleValue ?? 9) < (metrics.first?["loss"]?.doubleValue ?? 0))
        #expect((resultA["reward_margin"]?.doubleValue ?? 0) > 0 && resultA["base_checkpoint"]?.stringValue == ckpt)
        #expect(resultA["most_displacing_pairs"]?.arrayValue?.count == 3 && resultA["steps"] == 16)
        #expect(resultA["policy_ranking"]?["ranking_accuracy"]?.doubleValue != nil && resultA["idealized_ranking_accuracy"]?.doubleValue != nil)

        // Killed at step 7 (checkpoint at 5), resumed: the same metrics, the same model.
        let b = try start(store, Self.params(ckpt, pairs), key: "b")
        let paramsB = try #require(try store.job(id: b.jobID, tenant: "acme")).params
        #expect(throws: JobError.stopped) { try kinds.run("dpo", paramsB, seed: 11, context: StopAfterContext(b, stopAfter: 7)) }
        #expect(try b.latestCheckpoint()?.step == 7)
        let resultB = try kinds.run("dpo", paramsB, seed: 11, context: b)
        func trajectory(_ e: [(String, JSONValue)]) -> [JSONValue] {
            e.filter { $0.0 == "metrics" }.map { var o = $0.1.objectValue!; o["pairs_per_second"] = nil; return .object(o) }
        }
        #expect(trajectory(evA) == trajectory(try events(store, b.jobID)))
        var ra = resultA.objectValue!, rb = resultB.objectValue!
        ra["checkpoint"] = nil; rb["checkpoint"] = nil
        #expect(ra == rb)
        let fa = try #require(try store.checkpoint(id: resultA["checkpoint"]!.stringValue!, tenant: "acme")).files
        let fb = try #require(try store.checkpoint(id: resultB["checkpoint"]!.stringValue!, tenant: "acme")).files
        #expect(fa.first { $0.name == "model.safetensors" }?.sha256 == fb.first { $0.name == "model.safetensors" }?.sha256)
        // The aligned model is a GPT checkpoint any LM kind reads.
        #expect(fa.map(\.name).sorted() == ["model.safetensors", "optimizer.safetensors", "state.json"])
        // evaluate_preferences on the aligned model against its base agrees with the dpo job's own evaluation.
        let ev = try start(store, ["model": .string(resultA["checkpoint"]!.stringValue!), "dataset": .string(pairs),
                                   "reference": .string(ckpt), "beta": 0.5, "report_pairs": 5], key: "ev", type: "evaluate_preferences")
        let e = try kinds.run("evaluate_preferences", try #require(try store.job(id: ev.jobID, tenant: "acme")).params, seed: 1, context: ev)
        #expect(e["model"] == resultA["policy_ranking"] && e["reference"] == resultA["reference_ranking"], "\(e)")
        #expect(e["idealized_ranking_accuracy"] == resultA["idealized_ranking_accuracy"])
        let hardest = try #require(e["hardest_pairs"]?.arrayValue)
        #expect(hardest.count == 5 && zip(hardest, hardest.dropFirst()).allSatisfy { ($0["difficulty"]?.doubleValue ?? 0) >= ($1["difficulty"]?.doubleValue ?? 0) })
        for h in hardest { #expect(h["ranked_correctly"]?.boolValue == ((h["margin"]?.doubleValue ?? -1) >= 0)) }
        // Lineage: the pairs and the base model's pretraining documents; a deletion request for either finds it.
        let lineage = try store.lineage(jobID: a.jobID)
        let datasets = Set(lineage.map(\.dataset))
        #expect(datasets.count == 2 && datasets.contains(pairs))
        let pretrainDoc = try #require(lineage.first { $0.dataset != pairs })
        #expect(try store.jobsTrained(onDataset: pretrainDoc.dataset, documentIDs: [pretrainDoc.documentID]).contains(a.jobID))
    }

    @Test(arguments: StoreBackend.all) func chesFilterDropsTheMostSimilarPairsAndBadParamsAreRefused(_ backend: StoreBackend) throws {
        let (store, ckpt, pairs) = try setUp(backend)
        var p = Self.params(ckpt, pairs).objectValue!
        p["ches_filter"] = 0.25; p["steps"] = 2
        let a = try start(store, .object(p), key: "f")
        let r = try kinds.run("dpo", try #require(try store.job(id: a.jobID, tenant: "acme")).params, seed: 11, context: a)
        let count = try #require(try store.dataset(id: pairs, tenant: "acme")).recordCount
        #expect(r["pairs_trained"]?.intValue == count - count / 4 && r["ches_filter_threshold"]?.doubleValue != nil, "\(count)")
        let top = try #require(r["most_displacing_pairs"]?.arrayValue)
        #expect(zip(top, top.dropFirst()).allSatisfy { ($0["ches"]?.doubleValue ?? 0) >= ($1["ches"]?.doubleValue ?? 0) })
        for (bad, param) in [(["beta": 0] as [String: JSONValue], "beta"), (["beta": -1], "beta"), (["loss": "ppo"], "loss"),
                             (["epochs": 1], "steps"), (["ches_filter": 1], "ches_filter"), (["optimizer": ["kind": "lion"]], "optimizer.kind")] {
            var q = Self.params(ckpt, pairs).objectValue!
            for (k, v) in bad { q[k] = v }
            #expect(throws: JobError.self) { try kinds.validate("dpo", .object(q)) }
            do { _ = try kinds.validate("dpo", .object(q)) } catch let JobError.invalid(got, _) { #expect(got == param, "\(bad)") } catch {}
        }
    }
}
