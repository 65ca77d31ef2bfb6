import Foundation
import OrchardMethods

/// The `pretrain` job's parameters. Defaults sit on the fields; a field that accepts `"auto"` is an
/// `AutoSetting` whose rule is in `PretrainKind.resolve` (constants: the field's default). The stored
/// and echoed object is the resolved one, so it is exactly what runs.
///
/// Request JSON (snake_case; every field but `dataset` optional):
/// ```
/// {"dataset": "ds_…", "heldout_dataset": "ds_…" | null, "heldout_fraction": "auto",
///  "model": {"layers": 2, "d_model": 128, "heads": 4, "context": 64, "vocab": "bytes" | 512},
///  "optimizer": {"lr": 3e-3, "warmup": "auto", "schedule": "cosine" | "constant", "min_lr": "auto",
///                "weight_decay": 0.1, "clip": 1.0 | null, "beta1": 0.9, "beta2": 0.95},
///  "batch_size": 16, "token_budget": 200000 | "steps": 400,
///  "mixture": {"kind": "natural" | "uniform" | "fixed" | "ado", "weights": {…}, "config": {…ADO…}}, "packing": true,
///  "metrics_every": "auto", "eval_every": "auto", "heldout_windows": "auto", "checkpoint_every": "auto", "threads": n}
/// ```
public struct PretrainParams: JobParams, Equatable {
    public struct Model: Codable, Sendable, Equatable {
        /// Transformer blocks, 1...64.
        public var layers: AutoSetting<Int> = .value(2)
        /// Channels C, 8...4096.
        public var d_model: AutoSetting<Int> = .value(128)
        /// Attention heads; must divide d_model. Auto: max(1, d_model / 32).
        public var heads: AutoSetting<Int> = .auto
        /// Context length T, 2...4096.
        public var context: AutoSetting<Int> = .value(64)
        /// Byte-level (256) or a BPE vocabulary trained on the job's training documents (257...65536).
        public var vocab: VocabularySetting = .bytes
        /// "bytes" | "bpe": follows `vocab` (resolved; echoed).
        public var tokenizer: String? = nil
        public init() {}
    }
    public struct Optimizer: Codable, Sendable, Equatable {
        /// Peak AdamW learning rate, 0...10.
        public var lr: AutoSetting<Double> = .value(3e-3)
        /// Linear warmup steps. Auto: min(100, steps / 10).
        public var warmup: AutoSetting<Int> = .auto
        /// "cosine" (decay to min_lr at the last step) | "constant" (after warmup).
        public var schedule: String = "cosine"
        /// Cosine floor, 0...lr. Auto: lr / 10.
        public var min_lr: AutoSetting<Double> = .auto
        public var weight_decay: AutoSetting<Double> = .value(0.1)
        /// Global gradient-norm clip; null turns clipping off.
        public var clip: AutoSetting<Double>? = .value(1.0)
        public var beta1: AutoSetting<Double> = .value(0.9)
        public var beta2: AutoSetting<Double> = .value(0.95)
        public init() {}

        private enum CodingKeys: String, CodingKey { case lr, warmup, schedule, min_lr, weight_decay, clip, beta1, beta2 }
        /// Writes `"clip": null` when clipping is off (a missing key would mean the default, 1.0).
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(lr, forKey: .lr); try c.encode(warmup, forKey: .warmup); try c.encode(schedule, forKey: .schedule)
            try c.encode(min_lr, forKey: .min_lr); try c.encode(weight_decay, forKey: .weight_decay)
            if let clip { try c.encode(clip, forKey: .clip) } else { try c.encodeNil(forKey: .clip) }
            try c.encode(beta1, forKey: .beta1); try c.encode(beta2, forKey: .beta2)
        }
    }
    /// The documents dataset to train on (required).
    public var dataset: String = ""
    /// A second dataset holding the held-out documents (e.g. the corpus module's heldout.jsonl); nil → split `dataset`.
    public var heldout_dataset: String? = nil
    /// Without `heldout_dataset`: share of `dataset`'s documents held out by a hash of their id, 0.001...0.9.
    public var heldout_fraction: AutoSetting<Double> = .value(0.1)
    public var model = Model()
    public var optimizer = Optimizer()
    /// Sequences per step, 1...4096.
    public var batch_size: AutoSetting<Int> = .value(16)
    /// Tokens to train on; give this or `steps`. Auto: 200 steps' worth.
    public var token_budget: AutoSetting<Int>? = nil
    /// ⌈token_budget / (batch_size · context)⌉.
    public var steps: AutoSetting<Int>? = nil
    /// The requested strategy with ADO's "auto" hyperparameters kept as requested (resolved below).
    public var mixture: MixtureStrategy = .natural
    /// Each sequence packs consecutive documents of its domain to exactly context + 1 tokens, so a mixture's realised
    /// token shares are its weights and strategies train on equal tokens (false: one window of one document, shorter
    /// at a document's end, as jobs stored by wave 1 ran).
    public var packing: Bool = true
    /// ADO only: every hyperparameter resolved for this run's steps and vocabulary (echo; set by resolve).
    public var ado_resolved: ResolvedADOConfig? = nil
    /// Steps between metrics events. Auto: max(1, steps / 100).
    public var metrics_every: AutoSetting<Int> = .auto
    /// Steps between held-out evaluations. Auto: max(1, steps / 20).
    public var eval_every: AutoSetting<Int> = .auto
    /// Held-out windows evaluated per domain, 1...100000.
    public var heldout_windows: AutoSetting<Int> = .value(16)
    /// Steps between checkpoints. Auto: max(1, steps / 10).
    public var checkpoint_every: AutoSetting<Int> = .auto
    /// Compute threads; nil → the worker's per-job budget.
    public var threads: Int? = nil

    public init() {}

    /// Params stored by releases before the typed seam omitted `optimizer.clip` when clipping was off
    /// (they always carried `seed`): restore the explicit null so such a job resumes as it started.
    /// They also predate packing: they run unpacked, as they were submitted.
    public static func upgradeStored(_ json: JSONValue) -> JSONValue {
        guard var o = json.objectValue, o["seed"] != nil else { return json }
        if o["packing"] == nil { o["packing"] = false }
        if var opt = o["optimizer"]?.objectValue, opt["clip"] == nil {
            opt["clip"] = .null
            o["optimizer"] = .object(opt)
        }
        return .object(o)
    }

    public var tokensPerStep: Int { batch_size.value * model.context.value }
    /// Resolved step count.
    public var stepCount: Int { steps?.value ?? 0 }
}

/// `"bytes"` (or `"auto"`, or 256) = byte-level; an integer 257...65536 = a BPE vocabulary of that size.
/// Encoded as the integer size, as stored jobs have always echoed it.
public enum VocabularySetting: Codable, Sendable, Equatable {
    case bytes
    case bpe(Int)

    public var size: Int { if case .bpe(let n) = self { return n }; return 256 }
    public var tokenizer: String { if case .bpe = self { return "bpe" }; return "bytes" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            guard s == "bytes" || s == "auto" else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "vocab must be \"bytes\" or an integer BPE size in 256...65536")
            }
            self = .bytes; return
        }
        guard let n = try? c.decode(Int.self), (256...65_536).contains(n) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "vocab must be \"bytes\" or an integer BPE size in 256...65536")
        }
        self = n == 256 ? .bytes : .bpe(n)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(size)
    }
}
