import Foundation

/// Errors the store reports to its callers; the HTTP layer maps each to a status and error code.
public enum StoreError: Error, Sendable, Equatable {
    /// No such resource for this tenant (another tenant's resources are reported the same way).
    case notFound(kind: String, id: String)
    /// The action is impossible from the resource's current state (HTTP 409 `invalid_state_transition`).
    case invalidTransition(id: String, from: String, action: String)
    /// Same idempotency key, different request body (HTTP 409 `idempotency_key_reused`).
    case idempotencyMismatch(key: String)
    /// A worker write whose lease (id, attempt, owner) is no longer current: the worker must stop.
    case leaseLost(jobID: String)
    /// Input the store refuses (HTTP 422), with the offending parameter.
    case invalid(param: String?, message: String)
    /// A tenant limit would be exceeded (queued jobs: HTTP 429; dataset storage: HTTP 413); nothing was written.
    case limitExceeded(TenantLimits.Kind, message: String)
}

extension StoreError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notFound(let kind, let id): return "no \(kind) \(id)"
        case .invalidTransition(let id, let from, let action): return "cannot \(action) job \(id) in status \(from)"
        case .idempotencyMismatch(let key): return "Idempotency-Key \(key) was used with a different request body"
        case .leaseLost(let id): return "lease on job \(id) was lost"
        case .invalid(_, let message): return message
        case .limitExceeded(_, let message): return message
        }
    }
}
