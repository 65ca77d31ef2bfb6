import Foundation
import OrchardMethods

/// The `pretrain` job's parameters after `validate`: every default filled in and every `"auto"` resolved,
/// so the stored object is exactly what runs (and is echoed on the job).
///
/// Request JSON (snake_case; every field but `dataset` optional):
/// ```
/// {"dataset": "ds_…", "heldout_dataset": "ds_…" | null, "heldout_fraction": "auto",
///  "model": {"layers": 2, "d_model": 128, "heads": 4, "context": 64, "vocab": "bytes" | 512},
///  "optimizer": {"lr": 3e-3, "warmup": "auto", "schedule": "cosine" | "constant", "min_lr": "auto",
///                "weight_decay": 0.1, "clip": 1.0, "beta1": 0.9, "beta2": 0.95},
///  "batch_size": 16, "token_budget": 200000 | "steps": 400,
///  "mixture": {"kind": "natural" | "uniform" | "fixed" | "ado", "weights": {…}, "config": {…ADO…}},
///  "metrics_every": "auto", "eval_every": "auto", "heldout_windows": "auto", "checkpoint_every": "auto"}
/// ```
public struct PretrainParams: Codable, Sendable, Equatable {
    public struct Model: Codable, Sendable, Equatable {
        public var layers: Int
        public var d_model: Int
        public var heads: Int
        public var context: Int
        /// 256 = byte-level; larger = BPE trained on the job's training documents (tokenizer.json in the checkpoint).
        public var vocab: Int
        public var tokenizer: String
    }
    public struct Optimizer: Codable, Sendable, Equatable {
        public var lr: Double
        public var warmup: Int
        public var schedule: String
        public var min_lr: Double
        public var weight_decay: Double
        public var clip: Double?
        public var beta1: Double
        public var beta2: Double
    }
    public var dataset: String
    /// A second dataset holding the held-out documents (e.g. the corpus module's heldout.jsonl); nil → split `dataset`.
    public var heldout_dataset: String?
    /// Without `heldout_dataset`: share of `dataset`'s documents held out by a hash of their id.
    public var heldout_fraction: Double
    public var model: Model
    public var optimizer: Optimizer
    public var batch_size: Int
    public var token_budget: Int
    /// ⌈token_budget / (batch_size · context)⌉.
    public var steps: Int
    /// The requested strategy with ADO's "auto" hyperparameters kept as requested (resolved below).
    public var mixture: MixtureStrategy
    /// ADO only: every hyperparameter resolved for this run's steps and vocabulary (echo).
    public var ado_resolved: ResolvedADOConfig?
    public var metrics_every: Int
    public var eval_every: Int
    /// Held-out windows evaluated per domain.
    public var heldout_windows: Int
    public var checkpoint_every: Int
    public var threads: Int?
    /// The job's seed as a decimal string (a UInt64 does not survive every JSON reader as a number).
    public var seed: String

    public var tokensPerStep: Int { batch_size * model.context }
    public var seedValue: UInt64 { UInt64(seed) ?? 0 }
}

extension PretrainParams {
    static let allowedKeys: Set<String> = ["dataset", "heldout_dataset", "heldout_fraction", "model", "optimizer",
        "batch_size", "token_budget", "steps", "mixture", "metrics_every", "eval_every", "heldout_windows",
        "checkpoint_every", "threads"]

    /// Parses and resolves a request's params (throws `JobError.invalid` naming the field).
    public static func resolve(_ params: JSONValue, seed: UInt64) throws -> PretrainParams {
        guard let o = params.objectValue else { throw JobError.invalid(param: nil, message: "params must be an object") }
        if let k = o.keys.sorted().first(where: { !allowedKeys.contains($0) }) {
            throw JobError.invalid(param: k, message: "unknown parameter '\(k)'")
        }
        let r = ParamReader(o, prefix: "")
        guard let dataset = try r.string("dataset"), !dataset.isEmpty else {
            throw JobError.invalid(param: "dataset", message: "dataset (a dataset id) is required")
        }
        let heldoutDataset = try r.string("heldout_dataset")

        let m = ParamReader(try r.object("model"), prefix: "model.")
        try m.refuseUnknown(["layers", "d_model", "heads", "context", "vocab"])
        let layers = try m.int("layers", 1...64, auto: 2)
        let dModel = try m.int("d_model", 8...4096, auto: 128)
        let heads = try m.int("heads", 1...64, auto: max(1, dModel / 32))
        guard dModel % heads == 0 else { throw JobError.invalid(param: "model.heads", message: "d_model \(dModel) is not divisible by heads \(heads)") }
        let context = try m.int("context", 2...4096, auto: 64)
        let vocab: Int, tokenizer: String
        switch m.raw("vocab") {
        case nil, .string("bytes")?, .string("auto")?: vocab = 256; tokenizer = "bytes"
        case let v?:
            guard let n = v.intValue, (256...65_536).contains(n) else {
                throw JobError.invalid(param: "model.vocab", message: "vocab must be \"bytes\" or an integer BPE size in 256...65536")
            }
            vocab = n; tokenizer = n == 256 ? "bytes" : "bpe"
        }

        let batch = try r.int("batch_size", 1...4096, auto: 16)
        let perStep = batch * context
        let steps: Int, budget: Int
        if r.raw("steps") != nil && r.raw("token_budget") != nil {
            throw JobError.invalid(param: "steps", message: "give either steps or token_budget, not both")
        }
        if r.raw("steps") != nil {
            steps = try r.int("steps", 1...10_000_000, auto: 200); budget = steps * perStep
        } else {
            budget = try r.int("token_budget", 2...Int(1e12), auto: 200 * perStep)
            steps = (budget + perStep - 1) / perStep
        }

        let op = ParamReader(try r.object("optimizer"), prefix: "optimizer.")
        try op.refuseUnknown(["lr", "warmup", "schedule", "min_lr", "weight_decay", "clip", "beta1", "beta2"])
        let lr = try op.double("lr", 0...10, auto: 3e-3)
        let warmup = try op.int("warmup", 0...steps, auto: min(100, steps / 10))
        let schedule = try op.string("schedule") ?? "cosine"
        guard ["cosine", "constant"].contains(schedule) else {
            throw JobError.invalid(param: "optimizer.schedule", message: "schedule must be cosine or constant")
        }
        let minLR = try op.double("min_lr", 0...lr, auto: lr / 10)
        let wd = try op.double("weight_decay", 0...10, auto: 0.1)
        let clip: Double?
        switch op.raw("clip") {
        case .null?: clip = nil
        default: clip = try op.double("clip", 1e-6...1e6, auto: 1.0)
        }
        let b1 = try op.double("beta1", 0...0.999999, auto: 0.9)
        let b2 = try op.double("beta2", 0...0.999999, auto: 0.95)

        let mixture: MixtureStrategy
        do {
            mixture = try (r.raw("mixture") ?? ["kind": "natural"]).decode(MixtureStrategy.self)
        } catch {
            throw JobError.invalid(param: "mixture", message: "mixture must be {\"kind\": natural | uniform | fixed (with weights) | ado (with optional config)}: \(Self.describe(error))")
        }
        var adoResolved: ResolvedADOConfig? = nil
        if case .ado(let cfg) = mixture {
            do {
                // K is only known at run time (it is re-validated then); the auto rules depend on steps and vocab.
                adoResolved = try cfg.resolved(for: ADOResolutionContext(totalSteps: steps, domainCount: 1, vocabularySize: vocab))
            } catch {
                throw JobError.invalid(param: "mixture.config", message: Self.describe(error))
            }
        }
        if case .fixed(let w) = mixture, w.values.contains(where: { !($0 >= 0 && $0.isFinite) }) || !(w.values.reduce(0, +) > 0) {
            throw JobError.invalid(param: "mixture.weights", message: "fixed weights must be finite, ≥ 0 and not all zero")
        }

        let metricsEvery = try r.int("metrics_every", 1...1_000_000, auto: max(1, steps / 100))
        let evalEvery = try r.int("eval_every", 1...1_000_000, auto: max(1, steps / 20))
        let windows = try r.int("heldout_windows", 1...100_000, auto: 16)
        let ckptEvery = try r.int("checkpoint_every", 1...10_000_000, auto: max(1, steps / 10))
        let fraction = try r.double("heldout_fraction", 0.001...0.9, auto: 0.1)
        let threads: Int? = r.raw("threads") == nil ? nil : try r.int("threads", 1...256, auto: 1)

        return PretrainParams(
            dataset: dataset, heldout_dataset: heldoutDataset, heldout_fraction: fraction,
            model: Model(layers: layers, d_model: dModel, heads: heads, context: context, vocab: vocab, tokenizer: tokenizer),
            optimizer: Optimizer(lr: lr, warmup: warmup, schedule: schedule, min_lr: minLR, weight_decay: wd, clip: clip,
                                 beta1: b1, beta2: b2),
            batch_size: batch, token_budget: budget, steps: steps, mixture: mixture, ado_resolved: adoResolved,
            metrics_every: metricsEvery, eval_every: evalEvery, heldout_windows: windows, checkpoint_every: ckptEvery,
            threads: threads, seed: String(seed))
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DecodingError {
            switch e {
            case .dataCorrupted(let c): return c.debugDescription
            case .keyNotFound(let k, _): return "missing '\(k.stringValue)'"
            case .typeMismatch(_, let c): return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
            case .valueNotFound(_, let c): return "missing value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
            @unknown default: return "\(e)"
            }
        }
        return "\(error)"
    }
}

/// Reads typed fields from a params object; `"auto"` or absence gives the rule's value.
struct ParamReader {
    let object: [String: JSONValue]
    let prefix: String
    init(_ object: [String: JSONValue], prefix: String) { self.object = object; self.prefix = prefix }

    func raw(_ key: String) -> JSONValue? {
        guard let v = object[key] else { return nil }
        return v
    }
    func refuseUnknown(_ allowed: Set<String>) throws {
        if let k = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw JobError.invalid(param: prefix + k, message: "unknown parameter '\(prefix + k)'")
        }
    }
    func int(_ key: String, _ range: ClosedRange<Int>, auto: Int) throws -> Int {
        switch object[key] {
        case nil, .string("auto")?: return auto
        case let v?:
            guard let i = v.intValue, range.contains(i) else {
                throw JobError.invalid(param: prefix + key, message: "\(prefix + key) must be an integer in \(range.lowerBound)...\(range.upperBound) or \"auto\"")
            }
            return i
        }
    }
    func double(_ key: String, _ range: ClosedRange<Double>, auto: Double) throws -> Double {
        switch object[key] {
        case nil, .string("auto")?: return auto
        case let v?:
            guard let d = v.doubleValue, d.isFinite, range.contains(d) else {
                throw JobError.invalid(param: prefix + key, message: "\(prefix + key) must be a number in \(range.lowerBound)...\(range.upperBound) or \"auto\"")
            }
            return d
        }
    }
    func string(_ key: String) throws -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        default: throw JobError.invalid(param: prefix + key, message: "\(prefix + key) must be a string")
        }
    }
    func object(_ key: String) throws -> [String: JSONValue] {
        switch object[key] {
        case nil: return [:]
        case .object(let o)?: return o
        default: throw JobError.invalid(param: prefix + key, message: "\(prefix + key) must be an object")
        }
    }
}
