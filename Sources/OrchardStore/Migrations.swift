import Foundation
import GRDB

/// The schema migrations: `Migrations/NNNN_name.sql`, embedded into the binary by `make embed`
/// (see docs/architecture.md for why), applied in order and recorded in GRDB's `grdb_migrations`.
public enum SchemaMigrations {
    /// Names in the order they apply, e.g. `["0001_init", "0002_datasets"]`.
    public static var names: [String] { EmbeddedMigrations.all.map(\.name) }
    /// The SQL of each migration, byte for byte as in `Migrations/`.
    public static var sources: [(name: String, sql: String)] { EmbeddedMigrations.all }

    static func migrator(upTo last: String? = nil) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for m in EmbeddedMigrations.all {
            migrator.registerMigration(m.name) { db in try db.execute(sql: m.sql) }
            if m.name == last { break }
        }
        return migrator
    }

    /// Applies every migration not yet recorded (a database from an older version upgrades in place).
    public static func apply(to writer: some DatabaseWriter, upTo last: String? = nil) throws {
        try migrator(upTo: last).migrate(writer)
    }

    /// Names of the migrations recorded in this database.
    public static func applied(in reader: some DatabaseReader) throws -> [String] {
        try reader.read { db in try migrator().appliedMigrations(db) }
    }
}
