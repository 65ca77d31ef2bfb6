import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Creates a bearer key for a tenant, with its own limits (nil fields: the server's defaults). Only its SHA-256
    /// is stored; the key is returned once.
    public func createAPIKey(tenant: String, limits: TenantLimits) throws -> String {
        let new = try NewAPIKey(tenant: tenant, limits: limits)
        try write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, tenant, key_hash, created_at, requests_per_second, max_queued_jobs, max_dataset_bytes)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [new.id, new.tenant, new.hash, now(), limits.requestsPerSecond,
                                 limits.maxQueuedJobs, limits.maxDatasetBytes])
        }
        return new.key
    }

    public func identity(forAPIKey key: String) throws -> APIKeyIdentity? {
        try singleStatement { db in
            guard let row = try db.row(sql: """
                SELECT tenant, requests_per_second, max_queued_jobs, max_dataset_bytes FROM api_keys WHERE key_hash = ?
                """, arguments: [APIKeyHash.of(key)]) else { return nil }
            return APIKeyIdentity(tenant: row["tenant"], limits: TenantLimits(
                requestsPerSecond: row["requests_per_second"], maxQueuedJobs: row["max_queued_jobs"], maxDatasetBytes: row["max_dataset_bytes"]))
        }
    }
}
