import Foundation
import HTTPTypes
import Hummingbird
import OrchardJobs
import OrchardQueue

/// `/v1/deletion_requests`: file (validated, idempotent), list, get, events. The work itself is done by
/// unlearning jobs that the `DeletionCoordinator` (OrchardQueue) queues and follows.
struct DeletionRoutes {
    let store: any QueueStore
    let registry: JobKindRegistry

    func register(on group: RouterGroup<OrchardRequestContext>) {
        group.post("deletion_requests", use: create)
        group.get("deletion_requests", use: list)
        group.get("deletion_requests/:id", use: get)
        group.get("deletion_requests/:id/events", use: events)
        group.get("deletion_policy", use: policy)
        group.put("deletion_policy", use: setPolicy)
    }

    /// `mode` and `approximate` of a request or policy body: approximate mode names the method (and its bar) that
    /// edits language models; exact and certified take none. `mode` nil: absent (and `required` false).
    static func mode(_ o: [String: JSONValue], required: Bool) throws -> (mode: String?, options: JSONValue?) {
        let mode: String?
        switch o["mode"] {
        case nil, .some(.null):
            if required { throw APIError.invalid("mode", "mode is required: \"exact\", \"certified\" or \"approximate\"") }
            mode = nil
        case .some(.string(let m)) where Self.modes.contains(m): mode = m
        default: throw APIError.invalid("mode", "mode must be \"exact\", \"certified\" or \"approximate\"")
        }
        switch (mode, o["approximate"]) {
        case ("approximate", let a?) where a != .null:
            do { return (mode, try JSONValue(encoding: try ApproximateUnlearningOptions.parse(a))) } catch JobError.invalid(let param, let message) {
                throw APIError.invalid(param.map { "approximate." + $0 } ?? "approximate", message)
            }
        case ("approximate", _):
            throw APIError.invalid("approximate", "mode \"approximate\" needs approximate: {\"method\", …, \"bar\"}")
        case (_, let a?) where a != .null:
            throw APIError.invalid("approximate", "approximate options apply to mode \"approximate\" only")
        default:
            return (mode, nil)
        }
    }

    @Sendable func policy(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let store = store
        return Resources.response(Self.resource(try await store.offload { try store.deletionPolicy(tenant: tenant) }))
    }

    /// `PUT /v1/deletion_policy` {"mode", "approximate"}: replaces the tenant's policy; requests filed after it
    /// that name no mode run it (filed ones keep theirs).
    @Sendable func setPolicy(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let body = try JobRequest.parseJSON(try await request.body.collect(upTo: context.maxUploadSize))
        guard let o = body.objectValue else { throw APIError.invalid(nil, "the request body must be a JSON object") }
        for k in o.keys.sorted() where !["mode", "approximate"].contains(k) {
            throw APIError.invalid(k, "unknown field \(k)", code: "unknown_parameter")
        }
        let (mode, options) = try Self.mode(o, required: true)
        let store = store
        let p = try await store.offload { try store.setDeletionPolicy(tenant: tenant, mode: mode!, options: options) }
        return Resources.response(Self.resource(p))
    }

    static func resource(_ p: DeletionPolicy) -> JSONValue {
        ["object": "deletion_policy", "mode": .string(p.mode), "approximate": p.options ?? .null,
         "source": p.updatedAt == nil ? "default" : "tenant", "updated_at": Resources.seconds(p.updatedAt)]
    }

    static let modes: Set<String> = ["exact", "certified", "approximate"]

    @Sendable func create(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body = try JobRequest.parseJSON(buffer)
        guard let o = body.objectValue else { throw APIError.invalid(nil, "the request body must be a JSON object") }
        for k in o.keys.sorted() where !["dataset", "document_ids", "reason", "mode", "approximate"].contains(k) {
            throw APIError.invalid(k, "unknown field \(k)", code: "unknown_parameter")
        }
        guard let dataset = o["dataset"]?.stringValue, !dataset.isEmpty else { throw APIError.invalid("dataset", "dataset (a dataset id) is required") }
        guard let list = o["document_ids"]?.arrayValue, !list.isEmpty else {
            throw APIError.invalid("document_ids", "document_ids must be a non-empty array of document ids")
        }
        guard list.count <= 10_000 else { throw APIError.invalid("document_ids", "at most 10000 documents per request") }
        var ids: [String] = []
        var seen = Set<String>()
        for (i, v) in list.enumerated() {
            guard let s = v.stringValue, !s.isEmpty else { throw APIError.invalid("document_ids[\(i)]", "document ids are non-empty strings") }
            guard seen.insert(s).inserted else { throw APIError.invalid("document_ids[\(i)]", "document \(s) is listed twice") }
            ids.append(s)
        }
        guard let reason = o["reason"]?.stringValue, !reason.isEmpty, reason.count <= 1000 else {
            throw APIError.invalid("reason", "reason must be a string of 1-1000 characters")
        }
        // No mode: the tenant's deletion policy decides, in the store's transaction.
        let (mode, options) = try Self.mode(o, required: false)
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        let fingerprint = Fingerprint.sha256(body.canonicalData())
        let store = store, documentIDs = ids, unlearnable = registry.unlearnableTypes, requestOptions = options
        let (req, replayed) = try await store.offload {
            try store.createDeletionRequest(tenant: tenant, dataset: dataset, documentIDs: documentIDs, reason: reason, mode: mode,
                                            options: requestOptions, idempotencyKey: key, fingerprint: fingerprint, unlearnable: unlearnable)
        }
        var headers: HTTPFields = [:]
        if replayed { headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return Resources.response(resource(req), status: .created, headers: headers)
    }

    @Sendable func list(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let q = try QueryReader(request, allowed: ["after", "limit"])
        let after = q.string("after"), limit = try q.int("limit", in: 1...100, default: 20)
        let store = store
        let page = try await store.offload { try store.listDeletionRequests(tenant: tenant, after: after, limit: limit) }
        return Resources.response(Resources.list(page.requests.map(resource), hasMore: page.hasMore))
    }

    @Sendable func get(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let store = store
        guard let r = try await store.offload({ try store.deletionRequest(id: id, tenant: tenant) }) else {
            throw APIError.notFound("deletion_request", id)
        }
        return Resources.response(resource(r))
    }

    @Sendable func events(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let q = try QueryReader(request, allowed: ["after", "limit"])
        let after = try q.int("after", in: 0...Int.max, default: 0), limit = try q.int("limit", in: 1...1000, default: 100)
        let store = store
        let page = try await store.offload { try store.deletionEvents(id: id, tenant: tenant, after: after, limit: limit) }
        let items: [JSONValue] = page.events.map {
            ["seq": .number(Double($0.seq)), "type": .string($0.type), "message": .string($0.message), "data": $0.data,
             "created_at": Resources.seconds($0.createdAt)]
        }
        return Resources.response(Resources.list(items, hasMore: page.hasMore))
    }

    /// The API resource. Documents appear only as hashes; the reason is echoed to its owner.
    func resource(_ r: DeletionRequest) -> JSONValue {
        var versions: [JSONValue] = [], evaluation: [String: JSONValue] = [:]
        let actions: [JSONValue] = r.actions.map { a in
            var o: [String: JSONValue] = ["model": .string(a.rootJob), "type": .string(a.jobType), "action": .string(a.action),
                                          "status": .string(a.status), "job_id": a.jobID.map(JSONValue.string) ?? .null,
                                          "input_checkpoint": a.inputCheckpoint.map(JSONValue.string) ?? .null]
            if !a.purgedCheckpoints.isEmpty { o["purged_checkpoints"] = .array(a.purgedCheckpoints.map(JSONValue.string)) }
            if a.action == "unsupported" {
                o["note"] = .string("no unlearning method exists for \(a.jobType) yet: the model is listed as affected; retrain it (the documents are tombstoned)")
            }
            if let res = a.result {
                o["result"] = res
                if let outcome = registry.unlearningOutcome(of: a, includeRejected: true) {
                    if let reason = outcome.rejected { o["rejected"] = .string(reason) }
                    if outcome.producedVersion, let ckpt = outcome.checkpoint {
                        versions.append(["model": .string(a.rootJob), "checkpoint": .string(ckpt),
                                         "model_version": outcome.model_version.map { .number(Double($0)) } ?? .null,
                                         "previous_checkpoint": a.inputCheckpoint.map(JSONValue.string) ?? .null])
                    }
                    if let ev = outcome.evaluation { evaluation[a.rootJob] = ev }
                }
            }
            return .object(o)
        }
        return ["id": .string(r.id), "object": "deletion_request", "status": .string(r.status.rawValue),
                "dataset": .string(r.dataset), "mode": .string(r.mode), "mode_source": .string(r.modeSource), "reason": .string(r.reason), "approximate": r.options ?? .null,
                "documents": ["count": .number(Double(r.documentCount)), "hashes": .array(r.documentHashes)],
                "affected_models": .array(r.actions.map { JSONValue.string($0.rootJob) }), "actions": .array(actions),
                "new_model_versions": .array(versions), "evaluation": .object(evaluation),
                "receipt": r.receipt ?? .null, "error": r.error ?? .null,
                "created_at": Resources.seconds(r.createdAt), "started_at": Resources.seconds(r.startedAt),
                "completed_at": Resources.seconds(r.completedAt)]
    }
}
