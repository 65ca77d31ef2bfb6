import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Appends an event inside the caller's write transaction and returns its seq.
    ///
    /// Gap-free per-job sequences under concurrent writers: the seq comes from a per-job counter, `jobs.event_seq`,
    /// incremented by the same statement that inserts the event. The `UPDATE` locks the job row until the
    /// transaction ends, so two writers (a worker's progress event, an API cancel, the reaper) take turns: the second
    /// reads the first's committed counter. A rolled-back transaction rolls its increment back too, so no number is
    /// skipped (a PostgreSQL sequence would leave gaps), and the events' primary key (job_id, seq) makes a duplicate
    /// impossible. `MAX(seq) + 1` (the SQLite store's way, safe under its single writer) would let two READ
    /// COMMITTED writers compute the same number. The lock is the job row's, which the lifecycle writes (finish,
    /// requeue, cancel) hold anyway in the same transaction.
    @discardableResult
    static func appendEvent(_ db: PostgresSession, jobID: String, type: String, level: String = "info",
                            message: String = "", data: JSONValue = .null, attempt: Int, at now: Int64) throws -> Int {
        try appendEvent(db, jobID: jobID, type: type, level: level, message: message, dataText: data.jsonText, attempt: attempt, at: now)
    }

    /// `appendEvent` with the data already encoded as JSON text.
    @discardableResult
    static func appendEvent(_ db: PostgresSession, jobID: String, type: String, level: String = "info",
                            message: String = "", dataText: String, attempt: Int, at now: Int64) throws -> Int {
        let seq = try db.value(Int.self, sql: """
            WITH next AS (UPDATE jobs SET event_seq = event_seq + 1 WHERE id = ?1 RETURNING event_seq)
            INSERT INTO job_events (job_id, seq, type, level, message, data, attempt, created_at)
            SELECT ?1, event_seq, ?2, ?3, ?4, ?5, ?6, ?7 FROM next
            RETURNING seq
            """, arguments: [jobID, type, level, message, dataText, attempt, now])
        guard let seq else { throw StoreError.notFound(kind: "job event", id: jobID) }
        return seq
    }

    /// A worker's event: fenced by the lease (the job row is locked by the check), so a worker that lost its job
    /// cannot write into its stream.
    @discardableResult
    public func appendEvent(lease: Lease, type: String, level: String, message: String, data: JSONValue) throws -> Int {
        guard ["info", "warn", "error"].contains(level) else {
            throw StoreError.invalid(param: "level", message: "level must be info, warn or error")
        }
        return try write { db in
            try Self.checkLease(db, lease)
            return try Self.appendEvent(db, jobID: lease.jobID, type: type, level: level, message: message,
                                        data: data, attempt: lease.attempt, at: now())
        }
    }

    /// Events with `seq > after`, oldest first, plus the job's status read in the same snapshot.
    public func events(jobID: String, tenant: String, after: Int, limit: Int) throws -> (events: [JobEvent], status: JobStatus, hasMore: Bool) {
        try read { db in
            guard let status = try db.value(String.self, sql: "SELECT status FROM jobs WHERE id = ? AND tenant = ?",
                                            arguments: [jobID, tenant]) else {
                throw StoreError.notFound(kind: "job", id: jobID)
            }
            let rows = try db.rows(sql: "SELECT * FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                                   arguments: [jobID, after, limit + 1])
            let events = rows.prefix(limit).map(JobEvent.init(postgresRow:))
            return (Array(events), JobStatus(rawValue: status) ?? .failed, rows.count > limit)
        }
    }
}
