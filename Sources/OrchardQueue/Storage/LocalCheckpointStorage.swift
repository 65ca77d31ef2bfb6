import Foundation
import OrchardJobs
#if canImport(Glibc)
import Glibc
#endif

/// Checkpoints in a local directory: the runner fills a fresh directory under `<root>/.tmp/`, every file
/// and the directory are fsynced, the directory is renamed into `<root>/<job>/<ckpt>/` (the storage path
/// `<job>/<ckpt>`), and the parent is fsynced.
public struct LocalCheckpointStorage: CheckpointStorage {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var temporaryRoot: URL { root.appendingPathComponent(".tmp", isDirectory: true) }

    public func url(of path: String) -> URL { root.appendingPathComponent(path, isDirectory: true) }

    public func remove(path: String) { try? FileManager.default.removeItem(at: url(of: path)) }

    public func discard(_ temporary: URL) { try? FileManager.default.removeItem(at: temporary) }

    /// Removes orphans of writes interrupted by a crash: temporary directories whose writing
    /// process (named in the directory) no longer exists.
    public func removeOrphans() {
        let root = temporaryRoot
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for name in names {
            guard let pid = Int32(name.split(separator: ".").first ?? "") else { continue }
            if !ProcessLiveness.isAlive(pid: pid) { try? FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
        }
    }

    public func publishedPaths(modifiedBefore date: Date) -> [String] {
        let fm = FileManager.default
        guard let jobs = try? fm.contentsOfDirectory(atPath: root.path) else { return [] }
        var out: [String] = []
        for job in jobs where !job.hasPrefix(".") {
            guard let ids = try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(job).path) else { continue }
            for id in ids {
                let path = "\(job)/\(id)"
                let modified = (try? fm.attributesOfItem(atPath: url(of: path).path)[.modificationDate] as? Date) ?? Date()
                if modified < date { out.append(path) }
            }
        }
        return out
    }

    public func makeTemporaryDirectory(id: String) throws -> URL {
        let dir = temporaryRoot.appendingPathComponent("\(getpid()).\(id)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Hashes and fsyncs every regular file below `dir` (names relative to it, sorted), then the directories.
    public func seal(_ dir: URL) throws -> [CheckpointFile] {
        let fm = FileManager.default
        var files: [CheckpointFile] = []
        var dirs: [URL] = [dir]
        guard let walker = fm.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey]) else { return [] }
        let base = dir.standardizedFileURL.path
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey])
            if values.isDirectory == true { dirs.append(url); continue }
            guard values.isRegularFile == true else { continue }
            let (bytes, sha) = try Self.hashAndSync(url)
            var name = url.standardizedFileURL.path
            if name.hasPrefix(base + "/") { name.removeFirst(base.count + 1) }
            files.append(CheckpointFile(name: name, bytes: bytes, sha256: sha))
        }
        for d in dirs { try Self.fsyncPath(d) }
        return files.sorted { $0.name < $1.name }
    }

    static func hashAndSync(_ url: URL) throws -> (Int64, String) {
        let handle = try FileHandle(forUpdating: url)
        defer { try? handle.close() }
        var hasher = SHA256Stream()
        var total: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(chunk); total += Int64(chunk.count)
        }
        try handle.synchronize()
        return (total, hasher.finalizeHex())
    }

    static func fsyncPath(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { throw CocoaError(.fileReadUnknown) }
        defer { close(fd) }
        _ = fsync(fd)
    }

    /// Moves the sealed temporary directory to its final place; returns the path relative to the root.
    public func publish(_ temporary: URL, jobID: String, id: String) throws -> String {
        let jobDir = root.appendingPathComponent(jobID, isDirectory: true)
        try FileManager.default.createDirectory(at: jobDir, withIntermediateDirectories: true)
        let final = jobDir.appendingPathComponent(id, isDirectory: true)
        guard rename(temporary.path, final.path) == 0 else {
            throw JobError.transient(code: "checkpoint_io", message: "rename \(temporary.path) -> \(final.path) failed: errno \(errno)")
        }
        try Self.fsyncPath(jobDir)
        try Self.fsyncPath(root)
        return "\(jobID)/\(id)"
    }
}
