import Foundation
import OrchardCorpus
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import Testing
@testable import OrchardStore

/// Progressive distillation on sparse parity (issue 16 item 4; spec algorithms-1 §4.6, §6.4 checks 5–7), on a real
/// store through the job kinds (env-gated; not part of CI). Per seed: an `mlp_train` teacher with its checkpoint
/// series; then one `distill` student per strategy: `none` (labels), `one_shot` (final teacher), `progressive` (r = 1),
/// `two_shot` ([s_mid, s_final], s_mid = the first series checkpoint at ≥ 75 % test accuracy: inside the jump).
///   ORCHARD_DISTILL_OUT=docs/results/distill/parity.json ORCHARD_DISTILL_SEEDS=1,2,3 \
///   ORCHARD_DISTILL_N=40 ORCHARD_DISTILL_K=4 ORCHARD_DISTILL_TEACHER_WIDTH=2000 ... swift test --filter DistillationExperiment
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["ORCHARD_DISTILL_OUT"] != nil))
struct DistillationExperiment {
    let env = ProcessInfo.processInfo.environment
    func int(_ k: String, _ d: Int) -> Int { env[k].flatMap(Int.init) ?? d }
    func double(_ k: String, _ d: Double) -> Double { env[k].flatMap(Double.init) ?? d }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["ORCHARD_DISTILL_LM_OUT"] == nil)) func sparseParity() throws {
        let store = try makeStore(.sqlite)
        let t = DistillKindTests()
        let n = int("ORCHARD_DISTILL_N", 40), k = int("ORCHARD_DISTILL_K", 4)
        let every = int("ORCHARD_DISTILL_EVERY", 1000), teacherSteps = int("ORCHARD_DISTILL_TEACHER_STEPS", 50_000)
        let studentSteps = int("ORCHARD_DISTILL_STUDENT_STEPS", teacherSteps), batch = int("ORCHARD_DISTILL_BATCH", 32)
        let seeds = (env["ORCHARD_DISTILL_SEEDS"] ?? "1").split(separator: ",").compactMap { UInt64($0) }
        let strategies = (env["ORCHARD_DISTILL_STRATEGIES"] ?? "none,one_shot,progressive,two_shot").split(separator: ",").map(String.init).filter { !$0.isEmpty }
        let target = double("ORCHARD_DISTILL_TARGET", 0.99)
        var out: [JSONValue] = []
        let outFile = URL(fileURLWithPath: env["ORCHARD_DISTILL_OUT"]!)
        func write() throws {
            try FileManager.default.createDirectory(at: outFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            try JSONValue.array(out).canonicalData().write(to: outFile, options: .atomic)
        }
        print("(\(n), \(k))-parity; teacher width \(int("ORCHARD_DISTILL_TEACHER_WIDTH", 2000)), \(teacherSteps) steps; students width \(int("ORCHARD_DISTILL_STUDENT_WIDTH", 100)), \(studentSteps) steps; batch \(batch); target \(target)")
        for seed in seeds {
            let teacherCtx = try t.start(store, "mlp_train", [
                "task": ["sparse_parity": ["n": .number(Double(n)), "k": .number(Double(k))]],
                "model": ["hidden": [.number(Double(int("ORCHARD_DISTILL_TEACHER_WIDTH", 2000)))]],
                "optimizer": ["lr": .number(double("ORCHARD_DISTILL_TEACHER_LR", 0.1))], "batch_size": .number(Double(batch)),
                "steps": .number(Double(teacherSteps)), "checkpoint_every": .number(Double(every)), "eval_samples": 4096], key: "teacher-\(seed)", seed: seed)
            let teacher = try t.run(store, teacherCtx, seed: seed)
            let series = try t.events(store, teacherCtx.jobID, "metrics")
            let curve = series.map { m in "\(m["step"]?.intValue ?? 0):\(String(format: "%.2f", m["test_accuracy"]?.doubleValue ?? 0))/\(String(format: "%.3f", m["probe_in_support"]?.doubleValue ?? 0))/\(String(format: "%.3f", m["probe_off_support"]?.doubleValue ?? 0))" }
            print("seed \(seed) teacher (step:acc/in/off): \(curve.joined(separator: " "))")
            print("seed \(seed) teacher transition \(teacher["transition_start"] ?? .null) → \(teacher["transition_end"] ?? .null), final \(teacher["test_accuracy"] ?? .null), \(teacher["train_seconds"] ?? .null) s")
            var row: [String: JSONValue] = ["seed": .number(Double(seed)), "teacher": teacher, "teacher_metrics": .array(series)]
            let mid = series.first { ($0["test_accuracy"]?.doubleValue ?? 0) >= 0.75 }?["step"]?.intValue
            var students: [String: JSONValue] = [:]
            for s in strategies {
                let strategy: JSONValue
                switch s {
                case "two_shot":
                    guard let mid, mid < teacherSteps else { print("seed \(seed) two_shot: the teacher never crossed 75 %"); continue }
                    strategy = ["kind": "steps", "steps": [.number(Double(mid)), .number(Double(teacherSteps))]]
                default: strategy = ["kind": .string(s)]
                }
                let ctx = try t.start(store, "distill", [
                    "teacher": .string(teacherCtx.jobID), "student": ["mlp": ["hidden": [.number(Double(int("ORCHARD_DISTILL_STUDENT_WIDTH", 100)))]]],
                    "strategy": strategy, "optimizer": ["lr": .number(double("ORCHARD_DISTILL_STUDENT_LR", 0.1)), "warmup_fraction": 0.06],
                    "steps": .number(Double(studentSteps)), "batch_size": .number(Double(batch)), "eval_every": .number(Double(every)),
                    "eval_samples": 4096, "target_accuracy": .number(target)], key: "\(s)-\(seed)", seed: seed)
                let r = try t.run(store, ctx, seed: seed)
                let m = try t.events(store, ctx.jobID, "metrics")
                print("seed \(seed) \(s): reached \(target) at step \(r["reached_target_at_step"] ?? .null) (\(r["reached_target_at_samples"] ?? .null) samples), final \(r["test_accuracy"] ?? .null), teacher share \(String(format: "%.2f", r["teacher_fraction"]?.doubleValue ?? 0))")
                students[s] = ["result": r, "metrics": .array(m)]
            }
            row["students"] = .object(students)
            row["s_mid"] = mid.map { .number(Double($0)) } ?? .null
            out.append(.object(row))
            try write()
        }
    }

    /// The language-model case (issue 16 item 4): per seed a `pretrain` teacher (ORCHARD_DISTILL_LM_TEACHER layers ×
    /// d_model) on the prose domain of ORCHARD_DISTILL_LM_DATA (a JSONL of {id, domain, text}), then GPT students (half
    /// the teacher's layers) with equal steps per strategy (ORCHARD_DISTILL_LM_STEPS; the teacher trains
    /// ORCHARD_DISTILL_LM_TEACHER_STEPS); progressive maps student step t to teacher step ≥ t·multiplier with the
    /// multiplier teacher steps / student steps, so the student walks the whole teacher trajectory; held-out loss on the
    /// teacher's held-out split.
    ///   ORCHARD_DISTILL_OUT=x ORCHARD_DISTILL_LM_OUT=docs/results/distill/lm.json ORCHARD_DISTILL_LM_DATA=data/corpus/dataset-10mb/train.jsonl \
    ///   ORCHARD_DISTILL_SEEDS=1,2,3 swift test --filter DistillationExperiment/languageModel
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ORCHARD_DISTILL_LM_OUT"] != nil)) func languageModel() throws {
        let store = try makeStore(.sqlite)
        let t = DistillKindTests()
        let path = env["ORCHARD_DISTILL_LM_DATA"] ?? "data/corpus/dataset-10mb/train.jsonl"
        let domain = env["ORCHARD_DISTILL_LM_DOMAIN"] ?? "prose"
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"domain\":\"\(domain)\"") }
        var imp = DatasetImport()
        try imp.feed(Array(lines.joined(separator: "\n").utf8))
        let ds = try store.createDataset(tenant: "acme", name: domain, from: imp, sha256: try imp.finish())
        let steps = int("ORCHARD_DISTILL_LM_STEPS", 1500), every = int("ORCHARD_DISTILL_LM_EVERY", steps / 10)
        // The teacher may train longer than the students (a teacher better than what a student reaches alone).
        let teacherSteps = int("ORCHARD_DISTILL_LM_TEACHER_STEPS", steps), teacherEvery = int("ORCHARD_DISTILL_LM_TEACHER_EVERY", teacherSteps / 10)
        let teacherLayers = int("ORCHARD_DISTILL_LM_TEACHER_LAYERS", 4), d = int("ORCHARD_DISTILL_LM_D", 128), ctx = int("ORCHARD_DISTILL_LM_CONTEXT", 128)
        let seeds = (env["ORCHARD_DISTILL_SEEDS"] ?? "1").split(separator: ",").compactMap { UInt64($0) }
        let strategies = (env["ORCHARD_DISTILL_STRATEGIES"] ?? "none,one_shot,progressive").split(separator: ",").map(String.init)
        var out: [JSONValue] = []
        print("\(lines.count) \(domain) documents; teacher L\(teacherLayers) d\(d), \(teacherSteps) steps; students L\(teacherLayers / 2) d\(d), \(steps) steps each; context \(ctx), batch 16")
        for seed in seeds {
            let teacherCtx = try t.start(store, "pretrain", [
                "dataset": .string(ds.id), "model": ["layers": .number(Double(teacherLayers)), "d_model": .number(Double(d)), "heads": 4, "context": .number(Double(ctx))],
                "batch_size": 16, "steps": .number(Double(teacherSteps)), "optimizer": ["lr": 0.003, "warmup": 50], "mixture": ["kind": "natural"],
                "metrics_every": 100, "eval_every": .number(Double(teacherSteps)), "heldout_fraction": 0.05, "heldout_windows": 64,
                "checkpoint_every": .number(Double(teacherEvery)), "threads": 2], key: "lm-teacher-\(seed)", seed: seed)
            let teacher = try t.run(store, teacherCtx, seed: seed)
            var row: [String: JSONValue] = ["seed": .number(Double(seed)), "teacher_heldout_loss": teacher["heldout_loss"] ?? .null,
                                            "teacher_train_seconds": teacher["train_seconds"] ?? .null]
            print("seed \(seed) teacher held-out loss \(teacher["heldout_loss"] ?? .null), \(teacher["train_seconds"] ?? .null) s")
            var students: [String: JSONValue] = [:]
            for s in strategies {
                let ctxS = try t.start(store, "distill", [
                    "teacher": .string(teacherCtx.jobID), "student": ["gpt": ["layers": .number(Double(teacherLayers / 2)), "d_model": .number(Double(d)), "heads": 4]],
                    "strategy": s == "progressive" ? ["kind": "progressive", "multiplier": .number(Double(teacherSteps) / Double(steps))] : ["kind": .string(s)],
                    "optimizer": ["kind": "adamw", "lr": 0.003, "warmup_fraction": 0.03],
                    "steps": .number(Double(steps)), "batch_size": 16, "eval_every": .number(Double(every)), "eval_samples": 64,
                    "threads": 2], key: "lm-\(s)-\(seed)", seed: seed)
                let r = try t.run(store, ctxS, seed: seed)
                print("seed \(seed) \(s): held-out loss \(r["heldout_loss"] ?? .null), \(String(format: "%.0f", r["tokens_per_second"]?.doubleValue ?? 0)) tok/s, teacher share \(String(format: "%.2f", r["teacher_fraction"]?.doubleValue ?? 0))")
                students[s] = ["result": r, "metrics": .array(try t.events(store, ctxS.jobID, "metrics"))]
            }
            row["students"] = .object(students)
            out.append(.object(row))
            let file = URL(fileURLWithPath: env["ORCHARD_DISTILL_LM_OUT"]!)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try JSONValue.array(out).canonicalData().write(to: file, options: .atomic)
        }
    }
}
