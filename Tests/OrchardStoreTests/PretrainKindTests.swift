import Foundation
import OrchardCorpus
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import Testing
@testable import OrchardStore

/// Delegates to the real store context and asks the runner to stop once it reported `stopAfter` steps
/// (what a cancel or drain does), to test kill-and-resume at a step that is not a checkpoint.
final class StopAfterContext: JobContext, @unchecked Sendable {
    let base: QueueJobContext
    let stopAfter: Int
    private var reached = false
    init(_ base: QueueJobContext, stopAfter: Int) { self.base = base; self.stopAfter = stopAfter }
    var jobID: String { base.jobID }
    var tenant: String { base.tenant }
    var attempt: Int { base.attempt }
    var threads: Int { base.threads }
    var shouldStop: Bool { reached || base.shouldStop }
    func emit(type: String, message: String, data: JSONValue, level: String) throws {
        try base.emit(type: type, message: message, data: data, level: level)
    }
    func progress(step: Int, totalSteps: Int?, tokens: Int?) throws {
        try base.progress(step: step, totalSteps: totalSteps, tokens: tokens)
        if step >= stopAfter { reached = true }
    }
    func saveCheckpoint(step: Int, metrics: [String: Double], privateFiles: Set<String>, pinned: Bool,
                        write: (URL) throws -> Void) throws -> CheckpointRef {
        try base.saveCheckpoint(step: step, metrics: metrics, privateFiles: privateFiles, pinned: pinned, write: write)
    }
    func latestCheckpoint() throws -> CheckpointRef? { try base.latestCheckpoint() }
    func checkpoint(id: String) throws -> CheckpointRef? { try base.checkpoint(id: id) }
    func documents(dataset: String) throws -> [Document] { try base.documents(dataset: dataset) }
    func preferencePairs(dataset: String) throws -> [PreferencePair] { try base.preferencePairs(dataset: dataset) }
    func recordLineage(dataset: String, documentIDs: [String]) throws { try base.recordLineage(dataset: dataset, documentIDs: documentIDs) }
    func inheritLineage(fromJob id: String) throws { try base.inheritLineage(fromJob: id) }
    func documentCatalog(dataset: String) throws -> [DocumentRecord]? { try base.documentCatalog(dataset: dataset) }
    func recordLineage(dataset: String, firstReads: [String: Int]) throws { try base.recordLineage(dataset: dataset, firstReads: firstReads) }
    func checkpoints(ofJob id: String) throws -> [CheckpointRef] { try base.checkpoints(ofJob: id) }
    func jobDefinition(id: String) throws -> JobDefinition? { try base.jobDefinition(id: id) }
    func modelLineage(root: String, dataset: String) throws -> Set<String> { try base.modelLineage(root: root, dataset: dataset) }
    func reserveModelVersion(root: String, rootVersion: Int) throws -> Int {
        try base.reserveModelVersion(root: root, rootVersion: rootVersion)
    }
}

@Suite struct PretrainKindTests {
    static func params(dataset: String, kind: String = "ado", steps: Int = 60) -> JSONValue {
        var mixture: JSONValue = ["kind": .string(kind)]
        if kind == "ado" {
            // refit_signal_span 1: the first-refit rule over the whole fit range, so this 60-step run fits from step 20
            // (the latest-half default would postpone some of these early fits; ADOPolicyTests cover it).
            mixture = ["kind": "ado", "config": ["update_interval": 10, "ignore_steps": 0, "start_step": 20, "subsample": 1,
                                                 "smoothing_window": 5, "minimum_weight": 0.05, "refit_signal_span": 1]]
        }
        return ["dataset": .string(dataset), "model": ["layers": 1, "d_model": 32, "heads": 2, "context": 32],
                "batch_size": 8, "steps": .number(Double(steps)), "optimizer": ["lr": 0.01, "warmup": 5],
                "mixture": mixture, "metrics_every": 5, "eval_every": 10, "heldout_windows": 4, "checkpoint_every": 15]
    }

    func setUp(_ backend: StoreBackend) throws -> (any QueueStore, String) {
        let store = try makeStore(backend)
        var imp = DatasetImport()
        try imp.feed(Array(try RealTextFixture.jsonl().utf8))
        let sha = try imp.finish()
        let ds = try store.createDataset(tenant: "acme", name: "three-domains", from: imp, sha256: sha)
        #expect(ds.domains.count == 3)
        return (store, ds.id)
    }

    func start(_ store: any QueueStore, _ params: JSONValue, key: String) throws -> QueueJobContext {
        let resolved = try kinds.validate("pretrain", params)
        _ = try store.submit(JobSubmission(tenant: "acme", type: "pretrain", params: resolved, seed: 7, idempotencyKey: key))
        let c = try #require(try store.claim(owner: "w", types: ["pretrain"], leaseMillis: 600_000).first)
        return QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1)
    }

    func metrics(_ store: any QueueStore, _ job: String) throws -> [JSONValue] {
        try store.events(jobID: job, tenant: "acme", after: 0, limit: 100_000).events.filter { $0.type == "metrics" }.map(\.data)
    }

    /// The deterministic part of a metrics event (timings removed).
    static func trajectory(_ e: JSONValue) -> JSONValue {
        var o = e.objectValue ?? [:]
        for k in ["tokens_per_second", "mixture_seconds", "train_seconds"] { o[k] = nil }
        return .object(o)
    }

    @Test func validateResolvesEveryAutoAndRefusesBadInput() throws {
        let v = try kinds.validate("pretrain", ["dataset": "ds_x", "token_budget": 10_240, "mixture": ["kind": "ado"]])
        #expect(v["steps"]?.intValue == 10_240 / (16 * 64))
        #expect(v["model"]?["vocab"]?.intValue == 256 && v["model"]?["tokenizer"]?.stringValue == "bytes")
        let ado = try #require(v["ado_resolved"]?.objectValue)
        #expect(ado["update_interval"]?.intValue == 50 && ado["max_fit_points"]?.intValue == 256 && ado["bounds"] != nil && ado["start_step"]?.intValue != nil)
        #expect(v["optimizer"]?["warmup"]?.intValue == 1 && v["eval_every"]?.intValue != nil && v["seed"] == nil)
        func param(_ p: JSONValue) -> String? {
            do { _ = try kinds.validate("pretrain", p); return "accepted" } catch JobError.invalid(let param, _) { return param } catch { return "\(error)" }
        }
        #expect(param(["model": ["layers": 1]]) == "dataset")
        #expect(param(["dataset": "d", "model": ["d_model": 30, "heads": 4]]) == "model.heads")
        #expect(param(["dataset": "d", "model": ["vocab": 100]]) == "model.vocab")
        #expect(param(["dataset": "d", "mixture": ["kind": "zipf"]]) == "mixture.kind")
        #expect(param(["dataset": "d", "mixture": ["kind": "ado", "config": ["updateInteval": 3]]]) == "mixture.config.updateInteval")
        #expect(param(["dataset": "d", "mixture": ["kind": "ado", "config": ["update_interval": "soon"]]]) == "mixture.config.update_interval")
        #expect(param(["dataset": "d", "model": ["layers": 1, "depth": 3]]) == "model.depth")
        #expect(param(["dataset": "d", "model": ["heads": "four"]]) == "model.heads")
        #expect(param(["dataset": "d", "seed": 3]) == "seed")
        #expect(param(["dataset": "d", "mixture": ["kind": "ado", "config": ["historyRate": 2]]]) == "mixture.config")
        #expect(param(["dataset": "d", "mixture": ["kind": "fixed", "weights": ["a": 0]]]) == "mixture.weights")
        #expect(param(["dataset": "d", "steps": 10, "token_budget": 100]) == "steps")
        #expect(param(["dataset": "d", "lr": 1]) == "lr")
    }

    @Test(arguments: StoreBackend.all) func adoRunStreamsPerDomainMetricsAndResumesOnTheSameTrajectory(_ backend: StoreBackend) throws {
        let (store, ds) = try setUp(backend)
        // Uninterrupted reference run.
        let a = try start(store, Self.params(dataset: ds), key: "a")
        let resultA = try kinds.run("pretrain", try #require(try store.job(id: a.jobID, tenant: "acme")).params, seed: 7, context: a)
        let eventsA = try metrics(store, a.jobID)
        let domains = ["descriptions", "licenses", "python"]
        #expect(resultA["domains"] == .array(domains.map { .string($0) }))
        #expect(eventsA.last?["step"]?.intValue == 60)
        for e in eventsA {
            let w = try #require(e["weights"]?.objectValue)
            let values = domains.compactMap { w[$0]?.doubleValue }
            #expect(values.count == 3 && abs(values.reduce(0, +) - 1) < 1e-9)
            #expect(e["train_loss_by_domain"]?.objectValue?.keys.sorted() == domains)
            #expect((e["tokens_per_second"]?.doubleValue ?? 0) > 0)
        }
        // After the first refit ADO's π is a distribution with every weight ≥ δ_min (0.05 here).
        let fits = eventsA.filter { $0["fit"] != nil }
        #expect(fits.count >= 3)
        for law in fits.compactMap({ $0["fit"]?["laws"]?.objectValue }).flatMap(\.values) {
            #expect(law["epsilon"]?.doubleValue != nil && law["beta"]?.doubleValue != nil && law["alpha"]?.doubleValue != nil)
        }
        let late = eventsA.filter { ($0["step"]?.intValue ?? 0) > 21 }
        for e in late { for d in domains { #expect((e["weights"]?[d]?.doubleValue ?? 0) >= 0.05 - 1e-12) } }
        let held = eventsA.filter { $0["heldout_loss_by_domain"] != nil }
        #expect(held.count >= 6)
        for d in domains { #expect((held.last?["heldout_loss_by_domain"]?[d]?.doubleValue ?? 99) < 5.0) }
        // Learned something: held-out loss falls from its first evaluation.
        #expect((held.last?["heldout_loss"]?.doubleValue ?? 99) < (held.first?["heldout_loss"]?.doubleValue ?? 0))

        // Same job, stopped at step 25 (checkpoint at 15), then resumed from the checkpoint.
        let b = try start(store, Self.params(dataset: ds), key: "b")
        let paramsB = try #require(try store.job(id: b.jobID, tenant: "acme")).params
        #expect(throws: JobError.stopped) { try kinds.run("pretrain", paramsB, seed: 7, context: StopAfterContext(b, stopAfter: 25)) }
        #expect(try b.latestCheckpoint()?.step == 25)
        let resultB = try kinds.run("pretrain", paramsB, seed: 7, context: b)
        var byStepB: [Int: JSONValue] = [:]
        for e in try metrics(store, b.jobID) { byStepB[e["step"]!.intValue!] = Self.trajectory(e) }
        let byStepA = Dictionary(uniqueKeysWithValues: eventsA.map { ($0["step"]!.intValue!, Self.trajectory($0)) })
        #expect(byStepA == byStepB)
        #expect(resultA["final_weights"] == resultB["final_weights"] && resultA["laws"] == resultB["laws"])
        #expect(resultA["heldout_loss_by_domain"] == resultB["heldout_loss_by_domain"])

        // The checkpoint holds the model, the optimizer and the whole mixture state.
        let files = try FileManager.default.contentsOfDirectory(atPath: try #require(try b.latestCheckpoint()).directory.path).sorted()
        #expect(files == ["model.safetensors", "optimizer.safetensors", "state.json"])
        // Lineage: exactly the documents a window was read from.
        let lineage = try store.lineage(jobID: b.jobID).map(\.documentID)
        let lineageA = try store.lineage(jobID: a.jobID).map(\.documentID)
        #expect(!lineage.isEmpty && Set(lineage) == Set(lineageA))
    }

    @Test(arguments: StoreBackend.all) func tombstonedDocumentsAreNeverSampled(_ backend: StoreBackend) throws {
        let (store, ds) = try setUp(backend)
        let docs = try store.liveDocuments(dataset: ds, tenant: "acme")
        // Tombstone every licence document but two, and one python document.
        let licences = docs.filter { $0.domain == "licenses" }.map(\.id)
        let gone = Array(licences.dropFirst(2)) + [docs.first { $0.domain == "python" }!.id]
        #expect(try store.tombstone(dataset: ds, tenant: "acme", ids: gone).count == gone.count)
        let ctx = try start(store, Self.params(dataset: ds, kind: "uniform", steps: 40), key: "t")
        _ = try kinds.run("pretrain", try #require(try store.job(id: ctx.jobID, tenant: "acme")).params, seed: 7, context: ctx)
        let lineage = Set(try store.lineage(jobID: ctx.jobID).map(\.documentID))
        #expect(lineage.isDisjoint(with: gone))
        // Uniform weights oversample the two licence documents left: both are read, over several epochs.
        let liveLicences = Set(licences.prefix(2))
        #expect(lineage.intersection(liveLicences).count >= 1)
        #expect(lineage.isSubset(of: Set(docs.map(\.id)).subtracting(gone)))
    }
}
