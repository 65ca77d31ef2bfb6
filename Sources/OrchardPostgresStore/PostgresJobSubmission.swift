import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Queues a job. With an idempotency key already used by this tenant, returns the original job (`replayed: true`)
    /// when the body matches and throws `idempotencyMismatch` when it does not. Without a per-tenant limit the whole
    /// submission is one statement (`insertJob`: look the key up, insert only if it is new). Two processes submitting
    /// the same new key at once: the second insert of the key waits for the first statement's transaction and then
    /// violates the key's primary key; its statement rolls back whole (its job included) and runs again, finding the
    /// first one's job. With `maxQueuedJobs`, a transaction takes a per-tenant advisory lock so count-then-insert is
    /// atomic across processes.
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
        let outcome: KeyedInsert
        if let max = s.maxQueuedJobs {
            outcome = try write { db in
                try db.execute(sql: "SELECT pg_advisory_xact_lock(hashtext('orchard.jobs.' || ?))", arguments: [s.tenant])
                if let key = s.idempotencyKey,
                   let row = try db.row(sql: "SELECT fingerprint, job_id FROM idempotency_keys WHERE tenant = ? AND key = ?",
                                        arguments: [s.tenant, key]) {
                    return .existing(fingerprint: row[0], jobID: row[1])
                }
                let open = try db.value(Int.self, sql: """
                    SELECT COUNT(*) FROM jobs WHERE status IN ('queued','running','paused') AND tenant = ?
                    """, arguments: [s.tenant]) ?? 0
                if open >= max {
                    throw StoreError.limitExceeded(.maxQueuedJobs, message:
                        "tenant \(s.tenant) has \(open) unfinished jobs (queued, running or paused); this key allows at most \(max)")
                }
                return try Self.insertJob(db, queued, at: now())
            }
        } else {
            outcome = try singleStatement { db in try Self.insertJob(db, queued, at: now()) }
        }
        switch outcome {
        case .inserted(let job):
            return (job, false)
        case .existing(let fingerprint, let id):
            guard fingerprint == (s.fingerprint ?? "") else { throw StoreError.idempotencyMismatch(key: s.idempotencyKey ?? "") }
            guard let job = try job(id: id, tenant: s.tenant) else { throw StoreError.notFound(kind: "job", id: id) }
            return (job, true)
        }
    }

    /// What `insertJob` did: inserted the job, or found the submission's idempotency key already used (nothing written).
    enum KeyedInsert {
        case inserted(Job)
        case existing(fingerprint: String, jobID: String)
    }

    /// Inserts a queued job inside the caller's transaction: the one insert path of every job (direct submissions and
    /// deletion requests' unlearning jobs). Returns the new job's id.
    static func insertJob(_ db: PostgresSession, _ s: JobSubmission, at now: Int64) throws -> String {
        switch try insertJob(db, QueuedJobRow(s), at: now) {
        case .inserted(let job): return job.id
        case .existing: throw StoreError.idempotencyMismatch(key: s.idempotencyKey ?? "")
        }
    }

    /// One statement: unless the submission's idempotency key is already used (then it returns that key's job and
    /// fingerprint and writes nothing), inserts the job (its `event_seq` already 1), its key and its `job.queued` event
    /// (seq 1) as data-modifying CTEs.
    static func insertJob(_ db: PostgresSession, _ q: QueuedJobRow, at now: Int64) throws -> KeyedInsert {
        let s = q.submission
        var arguments: PostgresArguments = [q.id, s.tenant, s.type, s.priority, q.paramsJSON, Int64(bitPattern: s.seed), q.metadataJSON,
                                            s.maxAttempts, now, QueueEventType.queued, q.queuedEventJSON, s.backend, s.threads]
        let values = "SELECT ?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, 0, ?8, ?9, ?9, 1, ?12, ?13::bigint"
        let insertJob = """
            INSERT INTO jobs (id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts,
                              scheduled_at, created_at, event_seq, backend, threads)
            """
        let insertEvent = """
            INSERT INTO job_events (job_id, seq, type, level, message, data, attempt, created_at)
            SELECT id, 1, ?10, 'info', '', ?11, 0, ?9 FROM job
            """
        guard let key = s.idempotencyKey else {
            try db.execute(sql: "WITH job AS (\(insertJob) \(values) RETURNING id) \(insertEvent)", arguments: arguments)
            return .inserted(q.job(at: now))
        }
        arguments = arguments + [key, s.fingerprint ?? ""]
        let existing = try db.row(sql: """
            WITH existing AS (SELECT fingerprint, job_id FROM idempotency_keys WHERE tenant = ?2 AND key = ?14),
            job AS (\(insertJob) \(values) WHERE NOT EXISTS (SELECT 1 FROM existing) RETURNING id),
            key AS (INSERT INTO idempotency_keys (tenant, key, fingerprint, job_id, created_at) SELECT ?2, ?14, ?15, id, ?9 FROM job),
            event AS (\(insertEvent))
            SELECT fingerprint, job_id FROM existing
            """, arguments: arguments)
        if let existing { return .existing(fingerprint: existing[0], jobID: existing[1]) }
        return .inserted(q.job(at: now))
    }

    /// Replaces a finished job's stored params (an unlearning kind's redaction of the forgotten text).
    public func replaceParams(jobID: String, params: JSONValue) throws {
        try write { db in
            try db.execute(sql: "UPDATE jobs SET params = ? WHERE id = ? AND status IN ('succeeded','failed','cancelled')",
                           arguments: [params.jsonText, jobID])
        }
    }
}
