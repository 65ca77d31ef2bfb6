import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

extension OrchardStore {
    /// Tombstones records of a dataset (documents or preference pairs): they stay for the audit
    /// trail but never re-enter a job's data. Returns the ids that were live and are now tombstoned.
    /// The deletion-request resource builds on this.
    @discardableResult
    public func tombstone(dataset: String, tenant: String, ids: [String]) throws -> [String] {
        try pool.write { db in
            guard let kind = try String.fetchOne(db, sql: "SELECT kind FROM datasets WHERE id = ? AND tenant = ?",
                                                 arguments: [dataset, tenant]) else {
                throw StoreError.notFound(kind: "dataset", id: dataset)
            }
            let table = kind == DatasetKind.documents.rawValue ? "documents" : "preference_pairs"
            let now = now()
            var done: [String] = []
            for id in ids {
                try db.execute(sql: "UPDATE \(table) SET tombstoned_at = ? WHERE dataset_id = ? AND id = ? AND tombstoned_at IS NULL",
                               arguments: [now, dataset, id])
                if db.changesCount > 0 { done.append(id) }
            }
            return done
        }
    }
}
