import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Fencing: the job must still be running under exactly this lease. Locks the job row (`FOR UPDATE`) for the
    /// rest of the caller's transaction, so the lease cannot be reaped or re-claimed between this check and its writes.
    static func checkLease(_ db: PostgresSession, _ lease: Lease) throws {
        let ok = try db.value(Int.self, sql: """
            SELECT 1 FROM jobs WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running' FOR UPDATE
            """, arguments: [lease.jobID, lease.attempt, lease.owner]) != nil
        if !ok { throw StoreError.leaseLost(jobID: lease.jobID) }
    }

    /// Claims up to `limit` runnable jobs of the given types, highest priority (lowest number) first, then oldest
    /// schedule. `FOR UPDATE SKIP LOCKED`: concurrent claimers (other workers, other machines) skip the rows another
    /// claim has locked instead of waiting for it, so each job is taken by exactly one claim. Each gets a lease,
    /// attempt + 1 and its `job.started` event (seq from the job's `event_seq`, as `appendEvent`), all in one
    /// statement: the event insert is a data-modifying CTE over the claimed rows, atomic with the claim.
    public func claim(owner: String, types: [String], leaseMillis: Int64, limit: Int = 1) throws -> [ClaimedJob] {
        guard !types.isEmpty, limit > 0 else { return [] }
        return try singleStatement { db in
            let now = now()
            let rows = try db.rows(sql: """
                WITH claimed AS (
                    UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_owner = ?1, lease_expires_at = ?2,
                                    heartbeat_at = ?3, started_at = COALESCE(started_at, ?3), event_seq = event_seq + 1
                    WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND scheduled_at <= ?3 AND type = ANY(?4) AND backend = 'local'
                                 ORDER BY priority, scheduled_at, seq LIMIT ?5 FOR UPDATE SKIP LOCKED)
                    RETURNING \(Job.columns), seq, event_seq),
                started AS (
                    INSERT INTO job_events (job_id, seq, type, level, message, data, attempt, created_at)
                    SELECT id, event_seq, ?6, 'info', '', '{"attempt":' || attempt || '}', attempt, ?3 FROM claimed)
                SELECT * FROM claimed
                """, arguments: [owner, now + leaseMillis, now, types, limit, QueueEventType.started])
            // RETURNING does not keep the subquery's order: restore it.
            return rows.map { (job: Job(columns: $0), seq: $0[Job.columnCount] as Int64) }
                .sorted { ($0.job.priority, $0.job.scheduledAt, $0.seq) < ($1.job.priority, $1.job.scheduledAt, $1.seq) }
                .map { ClaimedJob(job: $0.job, lease: Lease(jobID: $0.job.id, attempt: $0.job.attempt, owner: owner)) }
        }
    }

    /// Extends the lease (fenced: the UPDATE matches only the current lease) and reports stop requests.
    public func heartbeat(_ lease: Lease, leaseMillis: Int64) throws -> JobControl {
        try write { db in
            let now = now()
            guard let row = try db.row(sql: """
                UPDATE jobs SET heartbeat_at = ?, lease_expires_at = ?
                WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running'
                RETURNING cancel_requested_at, pause_requested_at
                """, arguments: [now, now + leaseMillis, lease.jobID, lease.attempt, lease.owner]) else {
                throw StoreError.leaseLost(jobID: lease.jobID)
            }
            return JobControl(cancelRequested: (row["cancel_requested_at"] as Int64?) != nil,
                              pauseRequested: (row["pause_requested_at"] as Int64?) != nil)
        }
    }

    /// A cheap read of the stop requests between heartbeats.
    public func control(_ lease: Lease) throws -> JobControl {
        try singleStatement { db in
            guard let row = try db.row(sql: """
                SELECT cancel_requested_at, pause_requested_at FROM jobs
                WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running'
                """, arguments: [lease.jobID, lease.attempt, lease.owner]) else {
                throw StoreError.leaseLost(jobID: lease.jobID)
            }
            return JobControl(cancelRequested: (row["cancel_requested_at"] as Int64?) != nil,
                              pauseRequested: (row["pause_requested_at"] as Int64?) != nil)
        }
    }

    /// Records the progress fields (fenced).
    public func updateProgress(_ lease: Lease, step: Int, totalSteps: Int?, tokens: Int?) throws {
        try write { db in
            try db.execute(sql: """
                UPDATE jobs SET progress_step = ?, progress_total = COALESCE(?, progress_total),
                                progress_tokens = COALESCE(?, progress_tokens)
                WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running'
                """, arguments: [step, totalSteps, tokens, lease.jobID, lease.attempt, lease.owner])
            if db.changesCount == 0 { throw StoreError.leaseLost(jobID: lease.jobID) }
        }
    }

    @discardableResult
    public func complete(_ lease: Lease, result: JSONValue) throws -> Double {
        try finish(lease, status: .succeeded, result: result, failure: nil, event: QueueEventType.succeeded)
    }

    @discardableResult
    public func fail(_ lease: Lease, failure: JobFailure) throws -> Double {
        try finish(lease, status: .failed, result: nil, failure: failure, event: QueueEventType.failed)
    }

    /// One statement: the fenced UPDATE checks the lease, finishes the job and takes the next event seq; a
    /// data-modifying CTE inserts the terminal event from its row. No row: the lease is not ours (`leaseLost`), and
    /// nothing was written.
    private func finish(_ lease: Lease, status: JobStatus, result: JSONValue?, failure: JobFailure?, event: String) throws -> Double {
        let resultJSON = result?.jsonText, errorJSON = failure?.json.jsonText
        let data = JobFinishEventData.text(status: status, resultJSON: resultJSON, errorJSON: errorJSON)
        return try singleStatement { db in
            let now = now()
            guard let row = try db.row(sql: """
                WITH done AS (
                    UPDATE jobs SET status = ?1, finished_at = ?2, result = ?3, error = ?4, lease_owner = NULL,
                                    lease_expires_at = NULL, event_seq = event_seq + 1
                    WHERE id = ?5 AND attempt = ?6 AND lease_owner = ?7 AND status = 'running'
                    RETURNING started_at, event_seq),
                event AS (
                    INSERT INTO job_events (job_id, seq, type, level, message, data, attempt, created_at)
                    SELECT ?5, event_seq, ?8, ?9, ?10, ?11, ?6, ?2 FROM done)
                SELECT started_at FROM done
                """, arguments: [status.rawValue, now, resultJSON, errorJSON, lease.jobID, lease.attempt, lease.owner,
                                 event, status == .failed ? "error" : "info", failure?.message ?? "", data]) else {
                throw StoreError.leaseLost(jobID: lease.jobID)
            }
            let startedAt = (row[0] as Int64?) ?? now
            return Double(now - startedAt) / 1000
        }
    }

    /// A transient failure: back to `queued` after an exponential backoff with jitter, or `failed`
    /// (`max_attempts_exceeded`) at the job's `max_attempts`-th failure. Returns true when it will retry.
    @discardableResult
    public func retryOrFail(_ lease: Lease, failure: JobFailure) throws -> Bool {
        try write { db in
            let now = now()
            try Self.checkLease(db, lease)
            let row = try db.row(sql: "SELECT max_attempts, failures FROM jobs WHERE id = ?", arguments: [lease.jobID])
            let maxAttempts: Int = row?["max_attempts"] ?? 1
            let failures: Int = (row?["failures"] ?? 0) + 1
            try db.execute(sql: "UPDATE jobs SET failures = ? WHERE id = ?", arguments: [failures, lease.jobID])
            if failures >= maxAttempts {
                let final = JobFailure(code: "max_attempts_exceeded",
                                       message: "failure \(failures) of \(maxAttempts) allowed: \(failure.code): \(failure.message)")
                try Self.markFailed(db, lease: lease, failure: final, at: now)
                return false
            }
            let delay = retryDelayMillis(attempt: failures)
            try db.execute(sql: """
                UPDATE jobs SET status = 'queued', scheduled_at = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = ?
                """, arguments: [now + delay, failure.json.jsonText, lease.jobID])
            try Self.appendEvent(db, jobID: lease.jobID, type: QueueEventType.retrying, level: "warn", message: failure.message,
                                 data: ["error": failure.json, "delay_ms": .number(Double(delay)),
                                        "next_attempt": .number(Double(lease.attempt + 1))],
                                 attempt: lease.attempt, at: now)
            return true
        }
    }

    /// Fails the leased job for good with `failure` and its `job.failed` event (caller's transaction, row locked).
    static func markFailed(_ db: PostgresSession, lease: Lease, failure: JobFailure, at now: Int64) throws {
        try db.execute(sql: """
            UPDATE jobs SET status = 'failed', finished_at = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL
            WHERE id = ?
            """, arguments: [now, failure.json.jsonText, lease.jobID])
        try appendEvent(db, jobID: lease.jobID, type: QueueEventType.failed, level: "error", message: failure.message,
                        data: ["status": "failed", "error": failure.json], attempt: lease.attempt, at: now)
    }

    public func retryDelayMillis(attempt: Int) -> Int64 {
        configuration.settings.retryBackoff.delayMillis(attempt: attempt)
    }

    /// The runner stopped after a stop request (or a drain): cancel wins over pause; with neither the job goes back
    /// to `queued`.
    @discardableResult
    public func stopped(_ lease: Lease) throws -> StopOutcome {
        try write { db in
            let now = now()
            try Self.checkLease(db, lease)
            if try Self.cancelIfRequested(db, lease: lease, at: now) { return .cancelled }
            let row = try db.row(sql: "SELECT pause_requested_at FROM jobs WHERE id = ?", arguments: [lease.jobID])
            if (row?["pause_requested_at"] as Int64?) != nil {
                try db.execute(sql: """
                    UPDATE jobs SET status = 'paused', lease_owner = NULL, lease_expires_at = NULL, pause_requested_at = NULL
                    WHERE id = ?
                    """, arguments: [lease.jobID])
                try Self.appendEvent(db, jobID: lease.jobID, type: QueueEventType.paused, attempt: lease.attempt, at: now)
                return .paused
            }
            try Self.requeue(db, lease: lease, at: now, event: QueueEventType.released, refundAttempt: true)
            return .requeued
        }
    }

    /// Gives a job back to the queue without counting the attempt (graceful drain).
    public func release(_ lease: Lease) throws {
        try write { db in
            try Self.checkLease(db, lease)
            if try Self.cancelIfRequested(db, lease: lease, at: now()) { return }
            try Self.requeue(db, lease: lease, at: now(), event: QueueEventType.released, refundAttempt: true)
        }
    }

    /// Ends the job `cancelled` if a cancel was requested (inside the caller's transaction, the lease already checked):
    /// a job whose runner stopped, was released or died after a cancel is not queued again.
    static func cancelIfRequested(_ db: PostgresSession, lease: Lease, at now: Int64) throws -> Bool {
        guard try db.row(sql: """
            UPDATE jobs SET status = 'cancelled', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL, pause_requested_at = NULL
            WHERE id = ? AND cancel_requested_at IS NOT NULL RETURNING id
            """, arguments: [now, lease.jobID]) != nil else { return false }
        try appendEvent(db, jobID: lease.jobID, type: QueueEventType.cancelled, data: ["status": "cancelled"], attempt: lease.attempt, at: now)
        return true
    }

    static func requeue(_ db: PostgresSession, lease: Lease, at now: Int64, event: String, refundAttempt: Bool) throws {
        try db.execute(sql: """
            UPDATE jobs SET status = 'queued', scheduled_at = ?, lease_owner = NULL, lease_expires_at = NULL, attempt = attempt - ?
            WHERE id = ?
            """, arguments: [now, refundAttempt ? 1 : 0, lease.jobID])
        try appendEvent(db, jobID: lease.jobID, type: event, data: ["attempt": .number(Double(lease.attempt))],
                        attempt: lease.attempt, at: now)
    }

    /// Re-queues running jobs whose lease expired or whose owner `isDead` (they resume from their latest checkpoint
    /// on the next claim); after `maxInterruptions` lost leases the job fails `max_interruptions_exceeded`. Several
    /// processes may reap at once: `FOR UPDATE SKIP LOCKED` gives each running job to one reaper, and a row whose lease
    /// a heartbeat is extending right now is skipped (it is alive). Returns the number of leases reclaimed.
    @discardableResult
    public func reapExpiredLeases(isDead: (String) -> Bool = { _ in false }) throws -> Int {
        try write { db in
            let now = now()
            let rows = try db.rows(sql: """
                SELECT id, attempt, interruptions, lease_owner, lease_expires_at FROM jobs WHERE status = 'running'
                FOR UPDATE SKIP LOCKED
                """)
            var reaped = 0
            for row in rows {
                let owner: String = row["lease_owner"]
                let expires: Int64 = row["lease_expires_at"] ?? 0
                guard expires < now || isDead(owner) else { continue }
                let lease = Lease(jobID: row["id"], attempt: row["attempt"], owner: owner)
                if try Self.cancelIfRequested(db, lease: lease, at: now) { reaped += 1; continue }
                let interruptions: Int = (row["interruptions"] as Int) + 1
                let limit = configuration.settings.maxInterruptions
                try db.execute(sql: "UPDATE jobs SET interruptions = ? WHERE id = ?", arguments: [interruptions, lease.jobID])
                if interruptions >= limit {
                    let failure = JobFailure(code: "max_interruptions_exceeded",
                                             message: "the process running the job died or stopped heartbeating \(interruptions) times (limit \(limit))")
                    try Self.markFailed(db, lease: lease, failure: failure, at: now)
                } else {
                    try Self.requeue(db, lease: lease, at: now, event: QueueEventType.leaseExpired, refundAttempt: false)
                }
                reaped += 1
            }
            return reaped
        }
    }
}
