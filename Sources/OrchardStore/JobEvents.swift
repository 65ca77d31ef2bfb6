import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension JobEvent {
    init(row: Row) {
        self.init(jobID: row["job_id"], seq: row["seq"], type: row["type"], level: row["level"], message: row["message"],
                  data: JSONValue(columnText: row["data"]) ?? .null, attempt: row["attempt"], createdAt: row["created_at"])
    }
}

extension OrchardStore {
    /// Appends an event inside the caller's write transaction; the seq is the job's next number
    /// (`MAX(seq) + 1`, computed by the same `INSERT`).
    @discardableResult
    static func appendEvent(_ db: Database, jobID: String, type: String, level: String = "info",
                            message: String = "", data: JSONValue = .null, attempt: Int, at now: Int64) throws -> Int {
        try appendEvent(db, jobID: jobID, type: type, level: level, message: message, dataText: data.columnText,
                        attempt: attempt, at: now)
    }

    /// `appendEvent` with the data already encoded as JSON column text (`JSONValue.columnText`).
    @discardableResult
    static func appendEvent(_ db: Database, jobID: String, type: String, level: String = "info",
                            message: String = "", dataText: String, attempt: Int, at now: Int64) throws -> Int {
        var seq: Int?
        try db.step("""
            INSERT INTO job_events (job_id, seq, type, level, message, data, attempt, created_at)
            SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7 FROM job_events WHERE job_id = ?1
            RETURNING seq
            """, [.text(jobID), .text(type), .text(level), .text(message), .text(dataText), .init(attempt), .int(now)]) {
            seq = Int($0.int64(0))
        }
        guard let seq else { throw StoreError.notFound(kind: "job event", id: jobID) }
        return seq
    }

    /// A worker's event: fenced by the lease, so a worker that lost its job cannot write into its stream.
    @discardableResult
    public func appendEvent(lease: Lease, type: String, level: String, message: String, data: JSONValue) throws -> Int {
        guard ["info", "warn", "error"].contains(level) else {
            throw StoreError.invalid(param: "level", message: "level must be info, warn or error")
        }
        return try writeTransaction { db in
            try Self.checkLease(db, lease)
            return try Self.appendEvent(db, jobID: lease.jobID, type: type, level: level, message: message,
                                        data: data, attempt: lease.attempt, at: now())
        }
    }

    /// Events with `seq > after`, oldest first, plus the job's status read in the same snapshot
    /// (so "terminal and nothing left to send" is decided without a race).
    public func events(jobID: String, tenant: String, after: Int, limit: Int) throws -> (events: [JobEvent], status: JobStatus, hasMore: Bool) {
        try pool.read { db in
            guard let status = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM jobs WHERE id = ? AND tenant = ?"),
                                                   arguments: [jobID, tenant]) else {
                throw StoreError.notFound(kind: "job", id: jobID)
            }
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?
                """), arguments: [jobID, after, limit + 1])
            let events = rows.prefix(limit).map(JobEvent.init(row:))
            return (Array(events), JobStatus(rawValue: status) ?? .failed, rows.count > limit)
        }
    }
}
