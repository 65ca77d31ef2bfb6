import Foundation
import GRDB
import GRDBSQLite

/// A value bound to a statement parameter by `Database.step`.
enum BoundValue {
    case int(Int64)
    case text(String)
    case null

    init(_ v: Int) { self = .int(Int64(v)) }
    init(_ v: String?) { self = v.map(BoundValue.text) ?? .null }
}

extension Database {
    /// Runs a statement of GRDB's statement cache through the SQLite C API: binds `values` to ?1, ?2, … in order,
    /// steps it to the end and hands every result row to `row` (read it with `StatementColumns`), then resets it.
    /// The queue's hot writes (submit, claim, finish, events) go through here instead of GRDB's `StatementArguments`
    /// and `Row`, whose existential arguments and generic conversions cost more than SQLite itself on these
    /// statements (docs/performance.md). Errors are GRDB's `DatabaseError`, as for any other statement.
    func step(_ sql: String, _ values: [BoundValue], row: (StatementColumns) throws -> Void = { _ in }) throws {
        let statement = try cachedStatement(sql: sql).sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let code = switch value {
            case .int(let v): sqlite3_bind_int64(statement, index, v)
            case .text(let v): sqlite3_bind_text(statement, index, v, -1, Self.transient)
            case .null: sqlite3_bind_null(statement, index)
            }
            guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: lastErrorMessage, sql: sql) }
        }
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: try row(StatementColumns(statement: statement))
            case SQLITE_DONE: return
            case let code:
                // The step's code is the primary one; the connection's extended code names the constraint kind.
                let extended = sqlite3_extended_errcode(sqliteConnection)
                throw DatabaseError(resultCode: ResultCode(rawValue: extended & 0xff == code & 0xff ? extended : code),
                                    message: lastErrorMessage, sql: sql)
            }
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
