import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    /// Records (fenced) that the job trained on these documents of a dataset.
    public func recordLineage(_ lease: Lease, dataset: String, documentIDs: [String]) throws {
        try pool.write { db in
            try Self.checkLease(db, lease)
            let now = now()
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO lineage (job_id, dataset_id, document_id, recorded_at) VALUES (?, ?, ?, ?)
                """)
            for id in documentIDs { try insert.execute(arguments: [lease.jobID, dataset, id, now]) }
        }
    }

    /// Copies (fenced) another job's lineage to the leased job.
    public func inheritLineage(_ lease: Lease, fromJob: String) throws {
        try pool.write { db in
            try Self.checkLease(db, lease)
            try db.execute(sql: """
                INSERT OR IGNORE INTO lineage (job_id, dataset_id, document_id, recorded_at)
                SELECT ?, dataset_id, document_id, ? FROM lineage WHERE job_id = ?
                """, arguments: [lease.jobID, now(), fromJob])
        }
    }

    /// Jobs whose models were trained on any of these documents.
    public func jobsTrained(onDataset dataset: String, documentIDs: [String]) throws -> [String] {
        try pool.read { db in
            var out = Set<String>()
            for id in documentIDs {
                for j in try String.fetchAll(db, sql: "SELECT job_id FROM lineage WHERE dataset_id = ? AND document_id = ?",
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
