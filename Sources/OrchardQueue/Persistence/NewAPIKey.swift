import Foundation

/// A bearer key about to be stored, made the same way by every store: the tenant trimmed and checked (1–128
/// characters), the limits validated, 32 random bytes as `ork_<hex>`. Stores keep only `hash` (`APIKeyHash`); `key`
/// is shown once.
public struct NewAPIKey: Sendable {
    public let id: String
    public let tenant: String
    public let key: String
    public var hash: String { APIKeyHash.of(key) }

    public init(tenant: String, limits: TenantLimits) throws {
        let t = tenant.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 128 else { throw StoreError.invalid(param: "tenant", message: "tenant must be 1-128 characters") }
        try limits.validate()
        var g = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
        id = Identifiers.make("key")
        self.tenant = t
        key = "ork_" + secret
    }
}
