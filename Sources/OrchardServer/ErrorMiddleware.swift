import Foundation
import Hummingbird
import Logging

/// Turns every error into the JSON envelope. Unexpected errors become a logged 500
/// `internal_error`: input validation must catch bad input long before that.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let api = APIError.from(error) { return try api.response(from: request, context: context) }
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            return try APIError(.internalServerError, code: "internal_error", message: "internal error").response(from: request, context: context)
        }
    }
}
