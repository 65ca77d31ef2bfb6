import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    static func fetchJob(_ db: Database, id: String, tenant: String?) throws -> Job? {
        if let tenant {
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Job.columns) FROM jobs WHERE id = ? AND tenant = ?"),
                                    arguments: [id, tenant]).map(Job.init(row:))
        }
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Job.columns) FROM jobs WHERE id = ?"), arguments: [id]).map(Job.init(row:))
    }

    /// The job if it belongs to `tenant` (nil tenant: any job, for workers and tests).
    public func job(id: String, tenant: String?) throws -> Job? {
        // One SELECT is atomic on its own: skip the BEGIN/COMMIT of a read transaction (hot path).
        try pool.unsafeRead { db in try Self.fetchJob(db, id: id, tenant: tenant) }
    }

    /// A page of the tenant's jobs, newest first; `after` is the id of the last job of the previous page.
    public func listJobs(_ q: JobListQuery) throws -> (jobs: [Job], hasMore: Bool) {
        try pool.read { db in
            var page = NewestFirstPage(table: "jobs", columns: Job.columns, tenant: q.tenant, after: q.after, limit: q.limit)
            if let status = q.status { page.filters.append(("status = ?", [status.rawValue])) }
            if let type = q.type { page.filters.append(("type = ?", [type])) }
            for (k, v) in q.metadata.sorted(by: { $0.key < $1.key }) {
                page.filters.append(("json_extract(metadata, ?) = ?", ["$.\"\(k.replacingOccurrences(of: "\"", with: ""))\"", v]))
            }
            let result = try page.fetch(db)
            return (result.rows.map(Job.init(row:)), result.hasMore)
        }
    }

    /// Jobs per status (for `/metrics`).
    public func queueDepth() throws -> [JobStatus: Int] {
        try pool.read { db in
            var out: [JobStatus: Int] = [:]
            for s in JobStatus.allCases { out[s] = 0 }
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status") {
                if let s = JobStatus(rawValue: row["status"]) { out[s] = row["n"] }
            }
            return out
        }
    }
}
