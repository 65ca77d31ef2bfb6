import Foundation
import Logging
import PostgresNIO

/// One transaction's view of a checked-out connection: runs statements and decodes rows, synchronously.
///
/// Statements are written with `?` placeholders (bound in order) or `?N` (the N-th argument, reusable), the
/// notation the SQLite store uses, and are rewritten to PostgreSQL's `$N` here; a `?` inside a quoted literal is
/// left alone. `changesCount` is the number of rows the last statement inserted, updated or deleted.
final class PostgresSession {
    let connection: PostgresConnection
    let logger: Logger
    private(set) var changesCount = 0

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs a statement; its rows are discarded.
    func execute(sql: String, arguments: PostgresArguments = []) throws {
        _ = try run(sql, arguments)
    }

    /// Every row of a query.
    func rows(sql: String, arguments: PostgresArguments = []) throws -> [PostgresStoreRow] {
        try run(sql, arguments)
    }

    /// The first row of a query, or nil.
    func row(sql: String, arguments: PostgresArguments = []) throws -> PostgresStoreRow? {
        try run(sql, arguments).first
    }

    /// The first column of the first row (nil: no row, or NULL).
    func value<T: PostgresColumnValue>(_: T.Type, sql: String, arguments: PostgresArguments = []) throws -> T? {
        guard let row = try run(sql, arguments).first else { return nil }
        let v: T? = row[0]
        return v
    }

    /// The first column of every row (NULLs skipped).
    func values<T: PostgresColumnValue>(_: T.Type, sql: String, arguments: PostgresArguments = []) throws -> [T] {
        try run(sql, arguments).compactMap { row -> T? in row[0] }
    }

    private func run(_ sql: String, _ arguments: PostgresArguments) throws -> [PostgresStoreRow] {
        var binds = PostgresBindings(capacity: arguments.values.count)
        for v in arguments.values {
            if let v { v.append(to: &binds) } else { binds.appendNull() }
        }
        let query = PostgresQuery(unsafeSQL: Self.numberedPlaceholders(sql), binds: binds)
        do {
            let result = try connection.query(query, logger: logger).wait()
            changesCount = result.metadata.rows ?? 0
            return result.rows.map(PostgresStoreRow.init)
        } catch let e as PSQLError {
            throw PostgresStoreError.server(sqlState: e.serverInfo?[.sqlState] ?? "?????",
                                            message: e.serverInfo?[.message] ?? String(reflecting: e), sql: sql)
        }
    }

    /// `?` → `$1, $2, …` in order; `?N` → `$N`. Quoted literals ('…') and identifiers ("…") are copied unchanged.
    static func numberedPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var next = 1
        var quote: Character?
        var chars = sql.makeIterator()
        var pending: Character? = chars.next()
        while let c = pending {
            pending = chars.next()
            if let q = quote {
                out.append(c)
                if c == q { quote = nil }
                continue
            }
            if c == "'" || c == "\"" { quote = c; out.append(c); continue }
            guard c == "?" else { out.append(c); continue }
            var digits = ""
            while let d = pending, d.isASCII, d.isNumber { digits.append(d); pending = chars.next() }
            if digits.isEmpty { out += "$\(next)"; next += 1 } else { out += "$" + digits }
        }
        return out
    }
}

/// Statement arguments, written as an array literal of values and nils (`[id, nil, 3]`).
struct PostgresArguments: ExpressibleByArrayLiteral {
    var values: [(any PostgresArgument)?]
    init(arrayLiteral elements: (any PostgresArgument)?...) { values = elements }
    init(_ values: [(any PostgresArgument)?]) { self.values = values }
    static func + (a: Self, b: Self) -> Self { Self(a.values + b.values) }
}

/// A Swift value bound as a statement argument: integers as int8, floating point as float8, text, booleans.
protocol PostgresArgument: Sendable {
    func append(to binds: inout PostgresBindings)
}

extension String: PostgresArgument { func append(to binds: inout PostgresBindings) { binds.append(self) } }
extension Int: PostgresArgument { func append(to binds: inout PostgresBindings) { binds.append(Int64(self)) } }
extension Int64: PostgresArgument { func append(to binds: inout PostgresBindings) { binds.append(self) } }
extension Double: PostgresArgument { func append(to binds: inout PostgresBindings) { binds.append(self) } }
extension Bool: PostgresArgument { func append(to binds: inout PostgresBindings) { binds.append(self) } }
extension Array: PostgresArgument where Element == String {
    /// A text[] (for `= ANY(?)`).
    func append(to binds: inout PostgresBindings) { binds.append(self) }
}
