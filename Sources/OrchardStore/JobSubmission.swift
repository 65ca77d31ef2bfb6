import Foundation
import OrchardTensor
import GRDB
import OrchardJobs
import OrchardQueue

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
            if let max = s.maxQueuedJobs {
                let open = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM jobs WHERE status IN ('queued','running','paused') AND tenant = ?
                    """, arguments: [s.tenant]) ?? 0
                if open >= max {
                    throw StoreError.limitExceeded(.maxQueuedJobs, message:
                        "tenant \(s.tenant) has \(open) unfinished jobs (queued, running or paused); this key allows at most \(max)")
                }
            }
            let id = try Self.insertJob(db, s, at: now)
            guard let job = try Self.fetchJob(db, id: id, tenant: s.tenant) else { throw StoreError.notFound(kind: "job", id: id) }
            return (job, false)
        }
    }

    /// Inserts a queued job with its idempotency key and `job.queued` event, inside the caller's write
    /// transaction: the one insert path of every job, direct submissions and deletion requests' unlearning jobs alike.
    static func insertJob(_ db: Database, _ s: JobSubmission, at now: Int64) throws -> String {
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
        return id
    }

    /// Replaces a finished job's stored params (an unlearning kind's redaction of the forgotten text).
    public func replaceParams(jobID: String, params: JSONValue) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE jobs SET params = ? WHERE id = ? AND status IN ('succeeded','failed','cancelled')",
                           arguments: [params.columnText, jobID])
        }
    }
}
