import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    /// Creates a bearer key for a tenant. Only its SHA-256 is stored; the key is returned once.
    public func createAPIKey(tenant: String) throws -> String {
        let t = tenant.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 128 else { throw StoreError.invalid(param: "tenant", message: "tenant must be 1-128 characters") }
        var g = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
        let key = "ork_" + secret
        try pool.write { db in
            try db.execute(sql: "INSERT INTO api_keys (id, tenant, key_hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [Identifiers.make("key"), t, APIKeyHash.of(key), now()])
        }
        return key
    }

    /// The tenant of a bearer key, or nil.
    public func tenant(forAPIKey key: String) throws -> String? {
        try pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT tenant FROM api_keys WHERE key_hash = ?"), arguments: [APIKeyHash.of(key)])
        }
    }

}
