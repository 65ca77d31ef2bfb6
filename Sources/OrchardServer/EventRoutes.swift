import Foundation
import HTTPTypes
import Hummingbird
import OrchardJobs
import OrchardQueue

/// A job's event stream, paged (`GET /v1/jobs/{id}/events?after=&limit=`) and as Server-Sent
/// Events (`/events/stream`): `id:` is the per-job seq, `Last-Event-ID` (or `?after=`) resumes,
/// comment lines keep idle connections alive, and after the job's terminal event the server
/// sends `event: end` and closes.
struct EventRoutes {
    let store: any QueueStore
    var pollInterval: Duration = .milliseconds(200)
    var keepAliveInterval: Duration = .seconds(15)

    func register(on group: RouterGroup<OrchardRequestContext>) {
        group.get("jobs/:id/events", use: page)
        group.get("jobs/:id/events/stream", use: stream)
    }

    @Sendable func page(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let q = try QueryReader(request, allowed: ["after", "limit"])
        let after = try q.int("after", in: 0...Int.max, default: 0)
        let limit = try q.int("limit", in: 1...1000, default: 100)
        let store = store
        let page = try await store.offload { try store.events(jobID: id, tenant: tenant, after: after, limit: limit) }
        return Resources.response(Resources.list(page.events.map(Resources.event), hasMore: page.hasMore))
    }

    @Sendable func stream(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let q = try QueryReader(request, allowed: ["after"])
        var start = try q.int("after", in: 0...Int.max, default: 0)
        if let last = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let n = Int(last.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                throw APIError.invalid("Last-Event-ID", "Last-Event-ID must be a non-negative integer")
            }
            start = n
        }
        let store = store
        let first = start
        // Fail before the 200 when the job does not exist.
        _ = try await store.offload { try store.events(jobID: id, tenant: tenant, after: first, limit: 1) }
        let poll = pollInterval, keepAlive = keepAliveInterval
        let body = ResponseBody { writer in
            var cursor = first
            let clock = ContinuousClock()
            var lastWrite = clock.now
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while true {
                let after = cursor
                let page = try await store.offload { try store.events(jobID: id, tenant: tenant, after: after, limit: 200) }
                if !page.events.isEmpty {
                    var text = ""
                    for e in page.events {
                        text += "id: \(e.seq)\nevent: \(e.type)\ndata: \(JSONText.encode(Resources.event(e)))\n\n"
                        cursor = e.seq
                    }
                    try await writer.write(ByteBuffer(string: text))
                    lastWrite = clock.now
                    continue
                }
                if page.status.isTerminal {
                    try await writer.write(ByteBuffer(string: "event: end\ndata: {\"status\":\"\(page.status.rawValue)\"}\n\n"))
                    break
                }
                try await Task.sleep(for: poll)
                if clock.now - lastWrite >= keepAlive {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = clock.now
                }
            }
            try await writer.finish(nil)
        }
        var headers: HTTPFields = [:]
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }
}
