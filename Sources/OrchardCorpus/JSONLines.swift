import Foundation
import OrchardTensor

/// Writes and reads the corpus JSONL files. The writer produces one fixed key order
/// (`id`, `domain`, `text`) and minimal escaping so output bytes (and their SHA-256) are stable.
public enum JSONLines {
    public static func line(_ document: Document) -> String {
        "{\"id\":\(quoted(document.id)),\"domain\":\(quoted(document.domain)),\"text\":\(quoted(document.text))}\n"
    }

    /// Minimal escaping, plus U+007F (kept so existing corpus files hash the same).
    public static func quoted(_ string: String) -> String {
        JSONStringLiteral.quote(string, escapingDelete: true)
    }

    /// Streams documents to a file; returns the byte count and SHA-256 of what was written.
    public final class Writer {
        private let handle: FileHandle
        private var hasher = SHA256Hasher()
        private var buffer = Data()
        public private(set) var bytes = 0
        public private(set) var count = 0

        public init(url: URL) throws {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: 0)
        }

        public func write(_ document: Document) throws {
            let data = Data(JSONLines.line(document).utf8)
            hasher.update(data)
            buffer.append(data)
            bytes += data.count
            count += 1
            if buffer.count >= 1 << 20 { try handle.write(contentsOf: buffer); buffer.removeAll(keepingCapacity: true) }
        }

        /// Flushes and closes; returns the hex SHA-256 of the file.
        public func finish() throws -> String {
            if !buffer.isEmpty { try handle.write(contentsOf: buffer) }
            try handle.close()
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    public static func write(_ documents: [Document], to url: URL) throws -> (bytes: Int, sha256: String) {
        let writer = try Writer(url: url)
        for document in documents { try writer.write(document) }
        let digest = try writer.finish()
        return (writer.bytes, digest)
    }

    public static func read(_ url: URL) throws -> [Document] {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw CorpusError.missingSource(url.path) }
        let decoder = JSONDecoder()
        var documents: [Document] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.isEmpty {
            do { documents.append(try decoder.decode(Document.self, from: Data(line))) } catch {
                throw CorpusError.malformed(format: "JSONL", detail: "\(url.lastPathComponent) line \(number + 1): \(error)")
            }
        }
        return documents
    }
}
