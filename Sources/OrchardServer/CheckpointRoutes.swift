import Foundation
import HTTPTypes
import Hummingbird
import OrchardQueue

/// `GET /v1/checkpoints/{id}` (metadata with per-file SHA-256) and `/content`: the checkpoint
/// directory as a tar archive, or one file of it with `?file=NAME`. Private files are neither served nor archived.
struct CheckpointRoutes {
    let store: any QueueStore

    func register(on group: RouterGroup<OrchardRequestContext>) {
        group.get("checkpoints/:id", use: get)
        group.get("checkpoints/:id/content", use: content)
    }

    func load(_ context: OrchardRequestContext) async throws -> Checkpoint {
        let tenant = try context.requireTenant()
        let id = try context.parameters.require("id")
        let store = store
        guard let c = try await store.offload({ try store.checkpoint(id: id, tenant: tenant) }) else { throw APIError.notFound("checkpoint", id) }
        return c
    }

    @Sendable func get(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        Resources.response(Resources.checkpoint(try await load(context)))
    }

    @Sendable func content(_ request: Request, context: OrchardRequestContext) async throws -> Response {
        let q = try QueryReader(request, allowed: ["file"])
        let c = try await load(context)
        if let purgedBy = c.purgedBy {
            throw APIError(.gone, code: "checkpoint_purged",
                           message: "checkpoint \(c.id) was purged by deletion request \(purgedBy): it carried deleted documents and its files are deleted; download the model's current version (the request's new_model_versions)")
        }
        let dir = store.directory(of: c)
        var headers: HTTPFields = [:]
        headers[HTTPField.Name("X-Checkpoint-Id")!] = c.id
        if let name = q.string("file") {
            // Only names from the index: no path can escape the checkpoint directory.
            guard let file = c.files.first(where: { $0.name == name }) else { throw APIError.notFound("file", name) }
            guard !file.isPrivate else {
                throw APIError(.forbidden, code: "private_file",
                               message: "\(name) is the method's private state (a certified model's un-noised statistics): it is never served",
                               param: "file")
            }
            let data = try await store.offload { try Data(contentsOf: dir.appendingPathComponent(file.name)) }
            headers[.contentType] = "application/octet-stream"
            headers[HTTPField.Name("X-Content-SHA256")!] = file.sha256
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        let files = c.publicFiles
        let archive = try await store.offload { try TarArchive.make(directory: dir, files: files.map(\.name)) }
        headers[.contentType] = "application/x-tar"
        headers[.contentDisposition] = "attachment; filename=\"\(c.id).tar\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: archive)))
    }
}
