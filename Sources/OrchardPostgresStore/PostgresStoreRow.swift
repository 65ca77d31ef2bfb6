import Foundation
import PostgresNIO

/// A result row read by column name or position. The schema's integers are BIGINT, its reals DOUBLE PRECISION and
/// its JSON TEXT, so each Swift type decodes from one column type (plus the int4/bool a literal like `SELECT 1` gives).
/// A column that does not decode to the asked type is a mismatch between this module's SQL and its schema, a
/// programming error: it stops the process with the column's name, as GRDB does for the SQLite store.
struct PostgresStoreRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = PostgresRandomAccessRow(row) }

    subscript<T: PostgresColumnValue>(_ name: String) -> T {
        guard row.contains(name) else { preconditionFailure("no column \(name) in the result") }
        return Self.decode(row[name], column: name)
    }

    subscript<T: PostgresColumnValue>(_ index: Int) -> T { Self.decode(row[index], column: "#\(index)") }

    private static func decode<T: PostgresColumnValue>(_ cell: PostgresCell, column: String) -> T {
        do { return try T.decode(cell) } catch {
            preconditionFailure("column \(column) (\(cell.dataType)) does not decode as \(T.self): \(error)")
        }
    }
}

/// A Swift type a column decodes to; `Optional` of one decodes NULL as nil.
protocol PostgresColumnValue {
    static func decode(_ cell: PostgresCell) throws -> Self
}

struct UnexpectedNull: Error {}

extension PostgresColumnValue where Self: PostgresDecodable {
    static func decode(_ cell: PostgresCell) throws -> Self {
        guard cell.bytes != nil else { throw UnexpectedNull() }
        return try cell.decode(Self.self)
    }
}

extension String: PostgresColumnValue {}
extension Int: PostgresColumnValue {}
extension Int64: PostgresColumnValue {}
extension Double: PostgresColumnValue {}

extension Bool: PostgresColumnValue {
    /// A boolean column, or an integer one (non-zero is true: `SELECT 1`, the `pinned` flag).
    static func decode(_ cell: PostgresCell) throws -> Bool {
        guard cell.bytes != nil else { throw UnexpectedNull() }
        if cell.dataType == .bool { return try cell.decode(Bool.self) }
        return try cell.decode(Int.self) != 0
    }
}

extension Optional: PostgresColumnValue where Wrapped: PostgresColumnValue {
    static func decode(_ cell: PostgresCell) throws -> Wrapped? {
        cell.bytes == nil ? nil : try Wrapped.decode(cell)
    }
}
