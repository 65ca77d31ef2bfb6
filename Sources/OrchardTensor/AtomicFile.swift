import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an atomic write or directory commit failed; `errno` text included so the cause is visible.
public struct AtomicFileError: Error, CustomStringConvertible, Equatable {
    public var operation: String
    public var path: String
    public var reason: String

    public init(operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    static func posix(_ operation: String, _ path: String, _ code: Int32 = errno) -> AtomicFileError {
        AtomicFileError(operation: operation, path: path, reason: String(cString: strerror(code)))
    }

    public var description: String { "\(operation) \(path): \(reason)" }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif

/// Sequential writer handed to `AtomicFile.write(to:_:)`; loops over short writes and EINTR.
public struct AtomicFileWriter {
    fileprivate let descriptor: Int32
    fileprivate let path: String
    public private(set) var bytesWritten: Int = 0

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = systemWrite(descriptor, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError.posix("write", path)
            }
            remaining -= n
            base += n
            bytesWritten += n
        }
    }

    public mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public mutating func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }
}

/// Crash-safe file and directory replacement: readers see the old content or the new, never a torn mix.
///
/// Files: write `.<name>.tmp-<uuid>` in the destination's directory, fsync it, rename it over the
/// destination, fsync the directory (so the rename itself survives power loss).
/// Directories: populate `.<name>.tmp-<uuid>`, fsync every file in it and the directory, rename.
public enum AtomicFile {
    /// Atomically replaces (or creates) the file at `url` with `data`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { writer in try writer.write(data) }
    }

    /// Atomically replaces (or creates) the file at `url` with what `body` writes, streamed (no full copy in memory).
    public static func write(to url: URL, _ body: (inout AtomicFileWriter) throws -> Void) throws {
        let destination = url.standardizedFileURL
        let directory = destination.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(UUID().uuidString)")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFileError.posix("create", temporary.path) }
        var committed = false
        defer {
            if !committed { unlink(temporary.path) }
        }
        do {
            var writer = AtomicFileWriter(descriptor: fd, path: temporary.path)
            try body(&writer)
            guard fsync(fd) == 0 else { throw AtomicFileError.posix("fsync", temporary.path) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw AtomicFileError.posix("close", temporary.path) }
        guard rename(temporary.path, destination.path) == 0 else {
            throw AtomicFileError.posix("rename to \(destination.path)", temporary.path)
        }
        committed = true
        try syncDirectory(directory)
    }

    /// Builds a directory atomically: `populate` fills a temporary sibling directory, which is then made
    /// durable and renamed to `url`. If `url` exists it is an error unless `replacing` is true; replacement
    /// moves the old directory aside first, so a crash in between leaves either the old or the new one
    /// under a known name (`.<name>.old-<uuid>`), never a half-written one at `url`.
    public static func commitDirectory(at url: URL, replacing: Bool = false, _ populate: (URL) throws -> Void) throws {
        let destination = url.standardizedFileURL
        let parent = destination.deletingLastPathComponent()
        let fm = FileManager.default
        if fm.fileExists(atPath: destination.path) && !replacing {
            throw AtomicFileError(operation: "commit directory", path: destination.path, reason: "destination already exists")
        }
        let temporary = parent.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(UUID().uuidString)")
        guard mkdir(temporary.path, 0o755) == 0 else { throw AtomicFileError.posix("mkdir", temporary.path) }
        var committed = false
        defer {
            if !committed { try? fm.removeItem(at: temporary) }
        }
        try populate(temporary)
        try syncTree(temporary)

        var aside: URL?
        if fm.fileExists(atPath: destination.path) {
            let old = parent.appendingPathComponent(".\(destination.lastPathComponent).old-\(UUID().uuidString)")
            guard rename(destination.path, old.path) == 0 else {
                throw AtomicFileError.posix("move aside to \(old.path)", destination.path)
            }
            aside = old
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let failure = AtomicFileError.posix("rename to \(destination.path)", temporary.path)
            if let aside { rename(aside.path, destination.path) }
            throw failure
        }
        committed = true
        try syncDirectory(parent)
        if let aside { try fm.removeItem(at: aside) }
    }

    /// fsyncs a directory so that entries created or renamed in it are durable.
    public static func syncDirectory(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError.posix("open directory", url.path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw AtomicFileError.posix("fsync directory", url.path) }
    }

    /// fsyncs every regular file below `url`, then every directory, deepest first.
    static func syncTree(_ url: URL) throws {
        let fm = FileManager.default
        var directories = [url]
        var index = 0
        while index < directories.count {
            let directory = directories[index]
            index += 1
            let names = try fm.contentsOfDirectory(atPath: directory.path).sorted()
            for name in names {
                let child = directory.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                guard fm.fileExists(atPath: child.path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    directories.append(child)
                } else {
                    let fd = open(child.path, O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw AtomicFileError.posix("open", child.path) }
                    defer { close(fd) }
                    guard fsync(fd) == 0 else { throw AtomicFileError.posix("fsync", child.path) }
                }
            }
        }
        for directory in directories.reversed() { try syncDirectory(directory) }
    }
}
