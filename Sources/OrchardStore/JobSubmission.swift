import Foundation
import OrchardTensor
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    /// Queues a job. With an idempotency key already used by this tenant, returns the original job
    /// (`replayed: true`) when the body matches and throws `idempotencyMismatch` when it does not.
    /// The JSON columns and the id are made before the write transaction, so the writer is held only for SQL.
    public func submit(_ s: JobSubmission) throws -> (job: Job, replayed: Bool) {
        let queued = QueuedJobRow(s)
        return try writeTransaction { db in
            let now = now()
            if let key = s.idempotencyKey {
                var used: (fingerprint: String, jobID: String)?
                try db.step("SELECT fingerprint, job_id FROM idempotency_keys WHERE tenant = ?1 AND key = ?2",
                            [.text(s.tenant), .text(key)]) { used = ($0.text(0), $0.text(1)) }
                if let used {
                    guard used.fingerprint == (s.fingerprint ?? "") else {
                        throw StoreError.idempotencyMismatch(key: key)
                    }
                    let id = used.jobID
                    guard let job = try Self.fetchJob(db, id: id, tenant: s.tenant) else {
                        throw StoreError.notFound(kind: "job", id: id)
                    }
                    return (job, true)
                }
            }
            if let max = s.maxQueuedJobs {
                // Unfinished = finished_at IS NULL (a CHECK ties it to the status); `+tenant` keeps the planner on the
                // small partial index of unfinished jobs (jobs_open) rather than every job of the tenant (jobs_tenant).
                let open = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM jobs WHERE finished_at IS NULL AND +tenant = ?
                    """, arguments: [s.tenant]) ?? 0
                if open >= max {
                    throw StoreError.limitExceeded(.maxQueuedJobs, message:
                        "tenant \(s.tenant) has \(open) unfinished jobs (queued, running or paused); this key allows at most \(max)")
                }
            }
            return (try Self.insertJob(db, queued, at: now), false)
        }
    }

    /// Inserts a queued job with its idempotency key and `job.queued` event, inside the caller's write
    /// transaction: the one insert path of every job, direct submissions and deletion requests' unlearning jobs alike.
    /// Returns the new job's id.
    static func insertJob(_ db: Database, _ s: JobSubmission, at now: Int64) throws -> String {
        try insertJob(db, QueuedJobRow(s), at: now).id
    }

    /// `insertJob` with the id and JSON columns prepared; returns the job as stored (built from what was inserted, not read back).
    static func insertJob(_ db: Database, _ q: QueuedJobRow, at now: Int64) throws -> Job {
        let s = q.submission
        try db.step("""
            INSERT INTO jobs (id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts,
                              scheduled_at, created_at, backend, threads)
            VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, 0, ?8, ?9, ?10, ?11, ?12)
            """, [.text(q.id), .text(s.tenant), .text(s.type), .init(s.priority), .text(q.paramsJSON),
                  .int(Int64(bitPattern: s.seed)), .text(q.metadataJSON), .init(s.maxAttempts), .int(now), .int(now),
                  .text(s.backend), s.threads.map { .int(Int64($0)) } ?? .null])
        if let key = s.idempotencyKey {
            try db.step("""
                INSERT INTO idempotency_keys (tenant, key, fingerprint, job_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                """, [.text(s.tenant), .text(key), .text(s.fingerprint ?? ""), .text(q.id), .int(now)])
        }
        try Self.appendEvent(db, jobID: q.id, type: QueueEventType.queued, dataText: q.queuedEventJSON, attempt: 0, at: now)
        return q.job(at: now)
    }

    /// Replaces a finished job's stored params (an unlearning kind's redaction of the forgotten text).
    public func replaceParams(jobID: String, params: JSONValue) throws {
        try writeTransaction { db in
            try db.execute(sql: "UPDATE jobs SET params = ? WHERE id = ? AND status IN ('succeeded','failed','cancelled')",
                           arguments: [params.columnText, jobID])
        }
    }
}
