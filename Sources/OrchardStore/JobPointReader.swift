import Foundation
import GRDB
import GRDBSQLite
import OrchardQueue

/// `job(id:tenant:)`, the API's most frequent read (`GET /v1/jobs/{id}`, every poll of a client), on plain SQLite
/// connections of its own: one prepared statement per connection, bound, stepped and decoded column by column.
///
/// Through GRDB the same read spent more time in the pool than in SQLite (measured, docs/performance.md): a reader
/// taken from `DatabasePool` goes through a read-write lock, a semaphore and a `DispatchQueue.sync`, its generic
/// `Pool.get` instantiates a key path by demangling type names on every call, and the row is decoded through
/// generic `DatabaseValueConvertible` lookups. Here a request takes an idle connection from a list under a lock.
///
/// Failures throw GRDB's `DatabaseError`, as the store's other reads do. Reads only: each step is its own read
/// transaction on the WAL (it sees every committed write, never waits on the writer). Connections are made on demand,
/// one per concurrent caller (at most the cooperative pool's threads plus the workers'), kept while idle up to
/// `maxIdle`, and closed when the store is released.
final class JobPointReader: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var idle: [Connection] = []
    private let maxIdle = 8

    init(databasePath: String) { self.path = databasePath }

    /// The job if it exists and belongs to `tenant` (nil tenant: any job).
    func job(id: String, tenant: String?) throws -> Job? {
        let connection = try checkout()
        defer { checkin(connection) }
        return try connection.job(id: id, tenant: tenant)
    }

    private func checkout() throws -> Connection {
        if let c = lock.withLock({ idle.popLast() }) { return c }
        return try Connection(path: path)
    }

    private func checkin(_ c: Connection) {
        lock.withLock { if idle.count < maxIdle { idle.append(c) } }
    }

    /// One read connection and its two statements (by id and tenant; by id alone).
    private final class Connection {
        let db: OpaquePointer
        let byTenant: OpaquePointer
        let byID: OpaquePointer

        init(path: String) throws {
            var opened: OpaquePointer?
            guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db = opened else {
                let code = opened.map(sqlite3_errcode) ?? SQLITE_NOMEM
                sqlite3_close_v2(opened)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot open \(path) for reading")
            }
            sqlite3_busy_timeout(db, 10_000)
            func prepare(_ sql: String) throws -> OpaquePointer {
                var statement: OpaquePointer?
                guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement else {
                    let error = DatabaseError(resultCode: ResultCode(rawValue: sqlite3_errcode(db)), message: String(cString: sqlite3_errmsg(db)), sql: sql)
                    sqlite3_close_v2(db)
                    throw error
                }
                return statement
            }
            let byTenant = try prepare("SELECT \(Job.columns) FROM jobs WHERE id = ?1 AND tenant = ?2")
            let byID: OpaquePointer
            do { byID = try prepare("SELECT \(Job.columns) FROM jobs WHERE id = ?1") } catch {
                sqlite3_finalize(byTenant)
                throw error
            }
            self.db = db
            self.byTenant = byTenant
            self.byID = byID
        }

        deinit {
            sqlite3_finalize(byTenant)
            sqlite3_finalize(byID)
            sqlite3_close_v2(db)
        }

        func job(id: String, tenant: String?) throws -> Job? {
            let statement = tenant == nil ? byID : byTenant
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            sqlite3_bind_text(statement, 1, id, -1, Self.transient)
            if let tenant { sqlite3_bind_text(statement, 2, tenant, -1, Self.transient) }
            switch sqlite3_step(statement) {
            case SQLITE_ROW: return Job(columns: StatementColumns(statement: statement))
            case SQLITE_DONE: return nil
            case let code: throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db)))
            }
        }

        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }
}

/// The current row of a stepped statement, read by position (`JobColumns`).
struct StatementColumns: JobColumns {
    let statement: OpaquePointer

    func isNull(_ i: Int) -> Bool { sqlite3_column_type(statement, Int32(i)) == SQLITE_NULL }
    func int64(_ i: Int) -> Int64 { sqlite3_column_int64(statement, Int32(i)) }
    func text(_ i: Int) -> String {
        guard let bytes = sqlite3_column_text(statement, Int32(i)) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, Int32(i)))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
