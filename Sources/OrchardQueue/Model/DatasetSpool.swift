import Foundation

/// The validated records of an upload, appended to a temporary file as they arrive, so that an upload of any size
/// holds at most one line and a 1 MiB write buffer in memory; read back once, in upload order, when the dataset is
/// stored. The file is created at the first record and deleted when the spool is released (or, after a crash, with
/// the upload directory's other leftovers at start-up).
///
/// Record layout (little-endian): line number (UInt64), field count (UInt8), then per field its UTF-8 length
/// (UInt32) and bytes. A document is (id, domain, text); a preference pair (id, prompt, chosen, rejected).
public final class DatasetSpool: @unchecked Sendable {
    public let directory: URL
    public private(set) var url: URL?
    private var handle: FileHandle?
    private var buffer: [UInt8] = []
    private static let flushBytes = 1 << 20

    public init(directory: URL) { self.directory = directory }

    deinit {
        try? handle?.close()
        if let url { try? FileManager.default.removeItem(at: url) }
    }

    /// Appends one record.
    public func append(line: Int, fields: [String]) throws {
        if handle == nil {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("upload-\(UUID().uuidString).spool")
            guard FileManager.default.createFile(atPath: file.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
            }
            url = file
            handle = try FileHandle(forWritingTo: file)
        }
        Self.put(UInt64(line), into: &buffer)
        buffer.append(UInt8(fields.count))
        for f in fields {
            Self.put(UInt32(f.utf8.count), into: &buffer)
            buffer.append(contentsOf: f.utf8)
        }
        if buffer.count >= Self.flushBytes { try flush() }
    }

    /// Writes what is buffered; call once the upload is complete, before `forEachRecord`.
    public func flush() throws {
        guard let handle, !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads the first `limit` records back in the order they were appended, 1 MiB of the file at a time.
    public func forEachRecord(limit: Int, _ body: (_ line: Int, _ fields: [String]) throws -> Void) throws {
        try flush()
        guard let url else { return }
        let reader = try FileHandle(forReadingFrom: url)
        defer { try? reader.close() }
        var pending: [UInt8] = []
        var start = 0
        var exhausted = false
        /// Makes `n` bytes from `start` available in `pending`; false at the end of the file.
        func need(_ n: Int) throws -> Bool {
            while pending.count - start < n {
                if exhausted { return false }
                if start > 0 { pending.removeFirst(start); start = 0 }
                guard let chunk = try reader.read(upToCount: max(Self.flushBytes, n)), !chunk.isEmpty else { exhausted = true; continue }
                pending.append(contentsOf: chunk)
            }
            return true
        }
        var read = 0
        while read < limit, try need(9) {
            read += 1
            let line = Int(Self.get(UInt64.self, pending, start)); start += 8
            let count = Int(pending[start]); start += 1
            var fields: [String] = []
            fields.reserveCapacity(count)
            for _ in 0..<count {
                guard try need(4) else { throw CocoaError(.fileReadCorruptFile) }
                let length = Int(Self.get(UInt32.self, pending, start)); start += 4
                guard try need(length) else { throw CocoaError(.fileReadCorruptFile) }
                fields.append(String(decoding: pending[start..<(start + length)], as: UTF8.self))
                start += length
            }
            try body(line, fields)
        }
    }

    private static func put<T: FixedWidthInteger>(_ v: T, into out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func get<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ at: Int) -> T {
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(bytes[at + i]) << (8 * i) }
        return v
    }
}
