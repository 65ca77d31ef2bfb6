import Foundation
import GRDB
import OrchardJobs
import OrchardQueue

/// Tenant deletion policies (`deletion_policies`): the mode a deletion request runs when it names none.
extension OrchardStore {
    public func deletionPolicy(tenant: String) throws -> DeletionPolicy {
        try pool.read { db in try Self.fetchDeletionPolicy(db, tenant: tenant) }
    }

    public func setDeletionPolicy(tenant: String, mode: String, options: JSONValue?) throws -> DeletionPolicy {
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO deletion_policies (tenant, mode, options, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant) DO UPDATE SET mode = excluded.mode, options = excluded.options, updated_at = excluded.updated_at
                """, arguments: [tenant, mode, options?.columnText, now()])
            return try Self.fetchDeletionPolicy(db, tenant: tenant)
        }
    }

    static func fetchDeletionPolicy(_ db: Database, tenant: String) throws -> DeletionPolicy {
        guard let row = try Row.fetchOne(db, sql: "SELECT mode, options, updated_at FROM deletion_policies WHERE tenant = ?",
                                         arguments: [tenant]) else { return .serviceDefault }
        return DeletionPolicy(mode: row["mode"], options: JSONValue(columnText: row["options"]), updatedAt: row["updated_at"])
    }
}
