import Foundation
import Hummingbird
import OrchardQueue

/// `POST /v1/datasets?name=&kind=` streams a JSONL upload through `DatasetImport` (every line
/// validated as it arrives; a bad line is 422 naming it, and nothing is stored);
/// `GET /v1/datasets[/{id}]` lists and describes datasets with live counts per domain.
struct DatasetRoutes {
    let store: any QueueStore
    var maxUploadBytes: Int
    var spoolDirectory: URL?

    func register(on group: RouterGroup<OrchardRequestContext>) {
        group.post("datasets", use: create)
        group.get("datasets", use: list)
        group.get("datasets/:id", use: get)
    }

    @Sendable func create(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let q = try QueryReader(request, allowed: ["name", "kind"])
        let name = q.string("name") ?? "dataset"
        guard !name.isEmpty, name.count <= 256 else { throw APIError.invalid("name", "name must be 1-256 characters") }
        var expected: DatasetKind?
        if let k = q.string("kind") {
            guard let kind = DatasetKind(rawValue: k) else { throw APIError.invalid("kind", "kind must be documents or preference_pairs") }
            expected = kind
        }
        var upload = spoolDirectory.map { DatasetImport(expectedKind: expected, spoolDirectory: $0) } ?? DatasetImport(expectedKind: expected)
        let store = store, quota = context.limits.maxDatasetBytes
        // The tenant's storage limit: checked as the bytes arrive (to stop early) and again when the dataset is stored.
        var stored: Int64 = 0
        if quota != nil { stored = try await store.offload { try store.datasetBytes(tenant: tenant) } }
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            if received > maxUploadBytes {
                throw APIError(.contentTooLarge, code: "payload_too_large", message: "dataset uploads are limited to \(maxUploadBytes) bytes")
            }
            if let quota, stored + Int64(received) > quota {
                throw StoreError.limitExceeded(.maxDatasetBytes, message:
                    "tenant \(tenant) stores \(stored) dataset bytes; this upload would exceed the key's limit of \(quota)")
            }
            try upload.feed(chunk.readableBytesView)
        }
        let sha = try upload.finish()
        let finished = upload
        let ds = try await store.offload {
            try store.createDataset(tenant: tenant, name: name, from: finished, sha256: sha, maxTenantBytes: quota)
        }
        return Resources.response(Resources.dataset(ds), status: .created)
    }

    @Sendable func list(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let q = try QueryReader(request, allowed: ["after", "limit"])
        let after = q.string("after")
        let limit = try q.int("limit", in: 1...100, default: 20)
        let store = store
        let page = try await store.offload { try store.listDatasets(tenant: tenant, after: after, limit: limit) }
        return Resources.response(Resources.list(page.datasets.map(Resources.dataset), hasMore: page.hasMore))
    }

    @Sendable func get(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let store = store
        guard let ds = try await store.offload({ try store.dataset(id: id, tenant: tenant) }) else { throw APIError.notFound("dataset", id) }
        return Resources.response(Resources.dataset(ds))
    }
}
