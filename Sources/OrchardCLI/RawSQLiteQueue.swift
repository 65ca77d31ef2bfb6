import Foundation
import GRDBSQLite
import OrchardStore

/// The floor `orchard bench queue` compares the store with: the queue's three write transactions per job, written
/// straight against the SQLite C API on one connection (prepared once, bound and stepped; no GRDB, no `Job` values,
/// no JSON encoder). Same database schema (created by `OrchardStore`), same pragmas (WAL, `synchronous = NORMAL`,
/// `foreign_keys = ON`, the same `wal_autocheckpoint` backstop with `WALCheckpointer` running beside it) and, as in the store's `DatabasePool`, one writer connection whose transactions (`BEGIN
/// IMMEDIATE`) are serialized in the process by a lock.
///
/// - enqueue: idempotency-key lookup, `INSERT` job, `INSERT` idempotency key, `INSERT` `job.queued` event;
/// - claim: `UPDATE … RETURNING` the oldest queued job, `INSERT` `job.started` event;
/// - complete: fenced `UPDATE … RETURNING started_at`, `INSERT` `job.succeeded` event.
final class RawSQLiteQueue: @unchecked Sendable {
    struct SQLiteFailure: Error, CustomStringConvertible {
        var description: String
    }

    private let connection: OpaquePointer
    private let writeLock = NSLock()
    private let statements: [OpaquePointer]
    private let begin: OpaquePointer, commit: OpaquePointer, rollback: OpaquePointer
    private let findKey: OpaquePointer, insertJob: OpaquePointer, insertKey: OpaquePointer
    private let claimOne: OpaquePointer, finish: OpaquePointer, insertEvent: OpaquePointer

    init(path: String) throws {
        var opened: OpaquePointer?
        guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db = opened else {
            sqlite3_close_v2(opened)
            throw SQLiteFailure(description: "cannot open \(path)")
        }
        var prepared: [OpaquePointer] = []
        func prepare(_ sql: String) throws -> OpaquePointer {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
                  let statement else {
                throw SQLiteFailure(description: "prepare \(sql): \(String(cString: sqlite3_errmsg(db)))")
            }
            prepared.append(statement)
            return statement
        }
        do {
            sqlite3_busy_timeout(db, 10_000)
            for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                           "PRAGMA wal_autocheckpoint = \(WALCheckpointer.backstopPages)"] {
                guard sqlite3_exec(db, pragma, nil, nil, nil) == SQLITE_OK else {
                    throw SQLiteFailure(description: "\(pragma): \(String(cString: sqlite3_errmsg(db)))")
                }
            }
            begin = try prepare("BEGIN IMMEDIATE")
            commit = try prepare("COMMIT")
            rollback = try prepare("ROLLBACK")
            findKey = try prepare("SELECT fingerprint, job_id FROM idempotency_keys WHERE tenant = ? AND key = ?")
            insertJob = try prepare("""
                INSERT INTO jobs (id, tenant, type, status, priority, params, seed, metadata, attempt, max_attempts,
                                  scheduled_at, created_at)
                VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, 0, ?, ?, ?)
                """)
            insertKey = try prepare("INSERT INTO idempotency_keys (tenant, key, fingerprint, job_id, created_at) VALUES (?, ?, ?, ?, ?)")
            claimOne = try prepare("""
                UPDATE jobs SET status = 'running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?,
                                heartbeat_at = ?, started_at = COALESCE(started_at, ?)
                WHERE id IN (SELECT id FROM jobs WHERE finished_at IS NULL AND status = 'queued' AND scheduled_at <= ? AND type IN (?)
                             ORDER BY priority, scheduled_at, seq LIMIT 1)
                RETURNING id, attempt, params
                """)
            finish = try prepare("""
                UPDATE jobs SET status = 'succeeded', finished_at = ?, result = ?, error = NULL, lease_owner = NULL,
                                lease_expires_at = NULL
                WHERE id = ? AND attempt = ? AND lease_owner = ? AND status = 'running'
                RETURNING started_at
                """)
            insertEvent = try prepare("""
                INSERT INTO job_events (job_id, seq, type, level, message, data, attempt, created_at)
                SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, 'info', '', ?3, ?4, ?5 FROM job_events WHERE job_id = ?1
                RETURNING seq
                """)
        } catch {
            for s in prepared { sqlite3_finalize(s) }
            sqlite3_close_v2(db)
            throw error
        }
        connection = db
        statements = prepared
    }

    deinit {
        for s in statements { sqlite3_finalize(s) }
        sqlite3_close_v2(connection)
    }

    /// Queues job `id` with its idempotency key and `job.queued` event (one transaction).
    func enqueue(id: String, tenant: String, type: String, params: String, seed: Int64, key: String, fingerprint: String,
                 now: Int64) throws {
        try transaction {
            try bind(findKey, [.text(tenant), .text(key)])
            if try step(findKey) { throw SQLiteFailure(description: "idempotency key \(key) replayed") }
            try bind(insertJob, [.text(id), .text(tenant), .text(type), .int(5), .text(params), .int(seed), .text("{}"),
                                 .int(3), .int(now), .int(now)])
            _ = try step(insertJob)
            try bind(insertKey, [.text(tenant), .text(key), .text(fingerprint), .text(id), .int(now)])
            _ = try step(insertKey)
            try appendEvent(jobID: id, type: "job.queued", data: "{\"type\":\"\(type)\"}", attempt: 0, now: now)
        }
    }

    /// Claims the oldest queued job of `type` with a lease and its `job.started` event (one transaction);
    /// nil when none is queued.
    func claim(owner: String, type: String, leaseMillis: Int64, now: Int64) throws -> (id: String, attempt: Int64, params: String)? {
        try transaction {
            try bind(claimOne, [.text(owner), .int(now + leaseMillis), .int(now), .int(now), .int(now), .text(type)])
            guard try step(claimOne) else { return nil }
            let claimed = (id: text(claimOne, 0), attempt: sqlite3_column_int64(claimOne, 1), params: text(claimOne, 2))
            guard try !step(claimOne) else { throw SQLiteFailure(description: "claimed more than one job") }
            try appendEvent(jobID: claimed.id, type: "job.started", data: "{\"attempt\":\(claimed.attempt)}",
                            attempt: claimed.attempt, now: now)
            return claimed
        }
    }

    /// Completes a claimed job if the lease still holds, with its `job.succeeded` event (one transaction).
    func complete(id: String, attempt: Int64, owner: String, result: String, now: Int64) throws {
        try transaction {
            try bind(finish, [.int(now), .text(result), .text(id), .int(attempt), .text(owner)])
            guard try step(finish) else { throw SQLiteFailure(description: "lease lost on \(id)") }
            _ = sqlite3_column_int64(finish, 0)
            _ = try step(finish)
            try appendEvent(jobID: id, type: "job.succeeded", data: "{\"result\":\(result),\"status\":\"succeeded\"}",
                            attempt: attempt, now: now)
        }
    }

    private func appendEvent(jobID: String, type: String, data: String, attempt: Int64, now: Int64) throws {
        try bind(insertEvent, [.text(jobID), .text(type), .text(data), .int(attempt), .int(now)])
        guard try step(insertEvent) else { throw SQLiteFailure(description: "no seq for the event of \(jobID)") }
        _ = sqlite3_column_int64(insertEvent, 0)
        _ = try step(insertEvent)
    }

    private func transaction<T>(_ body: () throws -> T) throws -> T {
        writeLock.lock()
        defer { writeLock.unlock() }
        _ = try step(begin)
        do {
            let result = try body()
            _ = try step(commit)
            return result
        } catch {
            _ = try? step(rollback)
            throw error
        }
    }

    private enum Value { case int(Int64), text(String) }

    private func bind(_ statement: OpaquePointer, _ values: [Value]) throws {
        sqlite3_reset(statement)
        for (i, value) in values.enumerated() {
            let code: Int32
            switch value {
            case .int(let v): code = sqlite3_bind_int64(statement, Int32(i + 1), v)
            case .text(let v): code = sqlite3_bind_text(statement, Int32(i + 1), v, -1, Self.transient)
            }
            guard code == SQLITE_OK else { throw SQLiteFailure(description: "bind: \(String(cString: sqlite3_errmsg(connection)))") }
        }
    }

    /// Steps once: true for a row, false when done (the statement is then reset).
    private func step(_ statement: OpaquePointer) throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: sqlite3_reset(statement); return false
        default:
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_reset(statement)
            throw SQLiteFailure(description: message)
        }
    }

    private func text(_ statement: OpaquePointer, _ column: Int32) -> String {
        sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
