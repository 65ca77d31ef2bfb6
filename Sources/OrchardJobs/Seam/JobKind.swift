import Foundation
import OrchardMethods

/// A job kind's parameters: a `Codable` value type whose defaults sit on its fields (as nanoGPT's
/// `GPTConfig` does), so `Params()` is the documented default request. Wire names are snake_case.
/// Fields that accept `"auto"` are `AutoSetting`s; `JobKind.resolve` replaces every one by its value.
public protocol JobParams: ParamsSection {
    /// Rewrites params stored by an older release into today's shape before they are decoded (default: unchanged).
    static func upgradeStored(_ json: JSONValue) -> JSONValue
}

extension JobParams {
    public static func upgradeStored(_ json: JSONValue) -> JSONValue { json }
}

/// A part of a kind's params with its own defaults (`init()`): a key missing inside it takes the value of
/// `Self()` even where the enclosing field is an optional that defaults to nil (e.g. `certification`).
public protocol ParamsSection: Codable, Sendable {
    init()
}

/// The typed binding of one method to the queue: what a newcomer writes to add a job type.
///
/// Params are decoded once (`ParamsDecoder`: defaults from `Params()`, unknown keys and bad values are
/// 422 with the exact `params.…` path), resolved once (`resolve`), stored and echoed as resolved; the
/// job's seed is handed to `run` (it is not a parameter); the result is a typed `Output`, encoded once.
///
/// `run` is synchronous on purpose: training is CPU-bound and runs on a dedicated worker thread, not on
/// Swift concurrency's cooperative pool. It resumes from `context.latestCheckpoint()` when non-nil.
public protocol JobKind: Sendable {
    associatedtype Params: JobParams
    associatedtype Output: Codable & Sendable
    /// The job's `type` on the wire, e.g. "pretrain".
    static var type: String { get }
    /// Fills every `"auto"` and checks ranges and cross-field rules. Must be idempotent (stored params are
    /// resolved again before they run). Throw `JobError.invalid(param:message:)` with the path below `params`.
    func resolve(_ params: Params) throws -> Params
    /// Runs (or resumes) the job and returns its result.
    func run(_ params: Params, seed: UInt64, context: JobContext) throws -> Output
    /// The datasets and checkpoints the resolved params name (checked by the API before queueing; default none).
    func references(_ params: Params) -> [JobReference]
}

/// How a job ends other than by returning a result.
public enum JobError: Error, Sendable, Equatable {
    /// Bad parameters or data: a permanent error, never retried. `param` names the field.
    case invalid(param: String?, message: String)
    /// A permanent failure discovered while running (bad data, divergence): never retried.
    case permanent(code: String, message: String)
    /// A transient failure (I/O, resource): retried with backoff up to `max_attempts`.
    case transient(code: String, message: String)
    /// The runner saw `context.shouldStop` and returned after checkpointing (cancel, pause, drain,
    /// lost lease); the queue decides the resulting state from what was requested.
    case stopped
}

extension JobError {
    /// Checks `value ∈ range` for the field at `param`.
    public static func require<T: Comparable>(_ value: T, in range: ClosedRange<T>, _ param: String) throws {
        guard range.contains(value) else {
            throw JobError.invalid(param: param, message: "\(param) must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }
    /// Checks a finite number in `range`.
    public static func require(_ value: Double, in range: ClosedRange<Double>, _ param: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw JobError.invalid(param: param, message: "\(param) must be a number in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
    }
    /// A required string field (the default is "").
    public static func requireNonEmpty(_ value: String, _ param: String, _ what: String) throws {
        guard !value.isEmpty else { throw JobError.invalid(param: param, message: "\(param) (\(what)) is required") }
    }
}

extension AutoSetting {
    /// The resolved value. Every stored `Params` is resolved before `run` sees it (the registry calls
    /// `resolve` first), so `.auto` here is a programming error in that kind's `resolve`.
    public var value: Value {
        switch self {
        case .value(let v): return v
        case .auto: preconditionFailure("AutoSetting read before JobKind.resolve filled it")
        }
    }
    /// Replaces `.auto` by `rule()`; keeps a given value.
    public mutating func fill(_ rule: () -> Value) { self = .value(resolve(rule)) }
}
