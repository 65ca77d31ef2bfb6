import Foundation

/// dictd dictionaries: `NAME.index` lines `headword\tOFFSET\tLENGTH` (numbers in base64 digits
/// `A–Za–z0–9+/`, most significant first) into `NAME.dict.dz` (dictzip, gzip-compatible).
public enum Dictd {
    public struct Entry: Equatable, Sendable {
        public let headword: String
        public let offset: Int
        public let length: Int
        public let text: String
    }

    private static let digits: [UInt8: Int] = {
        var table: [UInt8: Int] = [:]
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[character] = value
        }
        return table
    }()

    /// Decodes a dictd base64 number; nil for an empty string or a non-digit.
    public static func decodeNumber<S: StringProtocol>(_ text: S) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 10 else { return nil }
        var value = 0
        for character in text.utf8 {
            guard let digit = digits[character] else { return nil }
            value = value * 64 + digit
        }
        return value
    }

    /// Encodes a number the way dictd writes it (used by tests to build a dictionary).
    public static func encodeNumber(_ value: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        if value == 0 { return "A" }
        var digits: [Character] = [], rest = value
        while rest > 0 { digits.append(alphabet[rest % 64]); rest /= 64 }
        return String(digits.reversed())
    }

    /// Entries in index order, `00database*` metadata skipped, one entry per distinct (offset, length).
    public static func entries(base: URL) throws -> [Entry] {
        let indexURL = base.appendingPathExtension("index"), dataURL = base.appendingPathExtension("dict.dz")
        guard let index = FileManager.default.contents(atPath: indexURL.path) else { throw CorpusError.missingSource(indexURL.path) }
        guard let compressed = FileManager.default.contents(atPath: dataURL.path) else { throw CorpusError.missingSource(dataURL.path) }
        return try entries(index: String(decoding: index, as: UTF8.self), data: [UInt8](try Zlib.inflate(compressed)))
    }

    public static func entries(index: String, data: [UInt8]) throws -> [Entry] {
        var seen = Set<Int>()
        var result: [Entry] = []
        for (lineNumber, line) in index.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3 else { continue }
            if fields[0].hasPrefix("00database") || fields[0].hasPrefix("00-database") { continue }
            guard let offset = decodeNumber(fields[1]), let length = decodeNumber(fields[2]) else {
                throw CorpusError.malformed(format: "dictd index", detail: "line \(lineNumber + 1): bad offset/length '\(fields[1])' '\(fields[2])'")
            }
            guard offset + length <= data.count else {
                throw CorpusError.malformed(format: "dictd index", detail: "line \(lineNumber + 1): entry ends at \(offset + length), data has \(data.count) bytes")
            }
            // Several headwords can point at one entry: keep it once.
            guard seen.insert(offset &* 1_000_003 &+ length).inserted else { continue }
            result.append(Entry(headword: String(fields[0]), offset: offset, length: length,
                                text: String(decoding: data[offset..<offset + length], as: UTF8.self)))
        }
        return result
    }
}
