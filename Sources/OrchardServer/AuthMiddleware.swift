import Foundation
import Hummingbird
import OrchardQueue

/// Bearer-key authentication for `/v1`. Keys are looked up by their SHA-256; hits are cached in
/// memory (keys are only ever added), so a request costs one hash, not a database read.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = OrchardRequestContext
    let store: any QueueStore
    let cache = KeyCache()

    final class KeyCache: @unchecked Sendable {
        private let lock = NSLock()
        private var tenants: [String: String] = [:]
        func get(_ hash: String) -> String? { lock.withLock { tenants[hash] } }
        func set(_ hash: String, _ tenant: String) { lock.withLock { tenants[hash] = tenant } }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { throw APIError.unauthorized() }
        let key = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.utf8.count <= 256 else { throw APIError.unauthorized() }
        let hash = APIKeyHash.of(key)
        var tenant = cache.get(hash)
        if tenant == nil {
            let store = store
            tenant = try await store.offload { try store.tenant(forAPIKey: key) }
            if let tenant { cache.set(hash, tenant) }
        }
        guard let tenant else { throw APIError.unauthorized() }
        var context = context
        context.tenant = tenant
        return try await next(request, context)
    }
}
