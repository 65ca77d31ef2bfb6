import Foundation

/// The binding of one method to the queue. A runner is looked up by `type` (the job's `type` field),
/// validates parameters *before* the job is queued, and runs the job on a dedicated worker thread.
///
/// `run` is synchronous on purpose: training is CPU-bound and must not sit on Swift concurrency's
/// cooperative pool. It returns the job's result object; it throws `JobError` to fail or stop.
public protocol JobRunner: Sendable {
    /// The job type this runner serves, e.g. "pretrain", "topic_model".
    var type: String { get }
    /// Validates `params` (the request's `params` object) and returns them with every `"auto"`
    /// resolved and every default filled in; this resolved object is stored and echoed on the job.
    /// Throw `JobError.invalid(param:message:)` for bad input (the API answers 422 with `param`).
    func validate(params: JSONValue, seed: UInt64) throws -> JSONValue
    /// Runs (or resumes, when `context.latestCheckpoint()` is non-nil) the job and returns its result.
    func run(params: JSONValue, context: JobContext) throws -> JSONValue
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

/// Runners by type. The server and workers share one registry; tests may add their own types.
public final class RunnerRegistry: @unchecked Sendable {
    private var runners: [String: any JobRunner] = [:]
    private let lock = NSLock()

    public init(_ runners: [any JobRunner] = []) {
        for r in runners { register(r) }
    }
    public func register(_ runner: any JobRunner) {
        lock.lock(); defer { lock.unlock() }
        runners[runner.type] = runner
    }
    public func runner(for type: String) -> (any JobRunner)? {
        lock.lock(); defer { lock.unlock() }
        return runners[type]
    }
    public var types: [String] {
        lock.lock(); defer { lock.unlock() }
        return runners.keys.sorted()
    }
}
