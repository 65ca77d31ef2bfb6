import Foundation
import OrchardJobs
import OrchardMethods

/// A deterministic, checkpointing job type for tests only (never shipped): it folds the seed and
/// each step number into a 64-bit state, sleeps `step_ms` per step, checkpoints `state.json` every
/// `checkpoint_every` steps and resumes from its latest checkpoint. The result depends only on
/// (seed, steps): an interrupted and resumed run ends with the same `value` as an uninterrupted one.
public struct TestCounterKind: JobKind {
    public static let type = "test_counter"
    public init() {}

    public struct Params: JobParams {
        public var steps: AutoSetting<Int> = .value(20)
        public var checkpoint_every: AutoSetting<Int> = .value(5)
        public var step_ms: AutoSetting<Int> = .value(0)
        /// Attempts 1...n fail with a transient error.
        public var fail_attempts: AutoSetting<Int> = .value(0)
        public var fail_permanently: Bool = false
        /// Each checkpoint also holds `padding.bin` of this many bytes (to fill a small file system).
        public var checkpoint_padding_bytes: AutoSetting<Int> = .value(0)
        /// On attempts 1...n, every checkpoint write after the attempt's first fails with ENOSPC (an injected full disk).
        public var fail_checkpoint_writes_attempts: AutoSetting<Int> = .value(0)
        /// Emits one warn-level event `test_warning` at this step (0: never).
        public var warn_at_step: AutoSetting<Int> = .value(0)
        public init() {}
    }
    public struct Output: Codable, Sendable {
        public var steps: Int
        /// The final state as a decimal string (a UInt64).
        public var value: String
    }

    public func resolve(_ params: Params) throws -> Params {
        var p = params
        let d = Params()
        p.steps.fill { d.steps.value }; p.checkpoint_every.fill { d.checkpoint_every.value }
        p.step_ms.fill { d.step_ms.value }; p.fail_attempts.fill { d.fail_attempts.value }
        p.checkpoint_padding_bytes.fill { 0 }; p.fail_checkpoint_writes_attempts.fill { 0 }; p.warn_at_step.fill { 0 }
        try JobError.require(p.checkpoint_padding_bytes.value, in: 0...(64 << 20), "checkpoint_padding_bytes")
        try JobError.require(p.steps.value, in: 1...100_000, "steps")
        try JobError.require(p.checkpoint_every.value, in: 1...100_000, "checkpoint_every")
        try JobError.require(p.step_ms.value, in: 0...10_000, "step_ms")
        try JobError.require(p.fail_attempts.value, in: 0...100, "fail_attempts")
        return p
    }

    struct State: Codable { var step: Int; var value: UInt64 }

    public func run(_ params: Params, seed: UInt64, context: JobContext) throws -> Output {
        let steps = params.steps.value, checkpointEvery = params.checkpoint_every.value, stepMillis = params.step_ms.value
        var state = State(step: 0, value: seed)
        if let ckpt = try context.latestCheckpoint() {
            state = try JSONDecoder().decode(State.self, from: Data(contentsOf: ckpt.directory.appendingPathComponent("state.json")))
            try context.emit("resumed", "resuming from checkpoint", data: ["step": .number(Double(state.step)), "checkpoint_id": .string(ckpt.id)])
        }
        if context.attempt <= params.fail_attempts.value {
            throw JobError.transient(code: "test_transient", message: "attempt \(context.attempt) fails on purpose")
        }
        if params.fail_permanently { throw JobError.permanent(code: "test_permanent", message: "fails on purpose") }
        var saved = state.step
        var savedThisAttempt = 0
        let padding = params.checkpoint_padding_bytes.value
        let injectFullDisk = context.attempt <= params.fail_checkpoint_writes_attempts.value
        func save() throws {
            let s = state
            try context.saveCheckpoint(step: s.step, metrics: ["loss": Self.loss(s.value)]) { dir in
                try JSONEncoder().encode(s).write(to: dir.appendingPathComponent("state.json"))
                if injectFullDisk && savedThisAttempt > 0 { throw POSIXError(.ENOSPC) }
                if padding > 0 { try Data(count: padding).write(to: dir.appendingPathComponent("padding.bin")) }
            }
            saved = s.step
            savedThisAttempt += 1
        }
        while state.step < steps {
            if context.shouldStop {
                if saved != state.step { try save() }
                throw JobError.stopped
            }
            state.step += 1
            state.value = Self.mix(state.value ^ UInt64(state.step))
            if stepMillis > 0 { Thread.sleep(forTimeInterval: Double(stepMillis) / 1000) }
            try context.metrics(step: state.step, ["loss": Self.loss(state.value)])
            if state.step == params.warn_at_step.value {
                try context.emit(type: "test_warning", message: "a warning on purpose", data: ["step": .number(Double(state.step))], level: "warn")
            }
            try context.progress(step: state.step, totalSteps: steps, tokens: state.step * 100)
            if state.step % checkpointEvery == 0 { try save() }
        }
        return Output(steps: state.step, value: String(state.value))
    }

    /// SplitMix64's finaliser: a cheap, well-mixed deterministic step.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func loss(_ v: UInt64) -> Double { Double(v % 10_000) / 10_000 }

    /// What an uninterrupted run returns, computed directly (the oracle for resume tests).
    public static func expectedValue(seed: UInt64, steps: Int) -> UInt64 {
        var v = seed
        for s in 1...steps { v = mix(v ^ UInt64(s)) }
        return v
    }
}
