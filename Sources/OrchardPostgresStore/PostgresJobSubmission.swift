import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Queues a job. With an idempotency key already used by this tenant, returns the original job (`replayed: true`)
    /// when the body matches and throws `idempotencyMismatch` when it does not. Two processes submitting the same
    /// new key at once: the second insert of the key waits for the first transaction and then violates the key's
    /// primary key; that transaction rolls back whole (its job included) and runs again, finding the first one's job.
    /// With `maxQueuedJobs`, a per-tenant advisory lock makes count-then-insert atomic across processes.
    public func submit(_ s: JobSubmission) throws -> (job: Job, replayed: Bool) {
        let queued = QueuedJobRow(s)
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try submitOnce(s, queued)
            } catch let e as PostgresStoreError where e.sqlState == "23505" && s.idempotencyKey != nil && attempt < 3 {
                continue
            }
        }
    }

    private func submitOnce(_ s: JobSubmission, _ queued: QueuedJobRow) throws -> (job: Job, replayed: Bool) {
        // Nothing to check first: the insert is one statement.
        if s.idempotencyKey == nil && s.maxQueuedJobs == nil {
            return try singleStatement { db in (try Self.insertJob(db, queued, at: now()), false) }
        }
        return try write { db in
            let now = now()
            if let key = s.idempotencyKey,
               let row = try db.row(sql: "SELECT fingerprint, job_id FROM idempotency_keys WHERE tenant = ? AND key = ?",
                                    arguments: [s.tenant, key]) {
                guard (row[0] as String) == (s.fingerprint ?? "") else { throw StoreError.idempotencyMismatch(key: key) }
                let id: String = row[1]
                guard let job = try Self.fetchJob(db, id: id, tenant: s.tenant) else { throw StoreError.notFound(kind: "job", id: id) }
                return (job, true)
            }
            if let max = s.maxQueuedJobs {
                try db.execute(sql: "SELECT pg_advisory_xact_lock(hashtext('orchard.jobs.' || ?))", arguments: [s.tenant])
                let open = try db.value(Int.self, sql: """
                    SELECT COUNT(*) FROM jobs WHERE status IN ('queued','running','paused') AND tenant = ?
                    """, arguments: [s.tenant]) ?? 0
                if open >= max {
                    throw StoreError.limitExceeded(.maxQueuedJobs, message:
                        "tenant \(s.tenant) has \(open) unfinished jobs (queued, running or paused); this key allows at most \(max)")
                }
            }
            return (try Self.insertJob(db, queued, at: now), false)
        }
    }

    /// Inserts a queued job with its idempotency key and `job.queued` event, inside the caller's transaction: the one
    /// insert path of every job (direct submissions and deletion requests' unlearning jobs). Returns the new job's id.
    static func insertJob(_ db: PostgresSession, _ s: JobSubmission, at now: Int64) throws -> String {
        try insertJob(db, QueuedJobRow(s), at: now).id
    }

    /// `insertJob` with the id and JSON columns prepared; returns the job as stored. One statement: the job (its
    /// `event_seq` already 1), its idempotency key and its `job.queued` event (seq 1) are data-modifying CTEs.
    static func insertJob(_ db: PostgresSession, _ q: QueuedJobRow, at now: Int64) throws -> Job {
        let s = q.submission
        let keyInsert = s.idempotencyKey == nil ? "" : """
            , key AS (INSERT INTO idempotency_keys (tenant, key, fingerprint, job_id, created_at) SELECT ?2, ?12, ?13, id, ?9 FROM job)
            """
        var arguments: PostgresArguments = [q.id, s.tenant, s.type, s.priority, q.paramsJSON, Int64(bitPattern: s.seed), q.metadataJSON,
                                            s.maxAttempts, now, QueueEventType.queued, q.queuedEventJSON]
        if let key = s.idempotencyKey { arguments = arguments + [key, s.fingerprint ?? ""] }
        try db.execute(sql: """
            WITH job AS (
                INSERT INTO jobs (id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts,
                                  scheduled_at, created_at, event_seq)
                VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, 0, ?8, ?9, ?9, 1)
                RETURNING id)\(keyInsert)
            INSERT INTO job_events (job_id, seq, type, level, message, data, attempt, created_at)
            SELECT id, 1, ?10, 'info', '', ?11, 0, ?9 FROM job
            """, arguments: arguments)
        return q.job(at: now)
    }

    /// Replaces a finished job's stored params (an unlearning kind's redaction of the forgotten text).
    public func replaceParams(jobID: String, params: JSONValue) throws {
        try write { db in
            try db.execute(sql: "UPDATE jobs SET params = ? WHERE id = ? AND status IN ('succeeded','failed','cancelled')",
                           arguments: [params.jsonText, jobID])
        }
    }
}
