import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    /// Records (fenced) that the job trained on these documents of a dataset, with the step of each first read
    /// (the earliest recorded step wins). A job queued by a deletion request to produce a new version of a model
    /// (a `deletion_actions` row names it) records under that model's root (`model_root`), so the model's lineage
    /// is the union over its versions and a later request finds the model, not the version job.
    public func recordLineage(_ lease: Lease, dataset: String, firstReads: [String: Int?]) throws {
        try pool.write { db in
            try Self.checkLease(db, lease)
            let now = now()
            let root = try String.fetchOne(db, sql: "SELECT root_job_id FROM deletion_actions WHERE job_id = ? LIMIT 1",
                                           arguments: [lease.jobID])
            let insert = try db.cachedStatement(sql: """
                INSERT INTO lineage (job_id, dataset_id, document_id, recorded_at, first_step, model_root) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (job_id, dataset_id, document_id) DO UPDATE SET first_step = excluded.first_step
                WHERE excluded.first_step IS NOT NULL AND (lineage.first_step IS NULL OR excluded.first_step < lineage.first_step)
                """)
            for id in firstReads.keys.sorted() {
                try insert.execute(arguments: [lease.jobID, dataset, id, now, firstReads[id]!, root])
            }
        }
    }

    /// One page of a job's lineage, in (dataset, document) order; `after` = "dataset/document" of the last entry.
    public func lineagePage(jobID: String, tenant: String, after: String?, limit: Int) throws -> (entries: [LineageEntry], hasMore: Bool) {
        try pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM jobs WHERE id = ? AND tenant = ?", arguments: [jobID, tenant]) == true else {
                throw StoreError.notFound(kind: "job", id: jobID)
            }
            var sql = "SELECT dataset_id, document_id, first_step FROM lineage WHERE job_id = ?"
            var args: [any DatabaseValueConvertible] = [jobID]
            if let a = after, let slash = a.firstIndex(of: "/") {
                sql += " AND (dataset_id, document_id) > (?, ?)"
                args += [String(a[..<slash]), String(a[a.index(after: slash)...])]
            }
            sql += " ORDER BY dataset_id, document_id LIMIT ?"
            args.append(limit + 1)
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
            let entries = rows.prefix(limit).map { LineageEntry(dataset: $0["dataset_id"], documentID: $0["document_id"], firstStep: $0["first_step"]) }
            return (Array(entries), rows.count > limit)
        }
    }

    /// Copies (fenced) another model's lineage (every version's reads) to the leased job; `fromJob` may be a version job
    /// of that model (its lineage is the model's). A version job of a deletion request records under its model's root,
    /// as `recordLineage` does, and leaves tombstoned records out: the coordinator starts it only from a parent version
    /// that carries none (any other job keeps them: the version it starts from may still carry them).
    public func inheritLineage(_ lease: Lease, fromJob: String) throws {
        try pool.write { db in
            try Self.checkLease(db, lease)
            let root = try String.fetchOne(db, sql: "SELECT root_job_id FROM deletion_actions WHERE job_id = ? LIMIT 1", arguments: [lease.jobID])
            try db.execute(sql: """
                INSERT OR IGNORE INTO lineage (job_id, dataset_id, document_id, recorded_at, model_root)
                SELECT ?, dataset_id, document_id, ?, CAST(? AS TEXT) FROM lineage l WHERE COALESCE(model_root, job_id) = \(ModelVersionSQL.rootOfJob)
                  AND (? = 0 OR \(ModelVersionSQL.notTombstoned))
                """, arguments: [lease.jobID, now(), root, fromJob, fromJob, root == nil ? 0 : 1])
        }
    }

    public func modelRoot(ofJob job: String) throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT \(ModelVersionSQL.rootOfJob)", arguments: [job, job]) ?? job }
    }

    public func currentModelVersion(root: String, request: String) throws -> CurrentModelVersion {
        try pool.read { db in
            CurrentModelVersion(checkpoint: try String.fetchOne(db, sql: ModelVersionSQL.newestCheckpoint, arguments: [root, root]),
                                unlearningOpen: try Bool.fetchOne(db, sql: ModelVersionSQL.unlearningOpen, arguments: [root, request]) ?? false,
                                carriesDeletedRecords: try Bool.fetchOne(db, sql: ModelVersionSQL.carriesDeletedRecords, arguments: [root, root]) ?? false)
        }
    }

    public func modelLineage(root: String, dataset: String) throws -> Set<String> {
        try pool.read { db in
            Set(try String.fetchAll(db, sql: "SELECT document_id FROM lineage WHERE COALESCE(model_root, job_id) = ? AND dataset_id = ?",
                                    arguments: [root, dataset]))
        }
    }

    public func reserveModelVersion(_ lease: Lease, root: String, rootVersion: Int) throws -> Int {
        try pool.write { db in
            try Self.checkLease(db, lease)
            if let mine = try Int.fetchOne(db, sql: "SELECT version FROM model_version_numbers WHERE root_job_id = ? AND job_id = ?",
                                           arguments: [root, lease.jobID]) { return mine }
            let last = try Int.fetchOne(db, sql: "SELECT MAX(version) FROM model_version_numbers WHERE root_job_id = ?", arguments: [root])
            let next = max(rootVersion, last ?? rootVersion) + 1
            try db.execute(sql: "INSERT INTO model_version_numbers (root_job_id, version, job_id, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [root, next, lease.jobID, now()])
            return next
        }
    }

    /// Models (root jobs) trained on any of these documents.
    public func jobsTrained(onDataset dataset: String, documentIDs: [String]) throws -> [String] {
        try pool.read { db in
            var out = Set<String>()
            for id in documentIDs {
                for j in try String.fetchAll(db, sql: "SELECT COALESCE(model_root, job_id) FROM lineage WHERE dataset_id = ? AND document_id = ?",
                                             arguments: [dataset, id]) { out.insert(j) }
            }
            return out.sorted()
        }
    }

    /// The documents a job trained on, as (dataset, document id) pairs.
    public func lineage(jobID: String) throws -> [(dataset: String, documentID: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT dataset_id, document_id FROM lineage WHERE job_id = ? ORDER BY dataset_id, document_id",
                             arguments: [jobID]).map { ($0["dataset_id"], $0["document_id"]) }
        }
    }
}
