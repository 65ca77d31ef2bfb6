import Foundation
import OrchardJobs

/// A deterministic, checkpointing job type for tests only (never shipped): it folds the seed and
/// each step number into a 64-bit state, sleeps `step_ms` per step, checkpoints `state.json` every
/// `checkpoint_every` steps and resumes from its latest checkpoint. The result depends only on
/// (seed, steps): an interrupted and resumed run ends with the same `value` as an uninterrupted one.
public struct TestCounterRunner: JobRunner {
    public static let type = "test_counter"
    public var type: String { Self.type }
    public init() {}

    struct Params: Codable {
        var steps: Int
        var checkpoint_every: Int
        var step_ms: Int
        var fail_attempts: Int
        var fail_permanently: Bool
        var seed: UInt64
    }

    public func validate(params: JSONValue, seed: UInt64) throws -> JSONValue {
        let allowed: Set<String> = ["steps", "checkpoint_every", "step_ms", "fail_attempts", "fail_permanently"]
        if let unknown = params.objectValue?.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw JobError.invalid(param: unknown, message: "unknown parameter \(unknown)")
        }
        func int(_ name: String, _ range: ClosedRange<Int>, auto: Int) throws -> Int {
            switch params[name] {
            case nil, .string("auto")?: return auto
            case let v?:
                guard let i = v.intValue, range.contains(i) else {
                    throw JobError.invalid(param: name, message: "\(name) must be an integer in \(range) or \"auto\"")
                }
                return i
            }
        }
        let failPermanently: Bool
        switch params["fail_permanently"] {
        case nil: failPermanently = false
        case .bool(let b)?: failPermanently = b
        default: throw JobError.invalid(param: "fail_permanently", message: "fail_permanently must be a boolean")
        }
        let p = Params(steps: try int("steps", 1...100_000, auto: 20), checkpoint_every: try int("checkpoint_every", 1...100_000, auto: 5),
                       step_ms: try int("step_ms", 0...10_000, auto: 0), fail_attempts: try int("fail_attempts", 0...100, auto: 0),
                       fail_permanently: failPermanently, seed: seed)
        return try JSONValue(encoding: p)
    }

    struct State: Codable { var step: Int; var value: UInt64 }

    public func run(params: JSONValue, context: JobContext) throws -> JSONValue {
        let p = try params.decode(Params.self)
        var state = State(step: 0, value: p.seed)
        if let ckpt = try context.latestCheckpoint() {
            state = try JSONDecoder().decode(State.self, from: Data(contentsOf: ckpt.directory.appendingPathComponent("state.json")))
            try context.emit("resumed", "resuming from checkpoint", data: ["step": .number(Double(state.step)), "checkpoint_id": .string(ckpt.id)])
        }
        if context.attempt <= p.fail_attempts {
            throw JobError.transient(code: "test_transient", message: "attempt \(context.attempt) fails on purpose")
        }
        if p.fail_permanently { throw JobError.permanent(code: "test_permanent", message: "fails on purpose") }
        var saved = state.step
        func save() throws {
            let s = state
            try context.saveCheckpoint(step: s.step, metrics: ["loss": Self.loss(s.value)]) { dir in
                try JSONEncoder().encode(s).write(to: dir.appendingPathComponent("state.json"))
            }
            saved = s.step
        }
        while state.step < p.steps {
            if context.shouldStop {
                if saved != state.step { try save() }
                throw JobError.stopped
            }
            state.step += 1
            state.value = Self.mix(state.value ^ UInt64(state.step))
            if p.step_ms > 0 { Thread.sleep(forTimeInterval: Double(p.step_ms) / 1000) }
            try context.metrics(step: state.step, ["loss": Self.loss(state.value)])
            try context.progress(step: state.step, totalSteps: p.steps, tokens: state.step * 100)
            if state.step % p.checkpoint_every == 0 { try save() }
        }
        return ["steps": .number(Double(state.step)), "value": .string(String(state.value))]
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
