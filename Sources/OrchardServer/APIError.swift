import Foundation
import Hummingbird
import NIOCore
import OrchardJobs
import OrchardQueue

/// The error envelope of every non-2xx answer: `{"error": {"code", "message", "param"}}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var param: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, param: String? = nil) {
        self.status = status; self.code = code; self.message = message; self.param = param
    }

    static func unauthorized() -> APIError {
        var e = APIError(.unauthorized, code: "unauthorized", message: "missing or invalid API key (Authorization: Bearer <key>)")
        e.headers[.wwwAuthenticate] = "Bearer"
        return e
    }
    static func notFound(_ kind: String, _ id: String) -> APIError { .init(.notFound, code: "not_found", message: "no \(kind) \(id)") }
    static func invalid(_ param: String?, _ message: String, code: String = "invalid_request") -> APIError {
        .init(.unprocessableContent, code: code, message: message, param: param)
    }

    var json: JSONValue {
        ["error": ["code": .string(code), "message": .string(message), "param": param.map(JSONValue.string) ?? .null]]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(json))))
    }

    /// Maps any error thrown below a route to the envelope. Unknown errors are 500 (and logged).
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let e as APIError: return e
        case let e as StoreError:
            switch e {
            case .notFound(let kind, let id): return .notFound(kind, id)
            case .invalidTransition: return .init(.conflict, code: "invalid_state_transition", message: e.description)
            case .idempotencyMismatch: return .init(.conflict, code: "idempotency_key_reused", message: e.description, param: "Idempotency-Key")
            case .invalid(let param, let message): return .invalid(param, message)
            case .leaseLost: return nil
            case .limitExceeded(let kind, let message):
                switch kind {
                case .maxDatasetBytes: return .init(.contentTooLarge, code: "dataset_storage_limit_exceeded", message: message)
                case .maxQueuedJobs: return .init(.tooManyRequests, code: "queued_jobs_limit_exceeded", message: message)
                case .requestsPerSecond: return .init(.tooManyRequests, code: "rate_limited", message: message)
                }
            }
        case let e as JobError:
            switch e {
            case .invalid(let param, let message): return .invalid(param, message, code: "invalid_params")
            case .permanent(let code, let message), .transient(let code, let message): return .invalid(nil, message, code: code)
            case .stopped: return nil
            }
        case is NIOTooManyBytesError:
            return .init(.contentTooLarge, code: "payload_too_large", message: "request body too large (JSON bodies are limited to 1 MiB)")
        case let e as HTTPError:
            let code: String
            switch e.status.code {
            case 400: code = "bad_request"
            case 404: code = "not_found"
            case 405: code = "method_not_allowed"
            case 413: code = "payload_too_large"
            default: code = e.status.code < 500 ? "bad_request" : "internal_error"
            }
            let message = e.body ?? (e.status.code == 413 ? "request body too large" : e.status.reasonPhrase)
            return .init(e.status, code: code, message: message)
        case let e as any HTTPResponseError where e.status.code < 500:
            return .init(e.status, code: "bad_request", message: e.status.reasonPhrase)
        default: return nil
        }
    }
}
