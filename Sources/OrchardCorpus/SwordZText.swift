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
/// Works on UTF-8 bytes: the KJV wraps nearly every word in a Strong's-number tag, and
/// Character-level scanning made this the slowest step of the scripture domain.
public enum OSIS {
    public struct Tag: Equatable {
        public let name: String
        public let isClosing: Bool
        public let attributes: [String: String]
    }

    private static let lessThan = UInt8(ascii: "<"), greaterThan = UInt8(ascii: ">"), slash = UInt8(ascii: "/")

    /// Start/end tags in order of appearance.
    public static func tags(in text: String) -> [Tag] {
        let bytes = Array(text.utf8)
        var result: [Tag] = []
        var index = 0
        while let open = bytes[index...].firstIndex(of: lessThan), let close = bytes[open...].firstIndex(of: greaterThan) {
            result.append(parseTag(bytes[(open + 1)..<close]))
            index = close + 1
        }
        return result
    }

    /// Verse text: footnotes (`<note>`) and headings (`<title>`) removed with their contents, other
    /// markup dropped, pilcrows removed, whitespace collapsed.
    public static func plainText(_ entry: String) -> String {
        let bytes = Array(entry.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var skipping: [String] = []  // open note/title elements being skipped
        var pendingSpace = false
        var index = 0
        func emit(_ byte: UInt8) {
            if byte == 32 || (9...13).contains(byte) { pendingSpace = !output.isEmpty; return }
            if pendingSpace { output.append(32); pendingSpace = false }
            output.append(byte)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == lessThan, let close = bytes[index...].firstIndex(of: greaterThan) {
                let body = bytes[(index + 1)..<close]
                let name = tagName(body)
                if name == "note" || name == "title" {
                    if body.first == slash {
                        if skipping.last == name { skipping.removeLast() }
                    } else if body.last != slash {
                        skipping.append(name)
                    }
                }
                index = close + 1
                continue
            }
            if skipping.isEmpty {
                if byte == 0xC2, index + 1 < bytes.count, bytes[index + 1] == 0xB6 { index += 2; continue }  // pilcrow
                emit(byte)
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (9...13).contains(byte) }

    private static func tagName(_ body: ArraySlice<UInt8>) -> String {
        var start = body.startIndex
        if start < body.endIndex, body[start] == slash { start += 1 }
        var end = start
        while end < body.endIndex, !isSpace(body[end]), body[end] != slash { end += 1 }
        return String(decoding: body[start..<end], as: UTF8.self)
    }

    private static func parseTag(_ body: ArraySlice<UInt8>) -> Tag {
        let isClosing = body.first == slash
        let name = tagName(body)
        var attributes: [String: String] = [:]
        var index = body.startIndex + (isClosing ? 1 : 0) + name.utf8.count
        while let equals = body[index...].firstIndex(of: UInt8(ascii: "=")) {
            var keyStart = index, keyEnd = equals
            while keyStart < keyEnd, isSpace(body[keyStart]) { keyStart += 1 }
            while keyEnd > keyStart, isSpace(body[keyEnd - 1]) { keyEnd -= 1 }
            let quoteAt = equals + 1
            guard quoteAt < body.endIndex, body[quoteAt] == UInt8(ascii: "\"") || body[quoteAt] == UInt8(ascii: "'") else { break }
            guard let valueEnd = body[(quoteAt + 1)...].firstIndex(of: body[quoteAt]) else { break }
            attributes[String(decoding: body[keyStart..<keyEnd], as: UTF8.self)] = String(decoding: body[(quoteAt + 1)..<valueEnd], as: UTF8.self)
            index = valueEnd + 1
        }
        return Tag(name: name, isClosing: isClosing, attributes: attributes)
    }
}
