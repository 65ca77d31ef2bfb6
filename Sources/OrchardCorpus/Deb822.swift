import Foundation

/// Debian control-file syntax (deb822): paragraphs separated by blank lines, `Field: value` lines,
/// continuation lines starting with a space or tab. Field names are case-insensitive; values keep
/// their continuation lines (without the trailing newline).
public struct Deb822Paragraph: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(fields: [(name: String, value: String)] = []) { self.fields = fields }

    public subscript(_ name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    mutating func append(name: String, value: String) { fields.append((name, value)) }
    mutating func continueLast(_ line: Substring) {
        guard !fields.isEmpty else { return }
        fields[fields.count - 1].value += "\n" + line
    }

    public static func == (lhs: Deb822Paragraph, rhs: Deb822Paragraph) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

public enum Deb822 {
    public static func parse(_ text: String) throws -> [Deb822Paragraph] {
        var paragraphs: [Deb822Paragraph] = []
        var current = Deb822Paragraph()
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if !current.fields.isEmpty { paragraphs.append(current); current = Deb822Paragraph() }
                continue
            }
            if line.first == " " || line.first == "\t" {
                guard !current.fields.isEmpty else {
                    throw CorpusError.malformed(format: "deb822", detail: "line \(number + 1): continuation line before any field")
                }
                current.continueLast(line)
                continue
            }
            if line.first == "#" { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw CorpusError.malformed(format: "deb822", detail: "line \(number + 1): no ':' in '\(line.prefix(60))'")
            }
            current.append(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
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
