import Foundation

/// The PostgreSQL schema migrations: `Migrations/postgres/NNNN_name.sql`, embedded into the binary by `make embed`,
/// applied in order and recorded in `orchard_migrations` (one row per applied migration, like GRDB's
/// `grdb_migrations` for SQLite). They are numbered like the SQLite ones and mean the same schema.
///
/// Several processes may start at once against one database: the pending migrations are applied in one
/// transaction that first takes a transaction-scoped advisory lock of the schema, so one process migrates and the
/// others then find everything applied.
public enum PostgresSchemaMigrations {
    public static var names: [String] { EmbeddedPostgresMigrations.all.map(\.name) }
    public static var sources: [(name: String, sql: String)] { EmbeddedPostgresMigrations.all }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS orchard_migrations (identifier TEXT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)
        """

    /// Applies every migration not yet recorded, up to and including `last` (nil: all).
    static func apply(_ db: PostgresSession, upTo last: String?, now: Int64) throws {
        try db.execute(sql: "SELECT pg_advisory_xact_lock(hashtext('orchard_migrations.' || current_schema()))")
        try db.execute(sql: createTable)
        let done = Set(try db.values(String.self, sql: "SELECT identifier FROM orchard_migrations"))
        for m in EmbeddedPostgresMigrations.all {
            if !done.contains(m.name) {
                for statement in statements(of: m.sql) { try db.execute(sql: statement) }
                try db.execute(sql: "INSERT INTO orchard_migrations (identifier, applied_at) VALUES (?, ?)", arguments: [m.name, now])
            }
            if m.name == last { break }
        }
    }

    /// The statements of a migration file, without comments. postgres-nio speaks only the extended query protocol,
    /// which takes one statement per query, so a file is split at each `;` outside quoted literals and identifiers
    /// and outside `--` comments (the migrations use no dollar quoting).
    static func statements(of sql: String) -> [String] {
        var out: [String] = [], current = ""
        var quote: Character?
        var chars = Array(sql)[...]
        while let c = chars.popFirst() {
            if let q = quote {
                current.append(c)
                if c == q { quote = nil }
            } else if c == "-", chars.first == "-" {
                while let n = chars.first, n != "\n" { chars.removeFirst() }
            } else if c == ";" {
                out.append(current)
                current = ""
            } else {
                if c == "'" || c == "\"" { quote = c }
                current.append(c)
            }
        }
        out.append(current)
        return out.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The recorded migrations, in order (empty for a new database).
    static func applied(_ db: PostgresSession) throws -> [String] {
        guard try db.value(String.self, sql: "SELECT to_regclass('orchard_migrations')::text") != nil else { return [] }
        return try db.values(String.self, sql: "SELECT identifier FROM orchard_migrations ORDER BY identifier")
    }
}
