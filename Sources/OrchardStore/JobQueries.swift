import Foundation
import GRDB
import OrchardJobs

/// Filters and cursor of `GET /v1/jobs` (newest first).
public struct JobListQuery: Sendable {
    public var tenant: String
    public var after: String?
    public var limit: Int = 20
    public var status: JobStatus?
    public var type: String?
    public var metadata: [String: String] = [:]
    public init(tenant: String) { self.tenant = tenant }
}

extension OrchardStore {
    static func fetchJob(_ db: Database, id: String, tenant: String?) throws -> Job? {
        if let tenant {
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM jobs WHERE id = ? AND tenant = ?"),
                                    arguments: [id, tenant]).map(Job.init(row:))
        }
        return try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM jobs WHERE id = ?"), arguments: [id]).map(Job.init(row:))
    }

    /// The job if it belongs to `tenant` (nil tenant: any job, for workers and tests).
    public func job(id: String, tenant: String?) throws -> Job? {
        // One SELECT is atomic on its own: skip the BEGIN/COMMIT of a read transaction (hot path).
        try pool.unsafeRead { db in try Self.fetchJob(db, id: id, tenant: tenant) }
    }

    /// A page of the tenant's jobs, newest first; `after` is the id of the last job of the previous page.
    public func listJobs(_ q: JobListQuery) throws -> (jobs: [Job], hasMore: Bool) {
        try pool.read { db in
            var sql = "SELECT * FROM jobs WHERE tenant = ?"
            var args: [any DatabaseValueConvertible] = [q.tenant]
            if let after = q.after {
                guard let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM jobs WHERE id = ? AND tenant = ?", arguments: [after, q.tenant]) else {
                    throw StoreError.invalid(param: "after", message: "unknown cursor \(after)")
                }
                sql += " AND seq < ?"; args.append(seq)
            }
            if let status = q.status { sql += " AND status = ?"; args.append(status.rawValue) }
            if let type = q.type { sql += " AND type = ?"; args.append(type) }
            for (k, v) in q.metadata.sorted(by: { $0.key < $1.key }) {
                sql += " AND json_extract(metadata, ?) = ?"
                args.append("$.\"\(k.replacingOccurrences(of: "\"", with: ""))\""); args.append(v)
            }
            sql += " ORDER BY seq DESC LIMIT ?"; args.append(q.limit + 1)
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            return (rows.prefix(q.limit).map(Job.init(row:)), rows.count > q.limit)
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
