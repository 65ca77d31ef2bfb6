import Foundation
import HTTPTypes
import Hummingbird
import OrchardJobs
import OrchardQueue

/// `/v1/jobs`: submit (validated, idempotent), list, get, cancel / pause / resume, checkpoints, lineage.
struct JobRoutes {
    let store: any QueueStore
    let registry: JobKindRegistry
    var backends = JobBackends()

    func register(on group: RouterGroup<OrchardRequestContext>) {
        group.post("jobs", use: create)
        group.get("jobs", use: list)
        group.get("jobs/:id", use: get)
        group.post("jobs/:id/cancel") { try await action(.cancel, $0, $1) }
        group.post("jobs/:id/pause") { try await action(.pause, $0, $1) }
        group.post("jobs/:id/resume") { try await action(.resume, $0, $1) }
        group.get("jobs/:id/checkpoints", use: checkpoints)
        group.get("jobs/:id/lineage", use: lineage)
    }

    @Sendable func create(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body = try JobRequest.parseJSON(buffer)
        let checked = try JobRequest.submission(body: body, tenant: tenant, registry: registry, backends: backends,
                                                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
        var validated = checked.0
        validated.maxQueuedJobs = context.limits.maxQueuedJobs
        let store = store, submission = validated, references = checked.1
        let (job, replayed) = try await store.offload {
            try JobRequest.checkReferences(references, tenant: tenant, store: store)
            return try store.submit(submission)
        }
        var headers: HTTPFields = [:]
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return Resources.textResponse(Resources.jobText(job), status: .created, headers: headers)
    }

    @Sendable func list(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let q = try QueryReader(request, allowed: ["after", "limit", "status", "type"], allowPrefixes: ["metadata["])
        var query = JobListQuery(tenant: tenant)
        query.after = q.string("after")
        query.limit = try q.int("limit", in: 1...100, default: 20)
        if let s = q.string("status") {
            guard let status = JobStatus(rawValue: s) else {
                throw APIError.invalid("status", "status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.status = status
        }
        query.type = q.string("type")
        for (k, v) in q.params where k.hasPrefix("metadata[") {
            guard k.hasSuffix("]"), k.count > 10 else { throw APIError.invalid(k, "use metadata[KEY]=VALUE") }
            query.metadata[String(k.dropFirst(9).dropLast())] = v
        }
        let store = store, finalQuery = query
        let page = try await store.offload { try store.listJobs(finalQuery) }
        return Resources.textResponse(Resources.listText(page.jobs.map(Resources.jobText), hasMore: page.hasMore))
    }

    @Sendable func get(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let store = store
        guard let job = try await store.pointRead({ try store.job(id: id, tenant: tenant) }) else { throw APIError.notFound("job", id) }
        return Resources.textResponse(Resources.jobText(job))
    }

    func action(_ action: JobAction, _ request: Request, _ context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let store = store
        let job = try await store.offload { try store.perform(action, jobID: id, tenant: tenant) }
        return Resources.textResponse(Resources.jobText(job))
    }

    @Sendable func checkpoints(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let store = store
        let list = try await store.offload { try store.checkpoints(jobID: id, tenant: tenant) }
        return Resources.response(Resources.list(list.map(Resources.checkpoint), hasMore: false))
    }

    /// The documents the job's model read, with the step of each first read: `{"data": [{"dataset", "document_id",
    /// "first_step"}], "has_more"}`, in (dataset, document) order; `after` = the last entry's "dataset/document_id".
    @Sendable func lineage(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let q = try QueryReader(request, allowed: ["after", "limit"])
        let after = q.string("after")
        if let a = after, !a.contains("/") { throw APIError.invalid("after", "after is the last entry's \"dataset/document_id\"") }
        let limit = try q.int("limit", in: 1...1000, default: 100)
        let store = store
        let page = try await store.offload { try store.lineagePage(jobID: id, tenant: tenant, after: after, limit: limit) }
        let items: [JSONValue] = page.entries.map {
            ["dataset": .string($0.dataset), "document_id": .string($0.documentID),
             "first_step": $0.firstStep.map { .number(Double($0)) } ?? .null]
        }
        return Resources.response(Resources.list(items, hasMore: page.hasMore))
    }
}
