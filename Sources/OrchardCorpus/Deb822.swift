import Foundation

/// Debian control-file syntax (deb822): paragraphs separated by blank lines, `Field: value` lines,
/// continuation lines starting with a space or tab. Field names are case-insensitive; values keep
/// their continuation lines (without the trailing newline).
public struct Deb822Paragraph: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(fields: [(name: String, value: String)] = []) { self.fields = fields }

    public subscript(_ name: String) -> String? {
        if let exact = fields.first(where: { $0.name == name }) { return exact.value }
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }?.value
    }

    mutating func append(name: String, value: String) { fields.append((name, value)) }
    mutating func continueLast(_ line: String) {
        guard !fields.isEmpty else { return }
        fields[fields.count - 1].value += "\n" + line
    }

    public static func == (lhs: Deb822Paragraph, rhs: Deb822Paragraph) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

public enum Deb822 {
    /// Parses on UTF-8 bytes (the archive's package lists are tens of MB; Character-level splitting
    /// is several times slower).
    public static func parse(_ text: String) throws -> [Deb822Paragraph] {
        var paragraphs: [Deb822Paragraph] = []
        var current = Deb822Paragraph()
        var number = 0
        for rawLine in text.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            number += 1
            let line = rawLine.last == 13 ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) {
                if !current.fields.isEmpty { paragraphs.append(current); current = Deb822Paragraph() }
                continue
            }
            let first = line[line.startIndex]
            if first == 32 || first == 9 {
                guard !current.fields.isEmpty else {
                    throw CorpusError.malformed(format: "deb822", detail: "line \(number): continuation line before any field")
                }
                current.continueLast(String(decoding: line, as: UTF8.self))
                continue
            }
            if first == 35 { continue }  // '#' comment
            guard let colon = line.firstIndex(of: 58) else {
                throw CorpusError.malformed(format: "deb822", detail: "line \(number): no ':' in '\(String(decoding: line.prefix(60), as: UTF8.self))'")
            }
            var valueStart = line.index(after: colon), valueEnd = line.endIndex
            while valueStart < valueEnd, line[valueStart] == 32 || line[valueStart] == 9 { valueStart = line.index(after: valueStart) }
            while valueEnd > valueStart, line[line.index(before: valueEnd)] == 32 || line[line.index(before: valueEnd)] == 9 {
                valueEnd = line.index(before: valueEnd)
            }
            current.append(name: String(decoding: line[..<colon], as: UTF8.self),
                           value: String(decoding: line[valueStart..<valueEnd], as: UTF8.self))
        }
        if !current.fields.isEmpty { paragraphs.append(current) }
        return paragraphs
    }

    /// Splits a `Description` value into its synopsis (first line) and the long description as
    /// plain text: the leading space of continuation lines removed, " ." paragraph markers turned
    /// into blank lines, whitespace collapsed within each paragraph.
    public static func description(_ value: String) -> (synopsis: String, long: String) {
        let lines = value.split(separator: "\n", omittingEmptySubsequences: false)
        let synopsis = lines.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        var paragraphs: [String] = [], current: [Substring] = []
        for line in lines.dropFirst() {
            let body = line.drop(while: { $0 == " " || $0 == "\t" })
            if body == "." {
                if !current.isEmpty { paragraphs.append(current.joined(separator: " ")); current = [] }
            } else {
                current.append(contentsOf: body.split(whereSeparator: { $0.isWhitespace }))
            }
        }
        if !current.isEmpty { paragraphs.append(current.joined(separator: " ")) }
        return (synopsis, paragraphs.joined(separator: "\n\n"))
    }
}
