import Foundation
import OrchardTensor
import GRDB
import OrchardJobs

/// A validated job request, ready to queue (the runner has already resolved `params`).
public struct JobSubmission: Sendable {
    public var tenant: String
    public var type: String
    public var params: JSONValue
    public var seed: UInt64
    public var priority: Int
    public var maxAttempts: Int
    public var metadata: [String: String]
    /// `Idempotency-Key` header and the SHA-256 of the request body it was sent with.
    public var idempotencyKey: String?
    public var fingerprint: String?

    public init(tenant: String, type: String, params: JSONValue, seed: UInt64, priority: Int = 5,
                maxAttempts: Int = 3, metadata: [String: String] = [:], idempotencyKey: String? = nil,
                fingerprint: String? = nil) {
        self.tenant = tenant; self.type = type; self.params = params; self.seed = seed
        self.priority = priority; self.maxAttempts = maxAttempts; self.metadata = metadata
        self.idempotencyKey = idempotencyKey; self.fingerprint = fingerprint
    }
}

public enum Fingerprint {
    /// Hex SHA-256 of bytes.
    public static func sha256(_ data: some DataProtocol) -> String {
        SHA256Hasher.hexDigest([UInt8](data))
    }
}

extension OrchardStore {
    /// Queues a job. With an idempotency key already used by this tenant, returns the original job
    /// (`replayed: true`) when the body matches and throws `idempotencyMismatch` when it does not.
    public func submit(_ s: JobSubmission) throws -> (job: Job, replayed: Bool) {
        try pool.write { db in
            let now = now()
            if let key = s.idempotencyKey {
                if let row = try Row.fetchOne(db, sql: "SELECT fingerprint, job_id FROM idempotency_keys WHERE tenant = ? AND key = ?",
                                              arguments: [s.tenant, key]) {
                    guard (row["fingerprint"] as String) == (s.fingerprint ?? "") else {
                        throw StoreError.idempotencyMismatch(key: key)
                    }
                    let id: String = row["job_id"]
                    guard let job = try Self.fetchJob(db, id: id, tenant: s.tenant) else {
                        throw StoreError.notFound(kind: "job", id: id)
                    }
                    return (job, true)
                }
            }
            let id = Identifiers.make("job")
            let meta = JSONValue.object(s.metadata.mapValues(JSONValue.string))
            try db.cachedStatement(sql: """
                INSERT INTO jobs (id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts,
                                  scheduled_at, created_at)
                VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, 0, ?, ?, ?)
                """).execute(arguments: [id, s.tenant, s.type, s.priority, s.params.columnText,
                                         Int64(bitPattern: s.seed), meta.columnText, s.maxAttempts, now, now])
            if let key = s.idempotencyKey {
                try db.execute(sql: """
                    INSERT INTO idempotency_keys (tenant, key, fingerprint, job_id, created_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [s.tenant, key, s.fingerprint ?? "", id, now])
            }
            try Self.appendEvent(db, jobID: id, type: QueueEventType.queued, data: ["type": .string(s.type)], attempt: 0, at: now)
            guard let job = try Self.fetchJob(db, id: id, tenant: s.tenant) else { throw StoreError.notFound(kind: "job", id: id) }
            return (job, false)
        }
    }
}
