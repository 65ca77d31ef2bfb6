import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// The job (of `tenant`; nil: any). `lock`: `FOR UPDATE`, so the caller's transaction holds the row until it ends.
    static func fetchJob(_ db: PostgresSession, id: String, tenant: String?, lock: Bool = false) throws -> Job? {
        let forUpdate = lock ? " FOR UPDATE" : ""
        if let tenant {
            return try db.row(sql: "SELECT \(Job.columns) FROM jobs WHERE id = ? AND tenant = ?" + forUpdate,
                              arguments: [id, tenant]).map(Job.init(columns:))
        }
        return try db.row(sql: "SELECT \(Job.columns) FROM jobs WHERE id = ?" + forUpdate, arguments: [id])
            .map(Job.init(columns:))
    }

    public func job(id: String, tenant: String?) throws -> Job? {
        try singleStatement { db in try Self.fetchJob(db, id: id, tenant: tenant) }
    }

    /// A page of the tenant's jobs, newest first; `after` is the id of the last job of the previous page.
    public func listJobs(_ q: JobListQuery) throws -> (jobs: [Job], hasMore: Bool) {
        try read { db in
            var page = PostgresNewestFirstPage(table: "jobs", columns: Job.columns, tenant: q.tenant, after: q.after, limit: q.limit)
            if let status = q.status { page.filters.append(("status = ?", [status.rawValue])) }
            if let type = q.type { page.filters.append(("type = ?", [type])) }
            for (k, v) in q.metadata.sorted(by: { $0.key < $1.key }) {
                page.filters.append(("(metadata::jsonb ->> ?) = ?", [k, v]))
            }
            let result = try page.fetch(db)
            return (result.rows.map(Job.init(columns:)), result.hasMore)
        }
    }

    /// Jobs per status (for `/metrics`).
    /// Unfinished jobs per status (queued, running, paused), from the partial index `jobs_open`.
    public func queueDepth() throws -> [JobStatus: Int] {
        try read { db in
            var out: [JobStatus: Int] = [.queued: 0, .running: 0, .paused: 0]
            for row in try db.rows(sql: "SELECT status, COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running', 'paused') GROUP BY status") {
                if let s = JobStatus(rawValue: row["status"]) { out[s] = row["n"] }
            }
            return out
        }
    }
}

/// Cursor paging of the list endpoints (jobs, datasets, deletion requests): a tenant's rows of one table, newest
/// first by `seq`, starting after the row whose id is `after`.
struct PostgresNewestFirstPage {
    /// Table and selected columns: fixed strings of this module, never user input.
    let table: String
    let columns: String
    let tenant: String
    let after: String?
    let limit: Int
    /// Further conditions (`AND …`) with their arguments.
    var filters: [(sql: String, arguments: PostgresArguments)] = []

    init(table: String, columns: String = "*", tenant: String, after: String?, limit: Int) {
        self.table = table; self.columns = columns; self.tenant = tenant; self.after = after; self.limit = limit
    }

    /// Up to `limit` rows, and whether more follow (one extra row is fetched to know).
    func fetch(_ db: PostgresSession) throws -> (rows: ArraySlice<PostgresStoreRow>, hasMore: Bool) {
        var sql = "SELECT \(columns) FROM \(table) WHERE tenant = ?"
        var args: PostgresArguments = [tenant]
        if let after {
            guard let seq = try db.value(Int64.self, sql: "SELECT seq FROM \(table) WHERE id = ? AND tenant = ?", arguments: [after, tenant]) else {
                throw StoreError.invalid(param: "after", message: "unknown cursor \(after)")
            }
            sql += " AND seq < ?"; args = args + [seq]
        }
        for f in filters { sql += " AND " + f.sql; args = args + f.arguments }
        sql += " ORDER BY seq DESC LIMIT ?"; args = args + [limit + 1]
        let rows = try db.rows(sql: sql, arguments: args)
        return (rows.prefix(limit), rows.count > limit)
    }
}
