import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The web dashboard: `GET /ui` (its one page) and `GET /ui/{asset}` (its ES modules and style sheet), served from
/// the copies of `ui/` embedded in the binary (`EmbeddedUI`, written by `make embed`). No authentication: the files
/// are the same for everyone and hold no data; the page asks for an API key and sends it as a bearer token on each
/// `/v1` call it makes (docs/ui.md). The page routes with the URL's fragment (`/ui#/jobs/ID`), so these two
/// paths are all the server answers.
struct DashboardRoutes {
    /// Only the dashboard's own files may run or style the page: no inline script or style, no other origin, no
    /// framing, no form submission, no `<base>`. Fetches go to this origin only (the API), images may be the
    /// data:/blob: URLs the page makes itself.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// The file for each asset name, with its media type; nil for a name that is not a dashboard file.
    static func asset(_ name: String) -> (body: String, contentType: String)? {
        guard let body = EmbeddedUI.files[name] else { return nil }
        let type: String
        switch (name as NSString).pathExtension {
        case "html": type = "text/html; charset=utf-8"
        case "js": type = "text/javascript; charset=utf-8"
        case "css": type = "text/css; charset=utf-8"
        default: type = "text/plain; charset=utf-8"
        }
        return (body, type)
    }

    func register(on router: Router<OrchardRequestContext>) {
        let ui = router.group("ui").add(middleware: DashboardHeadersMiddleware())
        ui.get { _, _ in try Self.serve("index.html") }
        ui.get(":asset") { _, context in try Self.serve(try context.parameters.require("asset")) }
    }

    static func serve(_ name: String) throws -> Response {
        guard let file = asset(name) else {
            throw APIError.notFound("dashboard file", "\(name) (the dashboard is at /ui)")
        }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        // Revalidate on every load: a server upgrade must not leave a tab running old modules against a new API.
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: file.body)))
    }
}

/// Adds the dashboard's security headers to every `/ui` answer, its error envelopes (an unknown asset) included:
/// the errors are turned into their responses here, inside the group, so that they carry the headers too.
struct DashboardHeadersMiddleware: RouterMiddleware {
    typealias Context = OrchardRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            guard let api = APIError.from(error) else { throw error }
            response = try api.response(from: request, context: context)
        }
        response.headers[HTTPField.Name("Content-Security-Policy")!] = DashboardRoutes.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}
