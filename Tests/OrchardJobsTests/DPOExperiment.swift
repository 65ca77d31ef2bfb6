import Foundation
import OrchardCorpus
import OrchardTensor
import Testing
@testable import OrchardJobs

/// The DPO reproductions of docs/results.md (issue 15 item 7 b–c): a byte-level GPT pretrained by the `pretrain` kind
/// on the 8-domain corpus, then `dpo` on KJV↔WEB verse pairs (chosen = WEB, rejected = KJV) without and with the CHES
/// filter, per seed; ranking accuracy of the reference, the policy and the idealized value from each job's result.
/// Off by default (minutes):
/// `ORCHARD_DPO_EXPERIMENT=data/corpus ORCHARD_ENGINE_ONLY=1 swift test --scratch-path .build-engine --filter DPOExperiment`
/// where DIR holds dataset-10mb/{train,heldout}.jsonl and preferences/kjv_web.jsonl; writes docs/results/dpo/summary.json.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ORCHARD_DPO_EXPERIMENT"] != nil, "set ORCHARD_DPO_EXPERIMENT=DIR"))
struct DPOExperiment {
    @Test func displacementWithAndWithoutCHESFilter() throws {
        let env = ProcessInfo.processInfo.environment
        let dir = URL(fileURLWithPath: env["ORCHARD_DPO_EXPERIMENT"]!)
        let pretrainSteps = Int(env["ORCHARD_DPO_PRETRAIN_STEPS"] ?? "") ?? 600
        let dpoSteps = Int(env["ORCHARD_DPO_STEPS"] ?? "") ?? 150
        let pairCount = Int(env["ORCHARD_DPO_PAIRS"] ?? "") ?? 2000
        let seeds = (env["ORCHARD_DPO_SEEDS"] ?? "1,2,3").split(separator: ",").compactMap { UInt64($0) }
        let filters = (env["ORCHARD_DPO_FILTERS"] ?? "0,0.5").split(separator: ",").compactMap { Double($0) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let out = root.appendingPathComponent(env["ORCHARD_DPO_OUT"] ?? "docs/results/dpo")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let ckptRoot = FileManager.default.temporaryDirectory.appendingPathComponent("dpo-exp-\(UUID().uuidString)")
        let registry = JobKindRegistry()
        registry.register(PretrainKind()); registry.register(DPOKind())

        // The base: one pretrain job (seed 1), shared by every DPO run.
        let corpus = dir.appendingPathComponent("dataset-10mb")
        let pre = LocalJobContext(jobID: "base", threads: 2,
                                  datasets: ["train": try LocalJobContext.readJSONL(corpus.appendingPathComponent("train.jsonl")),
                                             "heldout": try LocalJobContext.readJSONL(corpus.appendingPathComponent("heldout.jsonl"))],
                                  checkpointRoot: ckptRoot)
        let preParams = try #require(registry.kind(PretrainKind.type)).validate([
            "dataset": "train", "heldout_dataset": "heldout", "model": ["layers": 2, "d_model": 128, "heads": 4, "context": 128, "vocab": "bytes"],
            "optimizer": ["lr": 0.003, "warmup": 20], "batch_size": 16, "steps": .number(Double(pretrainSteps)),
            "metrics_every": 50, "eval_every": .number(Double(pretrainSteps)), "heldout_windows": 16, "checkpoint_every": .number(Double(pretrainSteps)),
            "threads": 2,
        ])
        let base = try registry.kind(PretrainKind.type)!.run(preParams, 1, pre)
        let baseCkpt = try #require(try pre.latestCheckpoint())
        print("EXPERIMENT base: held-out \(base["heldout_loss"]?.doubleValue ?? .nan) after \(pretrainSteps) steps")

        // A seeded subset of the verse pairs.
        var all = try String(contentsOf: dir.appendingPathComponent("preferences/kjv_web.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONDecoder().decode(PreferencePair.self, from: Data($0.utf8)) }
        var g = SeededRandom(seed: 2026)
        for i in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(i, g.nextInt(below: i + 1)) }
        let pairs = Array(all.prefix(pairCount)).sorted { $0.id < $1.id }

        var rows: [JSONValue] = []
        for seed in seeds {
            for filter in filters {
                let ctx = LocalJobContext(jobID: "dpo-\(seed)-\(filter)", threads: 2, datasets: [:], checkpointRoot: ckptRoot)
                ctx.pairDatasets = ["pairs": pairs]
                ctx.known = [baseCkpt.id: baseCkpt]
                let params = try #require(registry.kind(DPOKind.type)).validate([
                    "model": .string(baseCkpt.id), "dataset": "pairs", "loss": "dpo", "beta": 0.1, "steps": .number(Double(dpoSteps)),
                    "batch_size": 8, "optimizer": ["kind": "adamw", "lr": 1e-4], "metrics_every": 10, "ches_filter": .number(filter),
                    "displacement_threshold": 1, "report_pairs": 5, "threads": 2,
                ])
                let started = Date()
                let result = try registry.kind(DPOKind.type)!.run(params, seed, ctx)
                var row = result.objectValue!
                row["seed"] = .number(Double(seed)); row["ches_filter"] = .number(filter)
                row["wall_seconds"] = .number(Date().timeIntervalSince(started))
                row["trajectory"] = .array(ctx.events.filter { $0.type == "metrics" }.map(\.data))
                rows.append(.object(row))
                print("EXPERIMENT dpo seed \(seed) filter \(filter): chosen \(result["final_chosen_logprob_change"]?.doubleValue ?? .nan), rejected \(result["final_rejected_logprob_change"]?.doubleValue ?? .nan), displacement at \(result["displacement_step"] ?? .null)")
                for name in ["displacement"] {
                    try JobPlots.svg(name: name, metrics: ctx.events.filter { $0.type == "metrics" }.map(\.data))
                        .write(to: out.appendingPathComponent("dpo-seed\(seed)-filter\(filter)-\(name).svg"), atomically: true, encoding: .utf8)
                }
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                try e.encode(JSONValue.object(["base": base, "pairs": .number(Double(pairs.count)), "runs": .array(rows)]))
                    .write(to: out.appendingPathComponent("summary.json"))
            }
        }
        #expect(rows.count == seeds.count * filters.count)
    }
}
