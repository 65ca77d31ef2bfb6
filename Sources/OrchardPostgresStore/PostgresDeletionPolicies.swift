import Foundation
import OrchardJobs
import OrchardQueue

/// Tenant deletion policies (`deletion_policies`): the mode a deletion request runs when it names none.
extension PostgresStore {
    public func deletionPolicy(tenant: String) throws -> DeletionPolicy {
        try read { db in try Self.fetchDeletionPolicy(db, tenant: tenant) }
    }

    public func setDeletionPolicy(tenant: String, mode: String, options: JSONValue?) throws -> DeletionPolicy {
        try write { db in
            try db.execute(sql: """
                INSERT INTO deletion_policies (tenant, mode, options, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant) DO UPDATE SET mode = excluded.mode, options = excluded.options, updated_at = excluded.updated_at
                """, arguments: [tenant, mode, options?.jsonText, now()])
            return try Self.fetchDeletionPolicy(db, tenant: tenant)
        }
    }

    static func fetchDeletionPolicy(_ db: PostgresSession, tenant: String) throws -> DeletionPolicy {
        guard let row = try db.row(sql: "SELECT mode, options, updated_at FROM deletion_policies WHERE tenant = ?",
                                   arguments: [tenant]) else { return .serviceDefault }
        return DeletionPolicy(mode: row["mode"], options: JSONValue(jsonText: row["options"]), updatedAt: row["updated_at"])
    }
}
