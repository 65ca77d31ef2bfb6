import Hummingbird
import HTTPTypes

/// `X-Content-Type-Options: nosniff` on every answer, errors included (it sits outside the error envelope): a browser
/// then renders a body only as the type the server declared, so a JSON answer that echoes user text (a job's metadata,
/// a dataset's name) or a downloaded checkpoint file is never sniffed into HTML. The dashboard's answers carry it too.
struct NoSniffMiddleware<Context: RequestContext>: RouterMiddleware {
    static var name: HTTPField.Name { HTTPField.Name("X-Content-Type-Options")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[Self.name] == nil { response.headers[Self.name] = "nosniff" }
        return response
    }
}
