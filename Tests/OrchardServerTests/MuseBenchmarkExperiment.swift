import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardCorpus
import OrchardJobs
import OrchardServer
import OrchardTestSupport
import Testing

/// The MUSE-shaped benchmark (issue 17 item 4), through the real server (env-gated; not part of CI). Reads the output
/// of `orchard corpus muse --out DIR`; per seed: a target `pretrain` on the forget chapters (a scalability set) plus the
/// first chapters of each retain novel; an exact deletion request for the forget chapters on a twin of the target (the
/// same data and seed: the same model; its replay is the exact retrain, and the request purges the twin's checkpoints
/// that carry the chapters); each approximate method run on the target (`lm_unlearn`, approximate); `unlearn_eval` of the
/// retrain and every method against the retrain. Prints the six-way table and writes JSON.
///   ORCHARD_MUSE_DIR=data/corpus/muse-austen ORCHARD_MUSE_OUT=docs/results/muse/pilot.json \
///   ORCHARD_MUSE_SEEDS=1 ORCHARD_MUSE_STEPS=3000 swift test --filter MuseBenchmarkExperiment
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["ORCHARD_MUSE_DIR"] != nil))
struct MuseBenchmarkExperiment {
    let env = ProcessInfo.processInfo.environment
    /// Benchmark jobs run minutes, not the tests' seconds.
    static let long: Duration = .seconds(3600)
    func int(_ k: String, _ d: Int) -> Int { env[k].flatMap(Int.init) ?? d }
    func double(_ k: String, _ d: Double) -> Double { env[k].flatMap(Double.init) ?? d }

    static func jsonl(_ docs: [OrchardCorpus.Document]) -> String {
        docs.map { d in String(decoding: JSONValue.object(["id": .string(d.id), "domain": .string(d.domain), "text": .string(d.text)]).canonicalData(), as: UTF8.self) }
            .joined(separator: "\n")
    }

    @Test func sixWayTable() async throws {
        let dir = URL(fileURLWithPath: env["ORCHARD_MUSE_DIR"]!)
        let train = try JSONLines.read(dir.appendingPathComponent("train.jsonl"))
        let holdoutAll = try JSONLines.read(dir.appendingPathComponent("holdout.jsonl"))
        let splits = try JSONDecoder().decode(MuseBenchmarkCorpus.Splits.self, from: Data(contentsOf: dir.appendingPathComponent("splits.json")))
        let forgetIDs = splits.scalability[int("ORCHARD_MUSE_SCAL", 1)]
        let perRetain = int("ORCHARD_MUSE_RETAIN_CHAPTERS", 10)
        let forget = train.filter { Set(forgetIDs).contains($0.id) }
        let retain = splits.retain_books.flatMap { b in train.filter { $0.domain == b }.prefix(perRetain) }
        let holdout = Array(holdoutAll.prefix(int("ORCHARD_MUSE_HOLDOUT", 20)))
        let steps = int("ORCHARD_MUSE_STEPS", 3000), lr = double("ORCHARD_MUSE_LR", 1e-3)
        let seeds = (env["ORCHARD_MUSE_SEEDS"] ?? "1").split(separator: ",").compactMap { Int($0) }
        let methods = (env["ORCHARD_MUSE_METHODS"] ?? "ga,ga_gdr,ga_klr,npo,npo_gdr,npo_klr,task_vector,whp").split(separator: ",").map(String.init)
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(UnlearnEvalKind()) })
        let t = LMUnlearningTests(), d = DeletionRequestTests()
        try await s.app().test(.live) { client in
            var out: [JSONValue] = []
            func upload(_ docs: [OrchardCorpus.Document], _ name: String) async throws -> String {
                let r = try await client.execute(uri: "/v1/datasets?name=\(name)", method: .post, headers: s.auth(), body: ByteBuffer(string: Self.jsonl(docs)))
                return try #require(json(r.body)["id"]?.stringValue, "\(json(r.body))")
            }
            let forgetSet = try await upload(forget, "forget"), holdoutSet = try await upload(holdout, "holdout"), retainSet = try await upload(retain, "retain")
            print("forget \(forget.count) chapters (\(forget.reduce(0) { $0 + $1.text.utf8.count }) bytes), retain \(retain.count), holdout \(holdout.count); \(steps) steps; methods lr \(lr)")
            print("| seed | model | VerbMem_f | KnowMem_f | KnowMem_r | MIA AUC | PrivLeak | retain loss |\n|---|---|---|---|---|---|---|---|")
            for seed in seeds {
                let ds = try await upload(forget + retain, "train-\(seed)"), twin = try await upload(forget + retain, "twin-\(seed)")
                let params: (String) -> JSONValue = { ds in ["dataset": .string(ds), "model": ["layers": 2, "d_model": 128, "heads": 4, "context": 128], "batch_size": 16,
                                         "steps": .number(Double(steps)), "optimizer": ["lr": 0.003, "warmup": 50], "mixture": ["kind": "natural"],
                                         "metrics_every": 100, "eval_every": .number(Double(steps / 5)), "heldout_fraction": 0.001,
                                         "checkpoint_every": .number(Double(steps / 10)), "threads": 2] }
                let target = try await d.submitJob(client, s, type: "pretrain", params: params(ds), seed: seed, timeout: Self.long)
                let model = try #require(target["id"]?.stringValue), targetCkpt = try #require(target["latest_checkpoint_id"]?.stringValue)
                // The exact retrain: a deletion request for the forget chapters on a twin of the target (same data and
                // seed: the same model), replayed from its newest checkpoint before their first read. The request
                // purges the twin's checkpoints that carry the chapters; the target stays for the methods to edit.
                let twinTarget = try await d.submitJob(client, s, type: "pretrain", params: params(twin), seed: seed, timeout: Self.long)
                #expect(twinTarget["result"]?["heldout_loss"] == target["result"]?["heldout_loss"], "the twin is the same model")
                let (_, created, _) = try await d.fileRequest(client, s, ["dataset": .string(twin), "document_ids": .array(forgetIDs.map(JSONValue.string)),
                                                                           "reason": "benchmark", "mode": "exact"])
                let done = try await d.waitForRequest(client, s, try #require(created["id"]?.stringValue), timeout: Self.long)
                let retrainCkpt = try #require(done["new_model_versions"]?.arrayValue?.first?["checkpoint"]?.stringValue)
                var rows: [(String, String)] = [("target", targetCkpt), ("retrain", retrainCkpt)]
                let docs: [JSONValue] = forget.map { ["id": .string($0.id), "text": .string($0.text)] }
                for m in methods {
                    let job = try await d.submitJob(client, s, type: "lm_unlearn", params: [
                        "model": .string(model), "checkpoint": .string(targetCkpt), "forget_documents": .array(docs), "mode": "approximate",
                        "method": .string(m), "lr": .number(lr), "batch_size": 4], timeout: Self.long)
                    rows.append((m, try #require(job["result"]?["checkpoint"]?.stringValue)))
                }
                for (name, ckpt) in rows {
                    let e = try await d.submitJob(client, s, type: "unlearn_eval", params: [
                        "model": .string(ckpt), "retrain": .string(retrainCkpt), "forget_dataset": .string(forgetSet),
                        "holdout_dataset": .string(holdoutSet), "retain_dataset": .string(retainSet), "max_texts": 100], timeout: Self.long)
                    let r = try #require(e["result"]?["model"])
                    func f(_ k: String, _ digits: Int = 2) -> String { r[k]?.doubleValue.map { String(format: "%.\(digits)f", $0) } ?? "–" }
                    print("| \(seed) | \(name) | \(f("verbmem_forget")) | \(f("knowmem_forget")) | \(f("knowmem_retain")) | \(f("mia_auc", 3)) | \(f("privleak", 1)) | \(f("utility_loss", 3)) |")
                    out.append(["seed": .number(Double(seed)), "model": .string(name), "checkpoint": .string(ckpt), "report": r])
                }
                let outFile = URL(fileURLWithPath: env["ORCHARD_MUSE_OUT"] ?? "muse.json")
                try FileManager.default.createDirectory(at: outFile.deletingLastPathComponent(), withIntermediateDirectories: true)
                try JSONValue.array(out).canonicalData().write(to: outFile)
            }
        }
    }

    /// Scalability and sustainability (issue 17 item 4). Per seed, copies of one model (the same data uploaded again
    /// and the same seed give the same model, checked): the target T, which each method edits once per nested forget
    /// set (scalability: ORCHARD_MUSE_SIZES chapters, default 5, 10, 20, 40); twin A, on which 4 sequential exact
    /// deletion requests of ORCHARD_MUSE_BLOCK chapters each (default 10) give the exact retrains without the first
    /// 1, 2, 3, 4 blocks; a twin per scalability size that is not a whole number of blocks, whose exact request gives
    /// that retrain; and per method a copy on which the 4 requests run in approximate mode with that method
    /// (sustainability: request k edits the version request k − 1 released; earlier chapters are tombstoned, so
    /// GDR/KLR's retain set never holds them). Each result is evaluated against the retrain without the same
    /// (cumulative) chapters while that retrain is its copy's current version (the next request purges it). Copies are
    /// needed because a deletion request purges the checkpoints of a model that carry the documents.
    ///   ORCHARD_MUSE_DIR=data/corpus/muse-austen ORCHARD_MUSE_SWEEP_OUT=docs/results/muse/sweeps.json \
    ///   ORCHARD_MUSE_SEEDS=1,2,3 ORCHARD_MUSE_STEPS=1000 ORCHARD_MUSE_METHODS=ga_klr \
    ///   swift test --filter "MuseBenchmarkExperiment/sweeps"
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ORCHARD_MUSE_SWEEP_OUT"] != nil)) func sweeps() async throws {
        let dir = URL(fileURLWithPath: env["ORCHARD_MUSE_DIR"]!)
        let train = try JSONLines.read(dir.appendingPathComponent("train.jsonl"))
        let holdoutAll = try JSONLines.read(dir.appendingPathComponent("holdout.jsonl"))
        let splits = try JSONDecoder().decode(MuseBenchmarkCorpus.Splits.self, from: Data(contentsOf: dir.appendingPathComponent("splits.json")))
        // Blocks of ORCHARD_MUSE_BLOCK chapters (default the corpus's 10) in the corpus's order; scalability sizes
        // ORCHARD_MUSE_SIZES (default 5, 10, 20, 40): nested prefixes of the same order.
        let corpusOrder = splits.sustainability.flatMap { $0 }
        #expect(splits.scalability.allSatisfy { Array(corpusOrder.prefix($0.count)) == $0 }, "the nested sets are prefixes of the blocks")
        let blockSize = int("ORCHARD_MUSE_BLOCK", MuseBenchmarkCorpus.sustainabilityBlockSize)
        let blocks = (0..<MuseBenchmarkCorpus.sustainabilityBlocks).map { Array(corpusOrder[($0 * blockSize)..<(($0 + 1) * blockSize)]) }
        let sizes = (env["ORCHARD_MUSE_SIZES"] ?? MuseBenchmarkCorpus.scalabilitySizes.map(String.init).joined(separator: ","))
            .split(separator: ",").compactMap { Int($0) }
        let all = Array(corpusOrder.prefix(max(blocks.count * blockSize, sizes.max()!)))
        let byID = Dictionary(uniqueKeysWithValues: train.map { ($0.id, $0) })
        let perRetain = int("ORCHARD_MUSE_RETAIN_CHAPTERS", 10)
        let retain = splits.retain_books.flatMap { b in train.filter { $0.domain == b }.prefix(perRetain) }
        let holdout = Array(holdoutAll.prefix(int("ORCHARD_MUSE_HOLDOUT", 20)))
        let steps = int("ORCHARD_MUSE_STEPS", 1000), lr = double("ORCHARD_MUSE_LR", 1e-3), maxTexts = int("ORCHARD_MUSE_MAX_TEXTS", 40)
        let seeds = (env["ORCHARD_MUSE_SEEDS"] ?? "1").split(separator: ",").compactMap { Int($0) }
        let methods = (env["ORCHARD_MUSE_METHODS"] ?? "ga_klr").split(separator: ",").map(String.init)
        let outFile = URL(fileURLWithPath: env["ORCHARD_MUSE_SWEEP_OUT"]!)
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(UnlearnEvalKind()) })
        let d = DeletionRequestTests()
        let started = Date()
        try await s.app().test(.live) { client in
            var out: [JSONValue] = []
            func upload(_ docs: [OrchardCorpus.Document], _ name: String) async throws -> String {
                let r = try await client.execute(uri: "/v1/datasets?name=\(name)", method: .post, headers: s.auth(), body: ByteBuffer(string: Self.jsonl(docs)))
                return try #require(json(r.body)["id"]?.stringValue, "\(json(r.body))")
            }
            let forgetDocs = all.map { byID[$0]! }
            let holdoutSet = try await upload(holdout, "holdout"), retainSet = try await upload(retain, "retain")
            // Forget sets for evaluation: the first n chapters (n = 5, 10, 20, 30, 40).
            var forgetSets: [Int: String] = [:]
            for n in Set(sizes + (1...blocks.count).map { $0 * blockSize }).sorted() {
                forgetSets[n] = try await upload(Array(forgetDocs.prefix(n)), "forget-\(n)")
            }
            func evaluate(_ seed: Int, _ sweep: String, _ n: Int, _ name: String, _ ckpt: String, _ retrain: String) async throws {
                let e = try await d.submitJob(client, s, type: "unlearn_eval", params: [
                    "model": .string(ckpt), "retrain": .string(retrain), "forget_dataset": .string(forgetSets[n]!),
                    "holdout_dataset": .string(holdoutSet), "retain_dataset": .string(retainSet), "max_texts": .number(Double(maxTexts))], timeout: Self.long)
                let r = try #require(e["result"]?["model"])
                func f(_ k: String, _ digits: Int = 2) -> String { r[k]?.doubleValue.map { String(format: "%.\(digits)f", $0) } ?? "–" }
                print("| \(seed) | \(sweep) | \(n) | \(name) | \(f("verbmem_forget")) | \(f("knowmem_forget")) | \(f("mia_auc", 3)) | \(f("privleak", 1)) | \(f("utility_loss", 3)) | \(Int(Date().timeIntervalSince(started))) s |")
                out.append(["seed": .number(Double(seed)), "sweep": .string(sweep), "forget_chapters": .number(Double(n)), "model": .string(name),
                            "checkpoint": .string(ckpt), "report": r])
                try FileManager.default.createDirectory(at: outFile.deletingLastPathComponent(), withIntermediateDirectories: true)
                try JSONValue.array(out).canonicalData().write(to: outFile, options: .atomic)
            }
            print("forget \(all.count) chapters in \(blocks.count) blocks, retain \(retain.count), holdout \(holdout.count); \(steps) steps; methods \(methods) lr \(lr)")
            print("| seed | sweep | chapters | model | VerbMem_f | KnowMem_f | MIA AUC | PrivLeak | retain loss | elapsed |\n|---|---|---|---|---|---|---|---|---|---|")
            for seed in seeds {
                var heldout: JSONValue? = nil
                /// A copy of the model: the training data uploaded again, trained with the same params and seed.
                func copy(_ name: String) async throws -> (model: String, dataset: String, checkpoint: String) {
                    let ds = try await upload(forgetDocs + retain, "\(name)-\(seed)")
                    let job = try await d.submitJob(client, s, type: "pretrain", params: [
                        "dataset": .string(ds), "model": ["layers": 2, "d_model": 128, "heads": 4, "context": 128], "batch_size": 16,
                        "steps": .number(Double(steps)), "optimizer": ["lr": 0.003, "warmup": 50], "mixture": ["kind": "natural"],
                        "metrics_every": 100, "eval_every": .number(Double(steps / 5)), "heldout_fraction": 0.001,
                        "checkpoint_every": .number(Double(steps / 10)), "threads": 2], seed: seed, timeout: Self.long)
                    if heldout == nil { heldout = job["result"]?["heldout_loss"] }
                    #expect(job["result"]?["heldout_loss"] == heldout, "every copy is the same model")
                    return (try #require(job["id"]?.stringValue), ds, try #require(job["latest_checkpoint_id"]?.stringValue))
                }
                /// A deletion request on a copy; the checkpoint of the version it released.
                func request(_ ds: String, _ ids: [String], _ mode: JSONValue) async throws -> String {
                    var payload: [String: JSONValue] = ["dataset": .string(ds), "document_ids": .array(ids.map(JSONValue.string)), "reason": "benchmark"]
                    payload.merge(mode.objectValue!) { $1 }
                    let (_, created, _) = try await d.fileRequest(client, s, .object(payload))
                    let done = try await d.waitForRequest(client, s, try #require(created["id"]?.stringValue, "\(created)"), timeout: Self.long)
                    return try #require(done["new_model_versions"]?.arrayValue?.first?["checkpoint"]?.stringValue, "\(done)")
                }
                let target = try await copy("target"), twinA = try await copy("twin-a")
                // Sizes that are not a cumulative block count get a twin (and an exact request) of their own.
                var twins: [Int: (model: String, dataset: String, checkpoint: String)] = [:]
                for n in sizes where n % blockSize != 0 || n / blockSize > blocks.count { twins[n] = try await copy("twin-\(n)") }
                var chains: [String: (model: String, dataset: String, checkpoint: String)] = [:]
                for m in methods { chains[m] = try await copy("chain-\(m)") }
                // Scalability edits of the target (it never gets a deletion request, so it stays live).
                var edited: [String: [Int: String]] = [:]
                for m in methods {
                    for n in sizes {
                        let job = try await d.submitJob(client, s, type: "lm_unlearn", params: [
                            "model": .string(target.model), "checkpoint": .string(target.checkpoint), "mode": "approximate",
                            "forget_documents": .array(forgetDocs.prefix(n).map { ["id": .string($0.id), "text": .string($0.text)] }),
                            "method": .string(m), "lr": .number(lr), "batch_size": 4], timeout: Self.long)
                        edited[m, default: [:]][n] = try #require(job["result"]?["checkpoint"]?.stringValue, "\(job)")
                    }
                }
                // Each retrain is evaluated against while it is its copy's current version (the next request purges it).
                func scalability(_ n: Int, _ retrain: String) async throws {
                    guard sizes.contains(n) else { return }
                    try await evaluate(seed, "scalability", n, "target", target.checkpoint, retrain)
                    for m in methods { try await evaluate(seed, "scalability", n, m, edited[m]![n]!, retrain) }
                }
                for (n, twin) in twins.sorted(by: { $0.key < $1.key }) {
                    try await scalability(n, try await request(twin.dataset, Array(all.prefix(n)), ["mode": "exact"]))
                }
                for (k, b) in blocks.enumerated() {
                    let n = (k + 1) * blockSize
                    let retrain = try await request(twinA.dataset, b, ["mode": "exact"])
                    try await scalability(n, retrain)
                    for m in methods {
                        let version = try await request(chains[m]!.dataset, b, ["mode": "approximate", "approximate": [
                            "method": .string(m), "lr": .number(lr), "batch_size": 4]])
                        try await evaluate(seed, "sustainability", n, m, version, retrain)
                    }
                }
            }
        }
    }
}
