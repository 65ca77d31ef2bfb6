import Foundation
import OrchardJobs
import OrchardQueue

extension PostgresStore {
    /// Records (fenced) that the job trained on these documents, with the step of each first read (the earliest
    /// recorded step wins); a version job of a deletion request records under its model's root (`model_root`).
    public func recordLineage(_ lease: Lease, dataset: String, firstReads: [String: Int?]) throws {
        try write { db in
            try Self.checkLease(db, lease)
            let now = now()
            let root = try db.value(String.self, sql: "SELECT root_job_id FROM deletion_actions WHERE job_id = ? LIMIT 1",
                                    arguments: [lease.jobID])
            for id in firstReads.keys.sorted() {
                try db.execute(sql: """
                    INSERT INTO lineage (job_id, dataset_id, document_id, recorded_at, first_step, model_root) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (job_id, dataset_id, document_id) DO UPDATE SET first_step = excluded.first_step
                    WHERE excluded.first_step IS NOT NULL AND (lineage.first_step IS NULL OR excluded.first_step < lineage.first_step)
                    """, arguments: [lease.jobID, dataset, id, now, firstReads[id]!, root])
            }
        }
    }

    /// One page of a job's lineage, in (dataset, document) order; `after` = "dataset/document" of the last entry.
    public func lineagePage(jobID: String, tenant: String, after: String?, limit: Int) throws -> (entries: [LineageEntry], hasMore: Bool) {
        try read { db in
            guard try db.value(Int.self, sql: "SELECT 1 FROM jobs WHERE id = ? AND tenant = ?", arguments: [jobID, tenant]) != nil else {
                throw StoreError.notFound(kind: "job", id: jobID)
            }
            var sql = "SELECT dataset_id, document_id, first_step FROM lineage WHERE job_id = ?"
            var args: PostgresArguments = [jobID]
            if let a = after, let slash = a.firstIndex(of: "/") {
                sql += " AND (dataset_id COLLATE \"C\", document_id COLLATE \"C\") > (?, ?)"
                args = args + [String(a[..<slash]), String(a[a.index(after: slash)...])]
            }
            sql += " ORDER BY dataset_id COLLATE \"C\", document_id COLLATE \"C\" LIMIT ?"
            args = args + [limit + 1]
            let rows = try db.rows(sql: sql, arguments: args)
            let entries = rows.prefix(limit).map { LineageEntry(dataset: $0["dataset_id"], documentID: $0["document_id"], firstStep: $0["first_step"]) }
            return (Array(entries), rows.count > limit)
        }
    }

    /// Copies (fenced) another model's lineage (every version's reads) to the leased job; `fromJob` may be a version job
    /// of that model. A version job of a deletion request records under its model's root and leaves tombstoned records
    /// out (see the SQLite store).
    public func inheritLineage(_ lease: Lease, fromJob: String) throws {
        try write { db in
            try Self.checkLease(db, lease)
            let root = try db.value(String.self, sql: "SELECT root_job_id FROM deletion_actions WHERE job_id = ? LIMIT 1", arguments: [lease.jobID])
            try db.execute(sql: """
                INSERT INTO lineage (job_id, dataset_id, document_id, recorded_at, model_root)
                SELECT ?, dataset_id, document_id, ?, CAST(? AS TEXT) FROM lineage l WHERE COALESCE(model_root, job_id) = \(ModelVersionSQL.rootOfJob)
                  AND (? = 0 OR \(ModelVersionSQL.notTombstoned))
                ON CONFLICT DO NOTHING
                """, arguments: [lease.jobID, now(), root, fromJob, fromJob, root == nil ? 0 : 1])
        }
    }

    public func modelRoot(ofJob job: String) throws -> String {
        try read { db in try db.value(String.self, sql: "SELECT \(ModelVersionSQL.rootOfJob)", arguments: [job, job]) ?? job }
    }

    public func currentModelVersion(root: String, request: String) throws -> CurrentModelVersion {
        try read { db in
            CurrentModelVersion(checkpoint: try db.value(String.self, sql: ModelVersionSQL.newestCheckpoint, arguments: [root, root]),
                                unlearningOpen: try db.value(Int.self, sql: ModelVersionSQL.unlearningOpen, arguments: [root, request]) != nil,
                                carriesDeletedRecords: try db.value(Int.self, sql: ModelVersionSQL.carriesDeletedRecords, arguments: [root, root]) != nil)
        }
    }

    public func modelLineage(root: String, dataset: String) throws -> Set<String> {
        try read { db in
            Set(try db.values(String.self, sql: "SELECT document_id FROM lineage WHERE COALESCE(model_root, job_id) = ? AND dataset_id = ?",
                              arguments: [root, dataset]))
        }
    }

    /// Reserves (fenced) the job's version number of model `root`; a per-model advisory lock makes
    /// max-then-insert atomic across processes.
    public func reserveModelVersion(_ lease: Lease, root: String, rootVersion: Int) throws -> Int {
        try write { db in
            try Self.checkLease(db, lease)
            try db.execute(sql: "SELECT pg_advisory_xact_lock(hashtext('orchard.model_versions.' || ?))", arguments: [root])
            if let mine = try db.value(Int.self, sql: "SELECT version FROM model_version_numbers WHERE root_job_id = ? AND job_id = ?",
                                       arguments: [root, lease.jobID]) { return mine }
            let last = try db.value(Int.self, sql: "SELECT MAX(version) FROM model_version_numbers WHERE root_job_id = ?", arguments: [root])
            let next = max(rootVersion, last ?? rootVersion) + 1
            try db.execute(sql: "INSERT INTO model_version_numbers (root_job_id, version, job_id, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [root, next, lease.jobID, now()])
            return next
        }
    }

    /// Models (root jobs) trained on any of these documents.
    public func jobsTrained(onDataset dataset: String, documentIDs: [String]) throws -> [String] {
        try read { db in
            Set(try db.values(String.self, sql: """
                SELECT COALESCE(model_root, job_id) FROM lineage WHERE dataset_id = ? AND document_id = ANY(?)
                """, arguments: [dataset, documentIDs])).sorted()
        }
    }

    /// The documents a job trained on, as (dataset, document id) pairs.
    public func lineage(jobID: String) throws -> [(dataset: String, documentID: String)] {
        try read { db in
            try db.rows(sql: """
                SELECT dataset_id, document_id FROM lineage WHERE job_id = ? ORDER BY dataset_id COLLATE "C", document_id COLLATE "C"
                """, arguments: [jobID]).map { ($0["dataset_id"], $0["document_id"]) }
        }
    }
}
