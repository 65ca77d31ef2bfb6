import Foundation
import Hummingbird
import OrchardQueue

/// Bearer-key authentication for `/v1`, and the key's request rate. Keys are looked up by their SHA-256; hits are
/// cached in memory (keys and their limits are only ever added), so a request costs one hash, not a database read.
/// The context carries the tenant and the key's limits merged over the server's defaults.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = OrchardRequestContext
    let store: any QueueStore
    let defaults: TenantLimits
    let cache = KeyCache()
    let rates = RateLimiter()

    final class KeyCache: @unchecked Sendable {
        private let lock = NSLock()
        private var identities: [String: APIKeyIdentity] = [:]
        func get(_ hash: String) -> APIKeyIdentity? { lock.withLock { identities[hash] } }
        func set(_ hash: String, _ identity: APIKeyIdentity) { lock.withLock { identities[hash] = identity } }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer " else { throw APIError.unauthorized() }
        let key = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.utf8.count <= 256 else { throw APIError.unauthorized() }
        let hash = APIKeyHash.of(key)
        var identity = cache.get(hash)
        if identity == nil {
            let store = store
            identity = try await store.offload { try store.identity(forAPIKey: key) }
            if let identity { cache.set(hash, identity) }
        }
        guard let identity else { throw APIError.unauthorized() }
        let limits = identity.limits.merged(over: defaults)
        if let rate = limits.requestsPerSecond, let wait = rates.acquire(key: hash, rate: rate) {
            var e = APIError(.tooManyRequests, code: "rate_limited",
                             message: "this key is limited to \(rate) requests per second; retry after \(wait) s", param: nil)
            e.headers[.retryAfter] = String(wait)
            throw e
        }
        var context = context
        context.tenant = identity.tenant
        context.limits = limits
        return try await next(request, context)
    }
}
