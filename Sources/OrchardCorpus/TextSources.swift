import Foundation

/// Document listings shared by several domains.
enum TextSources {
    /// One candidate per regular file; `source` names the package (or "local") for the id.
    static func files(domain: String, source: String, root: URL, include: (String) -> Bool) -> [DocumentCandidate] {
        LocalFiles.files(under: root, include: include).map { file in
            DocumentCandidate(id: "\(domain)/\(source):\(file.relative)") { try LocalFiles.text(file.url) }
        }
    }

    /// Files in sorted order with paragraphs seen earlier (whitespace- and ASCII-case-normalised)
    /// removed: licence and copyright files repeat the same boilerplate thousands of times.
    static func deduplicatedParagraphs(domain: String, files: [(source: String, url: URL)]) -> [DocumentCandidate] {
        var seen = Set<[UInt8]>()
        var result: [DocumentCandidate] = []
        for file in files {
            guard let text = try? LocalFiles.text(file.url) else { continue }
            var kept: [String] = []
            for paragraph in paragraphs(text) {
                let key = normalizedKey(paragraph.utf8)
                if !key.isEmpty, seen.insert(key).inserted { kept.append(paragraph) }
            }
            if !kept.isEmpty { result.append(DocumentCandidate(id: "\(domain)/\(file.source)", text: kept.joined(separator: "\n\n"))) }
        }
        return result
    }

    /// Whitespace-separated words (ASCII whitespace), counted on bytes.
    static func wordCount(_ text: String) -> Int {
        var count = 0, inWord = false
        for byte in text.utf8 {
            if isSpace(byte) { inWord = false } else if !inWord { inWord = true; count += 1 }
        }
        return count
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (9...13).contains(byte) }

    /// ASCII-lowercased bytes with whitespace runs collapsed to one space and trimmed.
    static func normalizedKey<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var key: [UInt8] = []
        var pendingSpace = false
        for byte in bytes {
            if isSpace(byte) { pendingSpace = !key.isEmpty; continue }
            if pendingSpace { key.append(32); pendingSpace = false }
            key.append((65...90).contains(byte) ? byte + 32 : byte)
        }
        return key
    }

    /// Paragraphs separated by blank (or whitespace-only) lines, without surrounding newlines.
    /// Works on UTF-8 bytes: Character-level scanning is an order of magnitude slower here.
    static func paragraphs(_ text: String) -> [String] {
        var result: [String] = [], current: [Substring.UTF8View] = []
        func flush() {
            guard !current.isEmpty else { return }
            var bytes: [UInt8] = []
            for (index, line) in current.enumerated() {
                if index > 0 { bytes.append(10) }
                bytes.append(contentsOf: line)
            }
            result.append(String(decoding: bytes, as: UTF8.self))
            current = []
        }
        for line in text.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            if line.allSatisfy(isSpace) { flush() } else { current.append(Substring(line).utf8) }
        }
        flush()
        return result
    }

    /// Man pages rendered to plain text by groff (`.so` redirects and symlinks skipped).
    static func manPages(domain: String, source: String, root: URL, include: (String) -> Bool) -> [DocumentCandidate] {
        LocalFiles.files(under: root, include: { $0.hasSuffix(".gz") && include($0) }).map { file in
            DocumentCandidate(id: "\(domain)/\(source):\(file.relative)") { try ManPageRenderer.render(gzipped: file.url) }
        }
    }
}

/// Renders man pages with `groff -k -mandoc -Tutf8 -P-cbou -rLL=80n` (groff-base ships with man-db).
public enum ManPageRenderer {
    public static func render(gzipped url: URL) throws -> String? {
        guard let compressed = FileManager.default.contents(atPath: url.path) else { throw CorpusError.missingSource(url.path) }
        let source = try Zlib.inflate(compressed)
        if source.starts(with: Array(".so ".utf8)) || source.isEmpty { return nil }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-man-\(UUID().uuidString)")
        try source.write(to: scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try ProcessRunner.run(["groff", "-k", "-mandoc", "-Tutf8", "-P-cbou", "-rLL=80n"], stdin: scratch)
        guard result.status == 0 else { return nil }
        let text = String(decoding: result.stdout, as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }
}
