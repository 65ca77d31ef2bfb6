import Foundation

/// A SWORD zText Bible module (`ot.bzs/bzv/bzz`, `nt.*`).
/// - `.bzs`: 12-byte records (u32 LE offset, size, uncompressed size), one per zlib block;
/// - `.bzv`: 10-byte records (u32 LE block, u32 LE offset, u16 LE size), one per versification slot;
/// - `.bzz`: the zlib blocks. Slot order: module header, testament header, then per book an intro slot
///   and per chapter a heading slot followed by verses 1...n.
public struct SwordZText {
    public struct Verse: Equatable, Sendable {
        public let book: String
        public let chapter: Int
        public let verse: Int
        public let text: String
    }

    /// The raw OSIS entry of every slot of one testament, in slot order.
    public static func entries(directory: URL, testament: String) throws -> [String] {
        func load(_ ext: String) throws -> [UInt8] {
            let url = directory.appendingPathComponent("\(testament).\(ext)")
            guard let data = FileManager.default.contents(atPath: url.path) else { throw CorpusError.missingSource(url.path) }
            return [UInt8](data)
        }
        return try entries(blockIndex: load("bzs"), verseIndex: load("bzv"), blocks: load("bzz"))
    }

    public static func entries(blockIndex: [UInt8], verseIndex: [UInt8], blocks: [UInt8]) throws -> [String] {
        guard blockIndex.count % 12 == 0, verseIndex.count % 10 == 0 else {
            throw CorpusError.malformed(format: "SWORD zText", detail: "index sizes \(blockIndex.count)/\(verseIndex.count) are not multiples of 12/10")
        }
        var decompressed: [[UInt8]] = []
        for record in stride(from: 0, to: blockIndex.count, by: 12) {
            let start = Int(littleEndian32(blockIndex, record)), size = Int(littleEndian32(blockIndex, record + 4))
            let expected = Int(littleEndian32(blockIndex, record + 8))
            guard start + size <= blocks.count else {
                throw CorpusError.malformed(format: "SWORD zText", detail: "block \(record / 12) exceeds the data file")
            }
            let block = [UInt8](try Zlib.inflate(Data(blocks[start..<start + size]), expectedSize: expected))
            decompressed.append(block)
        }
        var result: [String] = []
        result.reserveCapacity(verseIndex.count / 10)
        for record in stride(from: 0, to: verseIndex.count, by: 10) {
            let block = Int(littleEndian32(verseIndex, record)), start = Int(littleEndian32(verseIndex, record + 4))
            let size = Int(verseIndex[record + 8]) | Int(verseIndex[record + 9]) << 8
            if size == 0 { result.append(""); continue }
            guard block < decompressed.count, start + size <= decompressed[block].count else {
                throw CorpusError.malformed(format: "SWORD zText", detail: "slot \(record / 10) points outside block \(block)")
            }
            result.append(String(decoding: decompressed[block][start..<start + size], as: UTF8.self))
        }
        return result
    }

    /// Numbered verses of both testaments. A `<chapter osisID="Book.N">` entry starts a chapter; a
    /// book `<div type="book" sID=…>` entry is a book intro (no verses until the next chapter).
    public static func verses(directory: URL) throws -> [Verse] {
        var verses: [Verse] = []
        for testament in ["ot", "nt"] {
            verses += numberVerses(try entries(directory: directory, testament: testament))
        }
        return verses
    }

    public static func numberVerses(_ entries: [String]) -> [Verse] {
        var verses: [Verse] = []
        var book = "", chapter: Int? = nil, verse = 0
        for entry in entries {
            if let (name, number) = chapterStart(entry) {
                book = name; chapter = number; verse = 0
                continue
            }
            if isBookStart(entry) { chapter = nil; continue }
            guard let chapter else { continue }
            verse += 1
            let text = OSIS.plainText(entry)
            if !text.isEmpty { verses.append(Verse(book: book, chapter: chapter, verse: verse, text: text)) }
        }
        return verses
    }

    private static func chapterStart(_ entry: String) -> (String, Int)? {
        for tag in OSIS.tags(in: entry) where tag.name == "chapter" {
            guard let id = tag.attributes["osisID"], let dot = id.lastIndex(of: "."),
                  let number = Int(id[id.index(after: dot)...]) else { continue }
            return (String(id[..<dot]), number)
        }
        return nil
    }

    private static func isBookStart(_ entry: String) -> Bool {
        OSIS.tags(in: entry).contains { $0.name == "div" && $0.attributes["type"] == "book" && $0.attributes["sID"] != nil && $0.attributes["osisID"] != nil }
    }

    private static func littleEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}

/// Just enough OSIS XML handling for verse text: tags and their attributes, and tag stripping.
public enum OSIS {
    public struct Tag: Equatable {
        public let name: String
        public let isClosing: Bool
        public let attributes: [String: String]
    }

    /// Start/end tags in order of appearance.
    public static func tags(in text: String) -> [Tag] {
        var result: [Tag] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            result.append(parseTag(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return result
    }

    /// Verse text: footnotes (`<note>`) and headings (`<title>`) removed with their contents, other
    /// markup dropped, pilcrows removed, whitespace collapsed.
    public static func plainText(_ entry: String) -> String {
        var output = ""
        var skipping: [String] = []  // open note/title elements being skipped
        var rest = Substring(entry)
        while !rest.isEmpty {
            guard let open = rest.firstIndex(of: "<") else {
                if skipping.isEmpty { output += rest }
                break
            }
            if skipping.isEmpty { output += rest[..<open] }
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let body = rest[rest.index(after: open)..<close]
            let tag = parseTag(body)
            if tag.name == "note" || tag.name == "title" {
                if tag.isClosing {
                    if skipping.last == tag.name { skipping.removeLast() }
                } else if !body.hasSuffix("/") {
                    skipping.append(tag.name)
                }
            }
            rest = rest[rest.index(after: close)...]
        }
        output = output.replacingOccurrences(of: "\u{00B6}", with: "")
        return output.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func parseTag(_ body: Substring) -> Tag {
        var body = body
        let isClosing = body.hasPrefix("/")
        if isClosing { body = body.dropFirst() }
        let nameEnd = body.firstIndex(where: { $0.isWhitespace || $0 == "/" }) ?? body.endIndex
        let name = String(body[..<nameEnd])
        var attributes: [String: String] = [:]
        var rest = body[nameEnd...]
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces)
            let afterEquals = rest[rest.index(after: equals)...]
            guard let quote = afterEquals.first, quote == "\"" || quote == "'" else { break }
            let valueStart = afterEquals.index(after: afterEquals.startIndex)
            guard let valueEnd = afterEquals[valueStart...].firstIndex(of: quote) else { break }
            attributes[key] = String(afterEquals[valueStart..<valueEnd])
            rest = afterEquals[afterEquals.index(after: valueEnd)...]
        }
        return Tag(name: name, isClosing: isClosing, attributes: attributes)
    }
}
