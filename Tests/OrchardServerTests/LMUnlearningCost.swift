import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardCorpus
import OrchardJobs
import OrchardServer
import OrchardTestSupport
import Testing

/// The cost of language-model deletion (issue 17 item 7), measured through the server (env-gated, not part of CI):
/// for forget sets first read early, midway and late in training, the exact replay's wall time against the full
/// training run's (the time a retrain takes), and each approximate method's time per 1,000 forget tokens. Prints a
/// table and writes JSON to `ORCHARD_LM_UNLEARN_COST` (a file path).
///   ORCHARD_LM_UNLEARN_COST=docs/results/lm-unlearn-cost.json swift test --filter LMUnlearningCost
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["ORCHARD_LM_UNLEARN_COST"] != nil
                                && FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
struct LMUnlearningCost {
    static let steps = 360, checkpointEvery = 36

    static func params(_ ds: String) -> JSONValue {
        ["dataset": .string(ds), "model": ["layers": 2, "d_model": 128, "heads": 4, "context": 64], "batch_size": 8,
         "steps": .number(Double(steps)), "optimizer": ["lr": 0.003, "warmup": 20], "mixture": ["kind": "natural"],
         "metrics_every": 50, "eval_every": 100, "heldout_windows": 8, "checkpoint_every": .number(Double(checkpointEvery)), "threads": 2]
    }

    /// Training time (train + mixture seconds, as the job measured it: evaluation and checkpoints excluded).
    func trainingSeconds(_ result: JSONValue?) -> Double {
        (result?["train_seconds"]?.doubleValue ?? 0) + (result?["mixture_seconds"]?.doubleValue ?? 0)
    }

    @Test func replayAndApproximateCost() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()) })
        let t = LMUnlearningTests(), d = DeletionRequestTests()
        try await s.app().test(.live) { client in
            var rows: [JSONValue] = []
            let upload = try await client.execute(uri: "/v1/datasets?name=dpkg", method: .post, headers: s.auth(),
                                                  body: ByteBuffer(string: DeletionRequestTests.jsonl))
            let ds = try #require(json(upload.body)["id"]?.stringValue)
            let byID = Dictionary(DeletionRequestTests.corpus.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            print("| first read | from step | steps replayed | replay training s | full training s | replay / full |")
            print("|---|---|---|---|---|---|")
            var lateModel = "", lateIDs: [String] = []
            // 360 steps × 8 × 65 tokens ≈ 187k: under one epoch of the ≈ 210 KB training split, so documents are first
            // read all through training.
            for (name, at) in [("early", 0.1), ("midway", 0.5), ("late", 0.85)] {
                // A fresh model per position (seed differs), so each request edits an original.
                let seed = 21 + Int(at * 10)
                let original = try await d.submitJob(client, s, type: "pretrain", params: Self.params(ds), seed: seed)
                let model = try #require(original["id"]?.stringValue)
                let read = try await t.lineage(client, s, model)
                let target = Int(at * Double(Self.steps))
                let ids = read.filter { ($0["first_step"]?.intValue ?? -1) >= target }
                    .sorted { ($0["first_step"]?.intValue ?? 0) < ($1["first_step"]?.intValue ?? 0) }.prefix(4).compactMap { $0["document_id"]?.stringValue }
                let (status, created, _) = try await d.fileRequest(client, s, ["dataset": .string(ds), "document_ids": .array(ids.map(JSONValue.string)),
                                                                                "reason": "cost", "mode": "exact"])
                #expect(status == .created, "\(name): \(ids.count) documents: \(created)")
                let done = try await d.waitForRequest(client, s, try #require(created["id"]?.stringValue))
                let action = try #require(done["actions"]?.arrayValue?.first { $0["model"]?.stringValue == model })
                let job = try await t.get(client, s, "/v1/jobs/\(try #require(action["job_id"]?.stringValue))")
                let replay = job["result"]?["replay"]
                let (w, full) = (trainingSeconds(job["result"]?["training"]), trainingSeconds(original["result"]))
                print("| \(name) (step ≥ \(target)) | \(replay?["from_step"]?.intValue ?? -1) | \(replay?["steps_replayed"]?.intValue ?? -1) | \(String(format: "%.1f", w)) | \(String(format: "%.1f", full)) | \(String(format: "%.2f", w / full)) |")
                rows.append(["position": .string(name), "first_read_at_least": .number(Double(target)), "from_step": replay?["from_step"] ?? .null,
                             "steps_replayed": replay?["steps_replayed"] ?? .null, "replay_seconds": .number(w), "full_training_seconds": .number(full),
                             "replay_job_includes_evaluation": true])
                if name == "late" { lateModel = model; lateIDs = ids }
            }
            // Approximate methods on the late model's forget set (already tombstoned), one epoch each, lr 1e-3.
            let docs: [JSONValue] = lateIDs.map { ["id": .string($0), "text": .string(byID[$0]!.text)] }
            let tokens = lateIDs.reduce(0) { $0 + byID[$1]!.text.utf8.count }
            print("\n| method | epochs | forget tokens | wall s | s per 1,000 forget tokens per epoch |\n|---|---|---|---|---|")
            for method in ["ga", "ga_gdr", "ga_klr", "npo", "npo_gdr", "npo_klr", "task_vector"] {
                let job = try await d.submitJob(client, s, type: "lm_unlearn", params: [
                    "model": .string(lateModel), "forget_documents": .array(docs), "mode": "approximate", "method": .string(method),
                    "lr": 0.001, "epochs": 1])
                let w = job["result"]?["approximate"]?["seconds"]?.doubleValue ?? .nan
                print("| \(method) | 1 | \(tokens) | \(String(format: "%.2f", w)) | \(String(format: "%.3f", w / Double(tokens) * 1000)) |")
                rows.append(["method": .string(method), "epochs": 1, "forget_tokens": .number(Double(tokens)), "seconds": .number(w)])
            }
            let out = URL(fileURLWithPath: ProcessInfo.processInfo.environment["ORCHARD_LM_UNLEARN_COST"]!)
            try JSONValue.array(rows).canonicalData().write(to: out)
        }
    }
}
