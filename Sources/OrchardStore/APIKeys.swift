import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    /// Creates a bearer key for a tenant, with its own limits (nil fields: the server's defaults). Only its SHA-256 is
    /// stored; the key is returned once.
    public func createAPIKey(tenant: String, limits: TenantLimits) throws -> String {
        let t = tenant.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 128 else { throw StoreError.invalid(param: "tenant", message: "tenant must be 1-128 characters") }
        try limits.validate()
        var g = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
        let key = "ork_" + secret
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, tenant, key_hash, created_at, requests_per_second, max_queued_jobs, max_dataset_bytes)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Identifiers.make("key"), t, APIKeyHash.of(key), now(), limits.requestsPerSecond,
                                 limits.maxQueuedJobs, limits.maxDatasetBytes])
        }
        return key
    }

    public func identity(forAPIKey key: String) throws -> APIKeyIdentity? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT tenant, requests_per_second, max_queued_jobs, max_dataset_bytes FROM api_keys WHERE key_hash = ?
                """), arguments: [APIKeyHash.of(key)]) else { return nil }
            return APIKeyIdentity(tenant: row["tenant"], limits: TenantLimits(
                requestsPerSecond: row["requests_per_second"], maxQueuedJobs: row["max_queued_jobs"], maxDatasetBytes: row["max_dataset_bytes"]))
        }
    }

}
