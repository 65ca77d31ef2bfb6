import Foundation
import GRDB

/// An online, consistent copy of the store's database (issue 19 item 9): SQLite's backup API reads one snapshot
/// (a read transaction on a WAL database, so the server keeps writing meanwhile) into a new file beside `destination`,
/// which is integrity-checked, fsynced and renamed into place — a crash leaves the old file or the new one, never a
/// half-written backup. Checkpoint files are not in the database: copy `checkpoints/` after the backup (docs/operations.md).
public enum StoreBackup {
    public struct Report: Sendable, Equatable {
        public var bytes: Int
        public var migrations: [String]
        public var jobs: Int
        public var seconds: Double
    }

    public enum BackupError: Error, CustomStringConvertible, Equatable {
        case noDatabase(String)
        case integrity(String)
        case io(String)
        public var description: String {
            switch self {
            case .noDatabase(let p): return "no Orchard database at \(p)"
            case .integrity(let r): return "the copy failed its integrity check: \(r)"
            case .io(let m): return m
            }
        }
    }

    /// Copies the database of the data directory `dataDirectory` to `destination`.
    public static func run(dataDirectory: URL, destination: URL) throws -> Report {
        let start = Date()
        let source = StoreConfiguration(dataDirectory: dataDirectory).databaseURL
        guard FileManager.default.fileExists(atPath: source.path) else { throw BackupError.noDatabase(source.path) }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        let reader = try DatabasePool(path: source.path, configuration: config)
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        defer { try? FileManager.default.removeItem(at: temporary) }
        do {
            let copy = try DatabaseQueue(path: temporary.path)
            try reader.backup(to: copy)
            let check = try copy.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
            guard check == ["ok"] else { throw BackupError.integrity(check.joined(separator: "; ")) }
            let migrations = try SchemaMigrations.applied(in: copy)
            let jobs = try copy.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM jobs") ?? 0 }
            try copy.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = DELETE") }
            try copy.close()
            let handle = try FileHandle(forUpdating: temporary)
            try handle.synchronize(); try handle.close()
            guard rename(temporary.path, destination.path) == 0 else {
                throw BackupError.io("cannot move the backup into place at \(destination.path) (errno \(errno))")
            }
            let bytes = ((try? FileManager.default.attributesOfItem(atPath: destination.path))?[.size] as? Int) ?? 0
            return Report(bytes: bytes, migrations: migrations, jobs: jobs, seconds: Date().timeIntervalSince(start))
        }
    }
}
