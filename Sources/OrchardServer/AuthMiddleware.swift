import Foundation
import Hummingbird
import OrchardQueue

/// Bearer-key authentication for `/v1`, and the key's request rate. Keys are looked up by their SHA-256; hits are
/// cached in memory by the key itself (keys and their limits are only ever added), so a request with a known key
/// costs one dictionary lookup: no hash, no database read. The context carries the tenant and the key's limits
/// merged over the server's defaults.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = OrchardRequestContext
    let store: any QueueStore
    let defaults: TenantLimits
    let cache = KeyCache()
    let rates = RateLimiter()

    /// Known keys. Only keys the store accepted are added, so unknown keys cannot grow it.
    final class KeyCache: @unchecked Sendable {
        struct Entry: Sendable {
            var tenant: String
            /// The key's limits merged over the server's defaults.
            var limits: TenantLimits
            /// The key's SHA-256: the rate limiter's bucket (the key itself is never logged or stored).
            var hash: String
        }
        private let lock = NSLock()
        private var entries: [String: Entry] = [:]
        func get(_ key: String) -> Entry? { lock.withLock { entries[key] } }
        func set(_ key: String, _ entry: Entry) { lock.withLock { entries[key] = entry } }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], let key = Self.bearerKey(header) else { throw APIError.unauthorized() }
        let entry: KeyCache.Entry
        if let hit = cache.get(key) {
            entry = hit
        } else {
            let store = store
            guard let identity = try await store.offload({ try store.identity(forAPIKey: key) }) else { throw APIError.unauthorized() }
            entry = KeyCache.Entry(tenant: identity.tenant, limits: identity.limits.merged(over: defaults), hash: APIKeyHash.of(key))
            cache.set(key, entry)
        }
        if let rate = entry.limits.requestsPerSecond, let wait = rates.acquire(key: entry.hash, rate: rate) {
            var e = APIError(.tooManyRequests, code: "rate_limited",
                             message: "this key is limited to \(rate) requests per second; retry after \(wait) s", param: nil)
            e.headers[.retryAfter] = String(wait)
            throw e
        }
        var context = context
        context.tenant = entry.tenant
        context.limits = entry.limits
        return try await next(request, context)
    }

    /// The key of an `Authorization` header `Bearer KEY`: the scheme is matched case-insensitively and spaces and tabs
    /// around KEY are ignored; nil unless KEY is 1–256 bytes with no space or tab inside (the whole header is read
    /// as UTF-8 bytes: no Foundation trimming, which costs more than the rest of authentication).
    static func bearerKey(_ header: String) -> String? {
        let bytes = Array(header.utf8)
        let scheme: [UInt8] = Array("bearer".utf8)
        guard bytes.count > scheme.count + 1 else { return nil }
        for (i, c) in scheme.enumerated() where bytes[i] | 0x20 != c { return nil }
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        guard blank(bytes[scheme.count]) else { return nil }
        var start = scheme.count + 1, end = bytes.count
        while start < end, blank(bytes[start]) { start += 1 }
        while end > start, blank(bytes[end - 1]) { end -= 1 }
        guard end > start, end - start <= 256, !bytes[start..<end].contains(where: blank) else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}
