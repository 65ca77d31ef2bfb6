import Foundation
import Hummingbird

/// The routes of docs/openapi.yaml (embedded): each path template with the methods it answers.
/// The router answers exactly these (EmbeddedOpenAPITests); the table lets a request whose path exists but
/// whose method does not be told 405 with `Allow`, instead of the 404 of an unknown path.
struct DocumentedRoutes: Sendable {
    struct Route: Sendable {
        /// Path segments; `{id}` matches any one segment, `{name}.svg` any segment with that suffix.
        var segments: [String]
        var methods: [String]
    }
    let routes: [Route]

    static let shared = DocumentedRoutes(openAPI: EmbeddedOpenAPI.yaml)

    /// Reads `paths:` of an OpenAPI document in this project's layout: a path at two spaces of indent,
    /// its operations (`get:`, `post:`, …) at four.
    init(openAPI yaml: String) {
        let operations: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]
        var routes: [Route] = []
        var inPaths = false
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { continue }
            if !line.hasPrefix(" ") { inPaths = line.hasPrefix("paths:"); continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                let path = line.dropFirst(2).dropLast()
                routes.append(Route(segments: path.split(separator: "/").map(String.init), methods: []))
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let colon = line.firstIndex(of: ":"),
                      case let word = line[line.index(line.startIndex, offsetBy: 4)..<colon], operations.contains(String(word)),
                      !routes.isEmpty {
                routes[routes.count - 1].methods.append(word.uppercased())
            }
        }
        self.routes = routes
    }

    /// The methods documented for `path`, or nil when no documented path matches it.
    func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        for route in routes where route.segments.count == parts.count {
            if zip(route.segments, parts).allSatisfy({ Self.segment($0, matches: $1) }) { return route.methods }
        }
        return nil
    }

    private static func segment(_ template: String, matches part: Substring) -> Bool {
        guard template.hasPrefix("{"), let close = template.firstIndex(of: "}") else { return template == part }
        let suffix = template[template.index(after: close)...]
        return part.count > suffix.count && part.hasSuffix(suffix)
    }
}

/// Turns the router's 404 for an unmatched (path, method) into 405 `method_not_allowed` with `Allow` when the
/// path is a documented route. Sits inside the error envelope, so the answer is enveloped (and counted) as 405.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: DocumentedRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let allowed = routes.methods(for: request.uri.path), !allowed.contains(request.method.rawValue) else { throw error }
            var e = APIError(.methodNotAllowed, code: "method_not_allowed",
                             message: "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(allowed.joined(separator: ", "))")
            e.headers[.allow] = allowed.joined(separator: ", ")
            throw e
        }
    }
}
