import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    /// Decodes the row straight from the statement (a cursor's row), without `fetchOne`'s copy of every column.
    static func fetchJob(_ db: Database, id: String, tenant: String?) throws -> Job? {
        let rows = if let tenant {
            try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(Job.columns) FROM jobs WHERE id = ? AND tenant = ?"), arguments: [id, tenant])
        } else {
            try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(Job.columns) FROM jobs WHERE id = ?"), arguments: [id])
        }
        return try rows.next().map(Job.init(row:))
    }

    /// The job if it belongs to `tenant` (nil tenant: any job, for workers and tests).
    public func job(id: String, tenant: String?) throws -> Job? {
        // The API's hot path: one SELECT (atomic on its own) on a connection of `pointReader`, outside GRDB's pool.
        try pointReader.job(id: id, tenant: tenant)
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

    /// Unfinished jobs per status: queued, running, paused (for `/metrics`). Read from the partial index of
    /// unfinished jobs, so a scrape costs the size of the queue, not of the job history; finished jobs are counted
    /// by `orchard_jobs_finished_total{status}`.
    public func queueDepth() throws -> [JobStatus: Int] {
        try pool.read { db in
            var out: [JobStatus: Int] = [.queued: 0, .running: 0, .paused: 0]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM jobs WHERE finished_at IS NULL GROUP BY status") {
                if let s = JobStatus(rawValue: row["status"]) { out[s] = row["n"] }
            }
            return out
        }
    }
}
