import GRDB
import OrchardQueue

/// Cursor paging shared by the list endpoints (jobs, datasets, deletion requests): a tenant's rows of one
/// table, newest first by `seq`, starting after the row whose id is `after` (the last id of the previous page).
struct NewestFirstPage {
    /// Table and selected columns: fixed strings of this module, never user input.
    let table: String
    let columns: String
    let tenant: String
    let after: String?
    let limit: Int
    /// Further conditions (`AND …`) with their arguments, e.g. the job list's filters.
    var filters: [(sql: String, arguments: [any DatabaseValueConvertible])] = []

    init(table: String, columns: String = "*", tenant: String, after: String?, limit: Int) {
        self.table = table; self.columns = columns; self.tenant = tenant; self.after = after; self.limit = limit
    }

    /// Up to `limit` rows, and whether more follow (one extra row is fetched to know).
    func fetch(_ db: Database) throws -> (rows: ArraySlice<Row>, hasMore: Bool) {
        var sql = "SELECT \(columns) FROM \(table) WHERE tenant = ?"
        var args: [any DatabaseValueConvertible] = [tenant]
        if let after {
            guard let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM \(table) WHERE id = ? AND tenant = ?", arguments: [after, tenant]) else {
                throw StoreError.invalid(param: "after", message: "unknown cursor \(after)")
            }
            sql += " AND seq < ?"; args.append(seq)
        }
        for f in filters { sql += " AND " + f.sql; args += f.arguments }
        sql += " ORDER BY seq DESC LIMIT ?"; args.append(limit + 1)
        let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        return (rows.prefix(limit), rows.count > limit)
    }
}
