import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    /// Fencing: the job must still be running under exactly this lease. Called inside write transactions.
    static func checkLease(_ db: Database, _ lease: Lease) throws {
        let ok = try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM jobs WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running'
            """), arguments: [lease.jobID, lease.attempt, lease.owner]) ?? false
        if !ok { throw StoreError.leaseLost(jobID: lease.jobID) }
    }

    /// Claims up to `limit` runnable jobs of the given types in one `BEGIN IMMEDIATE` transaction,
    /// highest priority (lowest number) first, then oldest schedule. Each gets a lease and attempt + 1.
    public func claim(owner: String, types: [String], leaseMillis: Int64, limit: Int = 1) throws -> [ClaimedJob] {
        guard !types.isEmpty, limit > 0 else { return [] }
        return try writeTransaction { db in
            let now = now()
            let placeholders = Array(repeating: "?", count: types.count).joined(separator: ",")
            let values: [BoundValue] = [.text(owner), .int(now + leaseMillis), .int(now), .int(now), .int(now)]
                + types.map(BoundValue.text) + [.init(limit)]
            // `Job.columns` first (read by position), then `seq` for the order.
            var rows: [(job: Job, seq: Int64)] = []
            try db.step("""
                UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?,
                                heartbeat_at = ?, started_at = COALESCE(started_at, ?)
                WHERE id IN (SELECT id FROM jobs WHERE finished_at IS NULL AND status = 'queued' AND scheduled_at <= ? AND type IN (\(placeholders))
                                           AND backend = 'local'
                             ORDER BY priority, scheduled_at, seq LIMIT ?)
                RETURNING \(Job.columns), seq
                """, values) { rows.append((Job(columns: $0), $0.int64(Job.columnCount))) }
            // RETURNING does not keep the subquery's order: restore it.
            let claimed = rows
                .sorted { ($0.job.priority, $0.job.scheduledAt, $0.seq) < ($1.job.priority, $1.job.scheduledAt, $1.seq) }
            return try claimed.map { (job, _) in
                try Self.appendEvent(db, jobID: job.id, type: QueueEventType.started, dataText: "{\"attempt\":\(job.attempt)}",
                                     attempt: job.attempt, at: now)
                return ClaimedJob(job: job, lease: Lease(jobID: job.id, attempt: job.attempt, owner: owner))
            }
        }
    }

    /// Extends the lease (fenced) and reports stop requests; throws `leaseLost` if the job is no longer ours.
    public func heartbeat(_ lease: Lease, leaseMillis: Int64) throws -> JobControl {
        try writeTransaction { db in
            let now = now()
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                UPDATE jobs SET heartbeat_at = ?, lease_expires_at = ?
                WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running'
                RETURNING cancel_requested_at, pause_requested_at
                """), arguments: [now, now + leaseMillis, lease.jobID, lease.attempt, lease.owner]) else {
                throw StoreError.leaseLost(jobID: lease.jobID)
            }
            return JobControl(cancelRequested: row["cancel_requested_at"] != nil, pauseRequested: row["pause_requested_at"] != nil)
        }
    }

    /// A cheap read of the stop requests between heartbeats (cancel/pause latency stays sub-second).
    public func control(_ lease: Lease) throws -> JobControl {
        try pool.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT cancel_requested_at, pause_requested_at FROM jobs
                WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running'
                """), arguments: [lease.jobID, lease.attempt, lease.owner]) else {
                throw StoreError.leaseLost(jobID: lease.jobID)
            }
            return JobControl(cancelRequested: row["cancel_requested_at"] != nil, pauseRequested: row["pause_requested_at"] != nil)
        }
    }

    /// Records the progress fields (fenced).
    public func updateProgress(_ lease: Lease, step: Int, totalSteps: Int?, tokens: Int?) throws {
        try writeTransaction { db in
            try db.cachedStatement(sql: """
                UPDATE jobs SET progress_step = ?, progress_total = COALESCE(?, progress_total),
                                progress_tokens = COALESCE(?, progress_tokens)
                WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running'
                """).execute(arguments: [step, totalSteps, tokens, lease.jobID, lease.attempt, lease.owner])
            if db.changesCount == 0 { throw StoreError.leaseLost(jobID: lease.jobID) }
        }
    }

    /// The job finished with a result (fenced). Returns the job's duration in seconds.
    @discardableResult
    public func complete(_ lease: Lease, result: JSONValue) throws -> Double {
        try finish(lease, status: .succeeded, result: result, failure: nil, event: QueueEventType.succeeded)
    }

    /// The job failed for good (fenced): permanent errors and exhausted retries.
    @discardableResult
    public func fail(_ lease: Lease, failure: JobFailure) throws -> Double {
        try finish(lease, status: .failed, result: nil, failure: failure, event: QueueEventType.failed)
    }

    /// One fenced statement checks the lease and finishes the job; the event's data is spliced from the already
    /// encoded result or error (keys in sorted order, as `columnText` writes them), so nothing is encoded twice.
    private func finish(_ lease: Lease, status: JobStatus, result: JSONValue?, failure: JobFailure?, event: String) throws -> Double {
        let resultJSON = result?.columnText, errorJSON = failure?.json.columnText
        let data = JobFinishEventData.text(status: status, resultJSON: resultJSON, errorJSON: errorJSON)
        return try writeTransaction { db in
            let now = now()
            var finished: Int64??
            try db.step("""
                UPDATE jobs SET status = ?1, finished_at = ?2, result = ?3, error = ?4, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = ?5 AND attempt = ?6 AND lease_owner = ?7 AND status = 'running'
                RETURNING started_at
                """, [.text(status.rawValue), .int(now), .init(resultJSON), .init(errorJSON), .text(lease.jobID),
                      .init(lease.attempt), .text(lease.owner)]) { finished = .some($0.isNull(0) ? nil : $0.int64(0)) }
            guard let finished else { throw StoreError.leaseLost(jobID: lease.jobID) }
            let startedAt = finished ?? now
            try Self.appendEvent(db, jobID: lease.jobID, type: event, level: status == .failed ? "error" : "info",
                                 message: failure?.message ?? "", dataText: data, attempt: lease.attempt, at: now)
            return Double(now - startedAt) / 1000
        }
    }

    /// A transient failure: back to `queued` after an exponential backoff with jitter, or `failed`
    /// (`max_attempts_exceeded`) when this was the job's `max_attempts`-th failure. Only failures count: pauses, drains
    /// and lost leases do not. Returns true when it will retry.
    @discardableResult
    public func retryOrFail(_ lease: Lease, failure: JobFailure) throws -> Bool {
        try writeTransaction { db in
            let now = now()
            try Self.checkLease(db, lease)
            let row = try Row.fetchOne(db, sql: "SELECT max_attempts, failures FROM jobs WHERE id = ?", arguments: [lease.jobID])
            let maxAttempts: Int = row?["max_attempts"] ?? 1
            let failures: Int = (row?["failures"] ?? 0) + 1
            try db.execute(sql: "UPDATE jobs SET failures = ? WHERE id = ?", arguments: [failures, lease.jobID])
            if failures >= maxAttempts {
                let final = JobFailure(code: "max_attempts_exceeded",
                                       message: "failure \(failures) of \(maxAttempts) allowed: \(failure.code): \(failure.message)")
                try db.execute(sql: """
                    UPDATE jobs SET status = 'failed', finished_at = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ?
                    """, arguments: [now, final.json.columnText, lease.jobID])
                try Self.appendEvent(db, jobID: lease.jobID, type: QueueEventType.failed, level: "error", message: final.message,
                                     data: ["status": "failed", "error": final.json], attempt: lease.attempt, at: now)
                return false
            }
            let delay = retryDelayMillis(attempt: failures)
            try db.execute(sql: """
                UPDATE jobs SET status = 'queued', scheduled_at = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL
                WHERE id = ?
                """, arguments: [now + delay, failure.json.columnText, lease.jobID])
            try Self.appendEvent(db, jobID: lease.jobID, type: QueueEventType.retrying, level: "warn", message: failure.message,
                                 data: ["error": failure.json, "delay_ms": .number(Double(delay)),
                                        "next_attempt": .number(Double(lease.attempt + 1))],
                                 attempt: lease.attempt, at: now)
            return true
        }
    }

    /// `min(cap, base · 2^(attempt-1)) · (1 ± jitter)`, in milliseconds.
    public func retryDelayMillis(attempt: Int) -> Int64 {
        configuration.settings.retryBackoff.delayMillis(attempt: attempt)
    }

    /// The runner stopped after a stop request (or a drain): the queue decides the resulting state.
    /// Cancel wins over pause; with neither requested the job goes back to `queued` (a drain).
    @discardableResult
    public func stopped(_ lease: Lease) throws -> StopOutcome {
        try writeTransaction { db in
            let now = now()
            try Self.checkLease(db, lease)
            if try Self.cancelIfRequested(db, lease: lease, at: now) { return .cancelled }
            let row = try Row.fetchOne(db, sql: "SELECT pause_requested_at FROM jobs WHERE id = ?", arguments: [lease.jobID])
            if row?["pause_requested_at"] != nil {
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

    /// Gives a job back to the queue without counting the attempt (graceful drain on SIGTERM,
    /// also when the runner did not stop in time: its later writes are fenced out).
    public func release(_ lease: Lease) throws {
        try writeTransaction { db in
            try Self.checkLease(db, lease)
            if try Self.cancelIfRequested(db, lease: lease, at: now()) { return }
            try Self.requeue(db, lease: lease, at: now(), event: QueueEventType.released, refundAttempt: true)
        }
    }

    /// Ends the job `cancelled` if a cancel was requested (inside the caller's write transaction, the lease already
    /// checked): a job whose runner stopped, was released or died after a cancel is not queued again.
    static func cancelIfRequested(_ db: Database, lease: Lease, at now: Int64) throws -> Bool {
        try db.execute(sql: """
            UPDATE jobs SET status = 'cancelled', finished_at = ?, lease_owner = NULL, lease_expires_at = NULL, pause_requested_at = NULL
            WHERE id = ? AND cancel_requested_at IS NOT NULL
            """, arguments: [now, lease.jobID])
        guard db.changesCount > 0 else { return false }
        try appendEvent(db, jobID: lease.jobID, type: QueueEventType.cancelled, data: ["status": "cancelled"], attempt: lease.attempt, at: now)
        return true
    }

    static func requeue(_ db: Database, lease: Lease, at now: Int64, event: String, refundAttempt: Bool) throws {
        try db.execute(sql: """
            UPDATE jobs SET status = 'queued', scheduled_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                            attempt = attempt - ?
            WHERE id = ?
            """, arguments: [now, refundAttempt ? 1 : 0, lease.jobID])
        try appendEvent(db, jobID: lease.jobID, type: event, data: ["attempt": .number(Double(lease.attempt))],
                        attempt: lease.attempt, at: now)
    }

    /// Re-queues running jobs whose lease expired (they resume from their latest checkpoint on the
    /// next claim). Also applies to jobs whose owner `isDead` reports as gone (on boot: a previous process on this
    /// host that crashed). A lost lease is an interruption, not a failure of the job: it does not spend
    /// `max_attempts`; after `maxInterruptions` of them the job fails `max_interruptions_exceeded`.
    /// Returns the number of leases reclaimed.
    @discardableResult
    public func reapExpiredLeases(isDead: (String) -> Bool = { _ in false }) throws -> Int {
        try writeTransaction { db in
            let now = now()
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, attempt, interruptions, lease_owner, lease_expires_at FROM jobs WHERE finished_at IS NULL AND status = 'running'
                """)
            var reaped = 0
            for row in rows {
                let owner: String = row["lease_owner"]
                let expires: Int64 = row["lease_expires_at"] ?? 0
                guard expires < now || isDead(owner) else { continue }
                let lease = Lease(jobID: row["id"], attempt: row["attempt"], owner: owner)
                if try Self.cancelIfRequested(db, lease: lease, at: now) { reaped += 1; continue }
                let interruptions: Int = (row["interruptions"] ?? 0) + 1
                let limit = configuration.settings.maxInterruptions
                try db.execute(sql: "UPDATE jobs SET interruptions = ? WHERE id = ?", arguments: [interruptions, lease.jobID])
                if interruptions >= limit {
                    let failure = JobFailure(code: "max_interruptions_exceeded",
                                             message: "the process running the job died or stopped heartbeating \(interruptions) times (limit \(limit))")
                    try db.execute(sql: """
                        UPDATE jobs SET status = 'failed', finished_at = ?, error = ?, lease_owner = NULL, lease_expires_at = NULL
                        WHERE id = ?
                        """, arguments: [now, failure.json.columnText, lease.jobID])
                    try Self.appendEvent(db, jobID: lease.jobID, type: QueueEventType.failed, level: "error", message: failure.message,
                                         data: ["status": "failed", "error": failure.json], attempt: lease.attempt, at: now)
                } else {
                    try Self.requeue(db, lease: lease, at: now, event: QueueEventType.leaseExpired, refundAttempt: false)
                }
                reaped += 1
            }
            return reaped
        }
    }
}
