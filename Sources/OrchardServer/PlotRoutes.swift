import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OrchardJobs
import OrchardQueue

/// `GET /v1/jobs/{id}/plots/{name}.svg`: server-side SVG charts of a job's metrics events
/// (`loss`: train/held-out loss per domain over steps; `mixture`: mixture weights, stacked area).
struct PlotRoutes {
    let store: any QueueStore

    func register(on group: RouterGroup<OrchardRequestContext>) {
        group.get("jobs/:id/plots/:name", use: plot)
    }

    @Sendable func plot(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let file = try context.parameters.require("name")
        guard file.hasSuffix(".svg") else {
            throw APIError.notFound("plot", "\(file) (plots are served as NAME.svg: \(JobPlots.names.map { $0 + ".svg" }.joined(separator: ", ")))")
        }
        let name = String(file.dropLast(4))
        guard JobPlots.names.contains(name) else {
            throw APIError.notFound("plot", "\(name) (plots: \(JobPlots.names.joined(separator: ", ")))")
        }
        let store = store
        let metrics: [JSONValue] = try await store.offload {
            var out: [JSONValue] = [], after = 0
            while true {
                let page = try store.events(jobID: id, tenant: tenant, after: after, limit: 1000)
                out += page.events.filter { $0.type == "metrics" }.map(\.data)
                guard page.hasMore, let last = page.events.last else { break }
                after = last.seq
            }
            return out
        }
        let svg: String
        do { svg = try JobPlots.svg(name: name, metrics: metrics) } catch let e as JobPlots.PlotError {
            throw APIError(.notFound, code: "no_data", message: e.description, param: "name")
        }
        var h = HTTPFields()
        h[.contentType] = "image/svg+xml"
        h[.cacheControl] = "no-store"
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(string: svg)))
    }
}
