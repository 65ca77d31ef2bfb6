import Foundation
import OrchardCorpus
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import Testing
@testable import OrchardStore

/// `mlp_train` and `distill` on a real store: the sparse-parity teacher's pinned checkpoint series, students learning
/// from it (one-shot = a schedule naming only the final checkpoint, bit for bit; kill-and-resume bit for bit), and a
/// GPT student distilled from a pretrained GPT on real text, whose lineage includes the teacher's.
@Suite struct DistillKindTests {
    func start(_ store: any QueueStore, _ type: String, _ params: JSONValue, key: String, seed: UInt64 = 5) throws -> QueueJobContext {
        let resolved = try kinds.validate(type, params)
        _ = try store.submit(JobSubmission(tenant: "acme", type: type, params: resolved, seed: seed, idempotencyKey: key))
        let c = try #require(try store.claim(owner: "w", types: [type], leaseMillis: 600_000).first)
        return QueueJobContext(store: store, lease: c.lease, tenant: "acme", threads: 1)
    }

    func run(_ store: any QueueStore, _ ctx: QueueJobContext, seed: UInt64 = 5, stopAfter: Int? = nil) throws -> JSONValue {
        let params = try #require(try store.job(id: ctx.jobID, tenant: "acme")).params
        let type = try #require(try store.job(id: ctx.jobID, tenant: "acme")).type
        if let stopAfter {
            #expect(throws: JobError.stopped) { try kinds.run(type, params, seed: seed, context: StopAfterContext(ctx, stopAfter: stopAfter)) }
        }
        return try kinds.run(type, params, seed: seed, context: ctx)
    }

    func modelHash(_ store: any QueueStore, _ checkpoint: String?) throws -> String? {
        try store.checkpoint(id: try #require(checkpoint), tenant: "acme")?.files.first { $0.name == "model.safetensors" }?.sha256
    }

    func events(_ store: any QueueStore, _ job: String, _ type: String) throws -> [JSONValue] {
        try store.events(jobID: job, tenant: "acme", after: 0, limit: 100_000).events.filter { $0.type == type }.map(\.data)
    }

    static let teacherParams: JSONValue = ["task": ["sparse_parity": ["n": 8, "k": 2]], "model": ["hidden": [64]],
                                           "optimizer": ["lr": 0.5], "batch_size": 32, "steps": 200, "checkpoint_every": 20, "eval_samples": 512]

    static func student(_ teacher: String, _ strategy: JSONValue) -> JSONValue {
        ["teacher": .string(teacher), "student": ["mlp": ["hidden": [16]]], "strategy": strategy, "optimizer": ["lr": 0.2],
         "steps": 60, "batch_size": 16, "eval_every": 7, "checkpoint_every": 5, "eval_samples": 256]
    }

    @Test(arguments: StoreBackend.all) func sparseParityTeacherSeriesAndStudents(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        let teacherCtx = try start(store, "mlp_train", Self.teacherParams, key: "teacher")
        let teacher = try run(store, teacherCtx)
        // The series: one pinned checkpoint every 20 steps, all kept although retention keeps 3 others.
        let series = try #require(teacher["series"]?.arrayValue)
        #expect(series.map { $0["step"]?.intValue ?? 0 } == Array(stride(from: 20, through: 200, by: 20)))
        #expect(try store.checkpoints(jobID: teacherCtx.jobID, tenant: "acme").count == 10)
        let metrics = try events(store, teacherCtx.jobID, "metrics")
        #expect(metrics.count == 10 && metrics.allSatisfy { $0["test_accuracy"]?.doubleValue != nil && $0["probe_in_support"]?.doubleValue != nil })
        #expect((teacher["test_accuracy"]?.doubleValue ?? 0) >= 0.95, "the (8, 2) teacher learns the parity: \(teacher)")

        // A schedule naming only the final checkpoint is one-shot, bit for bit.
        let oneShot = try run(store, try start(store, "distill", Self.student(teacherCtx.jobID, ["kind": "one_shot"]), key: "one"))
        let listed = try run(store, try start(store, "distill", Self.student(teacherCtx.jobID, ["kind": "steps", "steps": [200]]), key: "listed"))
        #expect(try modelHash(store, oneShot["checkpoint"]?.stringValue) == modelHash(store, listed["checkpoint"]?.stringValue))
        #expect(oneShot["teacher_schedule"]?.arrayValue?.count == 1 && oneShot["teacher_schedule"]?.arrayValue?.first?["teacher_step"] == 200)

        // Progressive: the student walks the series (student step t uses the first teacher step ≥ t).
        let progressive = try start(store, "distill", Self.student(teacherCtx.jobID, ["kind": "progressive"]), key: "prog")
        let uninterrupted = try run(store, progressive)
        let walked = try #require(uninterrupted["teacher_schedule"]?.arrayValue)
        #expect(walked.map { $0["teacher_step"]?.intValue ?? 0 } == [20, 40, 60])
        #expect(walked.map { $0["from_student_step"]?.intValue ?? -1 } == [0, 21, 41])
        let studentMetrics = try events(store, progressive.jobID, "metrics")
        #expect(studentMetrics.allSatisfy { $0["test_accuracy"]?.doubleValue != nil && $0["probe_full_support"]?.doubleValue != nil && $0["teacher_step"]?.doubleValue != nil })
        #expect(try events(store, progressive.jobID, "teacher_checkpoint").count == 3)
        #expect(try modelHash(store, uninterrupted["checkpoint"]?.stringValue) != modelHash(store, oneShot["checkpoint"]?.stringValue))

        // Killed at step 14 (after the checkpoint at 10, a stop checkpoint at 14), resumed: the same student, bit for bit.
        let killed = try start(store, "distill", Self.student(teacherCtx.jobID, ["kind": "progressive"]), key: "killed")
        let resumed = try run(store, killed, stopAfter: 10)
        #expect(try modelHash(store, resumed["checkpoint"]?.stringValue) == modelHash(store, uninterrupted["checkpoint"]?.stringValue))
        #expect(resumed["teacher_schedule"] == uninterrupted["teacher_schedule"] && resumed["test_accuracy"] == uninterrupted["test_accuracy"])
        #expect(try events(store, killed.jobID, "metrics").map { var o = $0.objectValue!; o["lr"] = nil; return JSONValue.object(o) }
                == studentMetrics.map { var o = $0.objectValue!; o["lr"] = nil; return JSONValue.object(o) })

        // The labels-only baseline uses no teacher; a listed step the teacher never saved is refused.
        let labels = try run(store, try start(store, "distill", Self.student(teacherCtx.jobID, ["kind": "none"]), key: "none"))
        #expect(labels["teacher_schedule"]?.arrayValue?.isEmpty == true && labels["teacher_fraction"] == 0)
        let bad = try start(store, "distill", Self.student(teacherCtx.jobID, ["kind": "steps", "steps": [30, 200]]), key: "bad")
        #expect(throws: JobError.invalid(param: "strategy.steps[0]", message: "teacher job \(teacherCtx.jobID) has no checkpoint at step 30 (it has \(Array(stride(from: 20, through: 200, by: 20))))")) {
            try kinds.run("distill", try #require(try store.job(id: bad.jobID, tenant: "acme")).params, seed: 5, context: bad)
        }
    }

    @Test(arguments: StoreBackend.all) func gptStudentLearnsFromAPretrainedTeacherAndInheritsItsLineage(_ backend: StoreBackend) throws {
        let store = try makeStore(backend)
        var imp = DatasetImport()
        try imp.feed(Array(try RealTextFixture.jsonl().utf8))
        let ds = try store.createDataset(tenant: "acme", name: "docs", from: imp, sha256: try imp.finish())
        let teacherCtx = try start(store, "pretrain", ["dataset": .string(ds.id), "model": ["layers": 1, "d_model": 32, "heads": 2, "context": 32],
                                                        "batch_size": 8, "steps": 30, "optimizer": ["lr": 0.01, "warmup": 3],
                                                        "metrics_every": 10, "eval_every": 30, "heldout_windows": 2, "checkpoint_every": 10], key: "pre", seed: 3)
        _ = try run(store, teacherCtx, seed: 3)
        let params: JSONValue = ["teacher": .string(teacherCtx.jobID), "student": ["gpt": ["layers": 1, "d_model": 16, "heads": 2, "context": 24]],
                                 "strategy": ["kind": "progressive", "multiplier": 2], "loss": ["temperature": 2, "hard_label_weight": 0.25],
                                 "optimizer": ["kind": "adamw", "lr": 0.003], "steps": 12, "batch_size": 4, "eval_every": 4,
                                 "checkpoint_every": 3, "eval_samples": 16]
        let a = try start(store, "distill", params, key: "a")
        let resultA = try run(store, a)
        #expect(resultA["family"] == "gpt" && (resultA["heldout_loss"]?.doubleValue ?? .nan).isFinite, "\(resultA)")
        #expect(resultA["teacher_schedule"]?.arrayValue?.map { $0["teacher_step"]?.intValue ?? 0 } == [10, 20, 30])
        #expect((resultA["teacher_fraction"]?.doubleValue ?? 0) > 0 && (resultA["tokens_per_second"]?.doubleValue ?? 0) > 0)
        let metrics = try events(store, a.jobID, "metrics")
        #expect(metrics.count == 3 && metrics.allSatisfy { ($0["heldout_loss"]?.doubleValue ?? .nan).isFinite && ($0["train_loss"]?.doubleValue ?? .nan).isFinite })
        // Kill-and-resume: the same student.
        let b = try start(store, "distill", params, key: "b")
        let resultB = try run(store, b, stopAfter: 4)
        #expect(try modelHash(store, resultA["checkpoint"]?.stringValue) == modelHash(store, resultB["checkpoint"]?.stringValue))
        #expect(resultA["heldout_loss"] == resultB["heldout_loss"])
        // Lineage: the student's includes every document the teacher read, so a deletion request reaches it.
        let teacherLineage = Set(try store.lineage(jobID: teacherCtx.jobID).map(\.documentID))
        let studentLineage = Set(try store.lineage(jobID: a.jobID).map(\.documentID))
        #expect(!teacherLineage.isEmpty && teacherLineage.isSubset(of: studentLineage))
        let doc = try #require(teacherLineage.first)
        #expect(try store.jobsTrained(onDataset: ds.id, documentIDs: [doc]).contains(a.jobID))
        // A student that names another tokenizer than the teacher's is refused.
        var mismatch = params.objectValue!
        mismatch["student"] = ["gpt": ["layers": 1, "d_model": 16, "heads": 2, "tokenizer": "bpe"]]
        let c = try start(store, "distill", .object(mismatch), key: "c")
        #expect(throws: JobError.self) { try kinds.run("distill", try #require(try store.job(id: c.jobID, tenant: "acme")).params, seed: 5, context: c) }
    }
}
