import Foundation
import OrchardCorpus
import OrchardTensor
import Testing
@testable import OrchardJobs

/// A job context for driving runners outside the service (the docs/results.md experiment): documents from
/// JSONL files, events kept in memory, checkpoints renamed into a directory. Same runner code as the server.
final class LocalJobContext: JobContext, @unchecked Sendable {
    let jobID: String
    let tenant = "local"
    let attempt = 1
    let threads: Int
    var shouldStop: Bool { false }
    let datasets: [String: [Document]]
    let checkpointRoot: URL
    private(set) var events: [(type: String, data: JSONValue)] = []
    private var latest: CheckpointRef?
    private(set) var lineage: Set<String> = []
    /// Preference-pair datasets, and checkpoints of earlier runs this one may read by id (a base model).
    var pairDatasets: [String: [PreferencePair]] = [:]
    var known: [String: CheckpointRef] = [:]

    init(jobID: String, threads: Int, datasets: [String: [Document]], checkpointRoot: URL) {
        self.jobID = jobID; self.threads = threads; self.datasets = datasets; self.checkpointRoot = checkpointRoot
    }
    func emit(type: String, message: String, data: JSONValue, level: String) throws { events.append((type, data)) }
    func progress(step: Int, totalSteps: Int?, tokens: Int?) throws {}
    func saveCheckpoint(step: Int, metrics: [String: Double], privateFiles: Set<String>, pinned: Bool,
                        write: (URL) throws -> Void) throws -> CheckpointRef {
        let tmp = checkpointRoot.appendingPathComponent(".tmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        try write(tmp)
        let dir = checkpointRoot.appendingPathComponent("\(jobID)-\(step)")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.moveItem(at: tmp, to: dir)
        let ref = CheckpointRef(id: "\(jobID)-\(step)", jobID: jobID, step: step, directory: dir, metrics: metrics)
        latest = ref
        return ref
    }
    func latestCheckpoint() throws -> CheckpointRef? { latest }
    /// One model per context: versions count up from the root's number.
    private var lastVersion: [String: Int] = [:]
    func reserveModelVersion(root: String, rootVersion: Int) throws -> Int {
        let next = max(rootVersion, lastVersion[root] ?? rootVersion) + 1
        lastVersion[root] = next
        return next
    }
    func checkpoint(id: String) throws -> CheckpointRef? { latest?.id == id ? latest : known[id] }
    func documents(dataset: String) throws -> [Document] {
        guard let d = datasets[dataset] else { throw JobError.invalid(param: "dataset", message: "no dataset \(dataset)") }
        return d
    }
    func preferencePairs(dataset: String) throws -> [PreferencePair] {
        guard let p = pairDatasets[dataset] else { throw JobError.invalid(param: "dataset", message: "no pair dataset \(dataset)") }
        return p
    }
    func recordLineage(dataset: String, documentIDs: [String]) throws { lineage.formUnion(documentIDs) }

    static func readJSONL(_ url: URL) throws -> [Document] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Document.self, from: Data($0.utf8))
        }.sorted { $0.id < $1.id }
    }
}

/// The experiment of docs/results.md (issue 4 item 6): ADO vs natural vs uniform, 3 seeds, equal token budget,
/// on the domains of `orchard corpus prepare` (or `--offline`). Off by default (minutes):
/// `ORCHARD_PRETRAIN_EXPERIMENT=DIR ORCHARD_ENGINE_ONLY=1 swift test --scratch-path .build-engine --filter PretrainExperiment`
/// where DIR holds train.jsonl and heldout.jsonl; writes docs/results/pretrain/{summary.json,*.svg}.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ORCHARD_PRETRAIN_EXPERIMENT"] != nil, "set ORCHARD_PRETRAIN_EXPERIMENT=DIR"))
struct PretrainExperiment {
    @Test func adoVersusNaturalVersusUniform() throws {
        let env = ProcessInfo.processInfo.environment
        let dir = URL(fileURLWithPath: env["ORCHARD_PRETRAIN_EXPERIMENT"]!)
        let steps = Int(env["ORCHARD_PRETRAIN_STEPS"] ?? "") ?? 300
        let seeds = (env["ORCHARD_PRETRAIN_SEEDS"] ?? "1,2,3").split(separator: ",").compactMap { UInt64($0) }
        let kinds = (env["ORCHARD_PRETRAIN_KINDS"] ?? "natural,uniform,ado").split(separator: ",").map(String.init)
        // Optional ADO hyperparameters as JSON, e.g. {"update_interval": 30} (default: every one "auto").
        let adoConfig = try env["ORCHARD_PRETRAIN_ADO_CONFIG"].map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        // Optional model and batch size (default: the tiny L2 d64 H2 T64 model, batch 16).
        let model = try env["ORCHARD_PRETRAIN_MODEL"].map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
            ?? ["layers": 2, "d_model": 64, "heads": 2, "context": 64, "vocab": "bytes"]
        let batchSize = Int(env["ORCHARD_PRETRAIN_BATCH"] ?? "") ?? 16
        let outName = env["ORCHARD_PRETRAIN_OUT"] ?? "docs/results/pretrain"
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let out = outName.hasPrefix("/") ? URL(fileURLWithPath: outName) : root.appendingPathComponent(outName)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        var datasets = ["train": try LocalJobContext.readJSONL(dir.appendingPathComponent("train.jsonl")),
                        "heldout": try LocalJobContext.readJSONL(dir.appendingPathComponent("heldout.jsonl"))]
        // Positive control (ORCHARD_PRETRAIN_RANDOM_DOMAIN=w): a domain "random" of uniformly random printable ASCII
        // (bytes 32...126, 2,000 per document, seed 2024), sized so its natural weight is w. Nothing in it can be learnt
        // beyond its unigram distribution, so a mixture method should move weight away from it.
        if let w = env["ORCHARD_PRETRAIN_RANDOM_DOMAIN"].flatMap(Double.init), w > 0, w < 1 {
            let realBytes = datasets["train"]!.reduce(0) { $0 + $1.text.utf8.count }
            let count = Int((w / (1 - w) * Double(realBytes) / 2000).rounded())
            var g = SeededRandom(seed: 2024)
            func randomText() -> String { String(decoding: (0..<2000).map { _ in UInt8(32 + g.next() % 95) }, as: UTF8.self) }
            datasets["train"]! += (0..<count).map { Document(id: "random/\($0)", domain: "random", text: randomText()) }
            datasets["heldout"]! += (0..<64).map { Document(id: "random/heldout-\($0)", domain: "random", text: randomText()) }
            datasets["train"]!.sort { $0.id < $1.id }; datasets["heldout"]!.sort { $0.id < $1.id }
        }
        let ckpt = FileManager.default.temporaryDirectory.appendingPathComponent("pretrain-exp-\(UUID().uuidString)")
        // Runs of an earlier invocation that the derived kinds (natural_without_random, ado_final) may read.
        let prior: [JSONValue] = try env["ORCHARD_PRETRAIN_PRIOR"].map {
            try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: $0))).arrayValue ?? []
        } ?? []
        var rows: [JSONValue] = []
        for seed in seeds {
            // "ado_final": the fixed-mixture ablation, ADO's final weights of the same seed (run "ado" first).
            func mixture(_ kind: String) throws -> JSONValue {
                switch kind {
                case "ado": return adoConfig.map { ["kind": "ado", "config": $0] } ?? ["kind": "ado"]
                case "natural_without_random":
                    // The oracle of the positive control: natural weights with the random domain removed.
                    var w = try #require((rows + prior).first { $0["kind"] == "natural" }?["final_weights"]?.objectValue, "run natural first")
                    w["random"] = 0
                    return ["kind": "fixed", "weights": .object(w)]
                case "ado_final":
                    let ado = try #require((prior + rows).last { $0["kind"] == "ado" && $0["seed"] == .number(Double(seed)) }, "run ado before ado_final")
                    return ["kind": "fixed", "weights": try #require(ado["final_weights"])]
                default: return ["kind": .string(kind)]
                }
            }
            for kind in kinds {
                let params: JSONValue = [
                    "dataset": "train", "heldout_dataset": "heldout",
                    "model": model,
                    "optimizer": ["lr": 0.003, "warmup": 20], "batch_size": .number(Double(batchSize)), "steps": .number(Double(steps)),
                    "mixture": try mixture(kind), "metrics_every": 10, "eval_every": .number(Double(steps / 10)),
                    "heldout_windows": 32, "checkpoint_every": .number(Double(steps)), "threads": 2,
                ]
                let registry = JobKindRegistry()
                registry.register(PretrainKind())
                let runner = try #require(registry.kind(PretrainKind.type))
                let resolved = try runner.validate(params)
                let ctx = LocalJobContext(jobID: "\(kind)-\(seed)", threads: 2, datasets: datasets, checkpointRoot: ckpt)
                let started = Date()
                let result = try runner.run(resolved, seed, ctx)
                let wall = Date().timeIntervalSince(started)
                let metrics = ctx.events.filter { $0.type == "metrics" }.map(\.data)
                for name in ["loss", "mixture"] {   // a pretrain job's plots (JobPlots.names also has DPO's displacement)
                    try JobPlots.svg(name: name, metrics: metrics)
                        .write(to: out.appendingPathComponent("\(kind)-seed\(seed)-\(name).svg"), atomically: true, encoding: .utf8)
                }
                var row = result.objectValue!
                row["seed"] = .number(Double(seed)); row["kind"] = .string(kind); row["wall_seconds"] = .number(wall)
                row["params"] = resolved
                row["trajectory"] = .array(metrics.map { ["step": $0["step"] ?? .null, "weights": $0["weights"] ?? .null,
                                                          "heldout_loss": $0["heldout_loss"] ?? .null] })
                rows.append(.object(row))
                print("EXPERIMENT \(kind) seed \(seed): held-out \(result["heldout_loss"]?.doubleValue ?? .nan) wall \(Int(wall)) s, mixture overhead \(result["mixture_overhead_fraction"]?.doubleValue ?? .nan)")
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                try e.encode(JSONValue.array(rows)).write(to: out.appendingPathComponent("summary-seeds\(seeds.map(String.init).joined(separator: "-")).json"))
            }
        }
        #expect(rows.count == seeds.count * kinds.count)
    }
}
