import Foundation
import Testing
@testable import OrchardCorpus

@Suite struct DictdTests {
    @Test func decodesBase64Numbers() {
        #expect(Dictd.decodeNumber("A") == 0)
        #expect(Dictd.decodeNumber("B") == 1)
        #expect(Dictd.decodeNumber("/") == 63)
        #expect(Dictd.decodeNumber("BA") == 64)
        #expect(Dictd.decodeNumber("Bkz") == 1 * 4096 + 36 * 64 + 51)
        #expect(Dictd.decodeNumber("") == nil)
        #expect(Dictd.decodeNumber("a b") == nil)
        for value in [0, 1, 63, 64, 4095, 123_456_789] { #expect(Dictd.decodeNumber(Dictd.encodeNumber(value)) == value) }
    }

    @Test func readsConstructedDictionary() throws {
        let entries = ["apple\n  A fruit.\n", "banana\n  A yellow fruit.\n", "cherry\n  Red.\n"]
        var data = "00-database-info\n  a test dictionary\n"
        var index = "00databaseinfo\tA\t\(Dictd.encodeNumber(data.utf8.count))\n"
        for entry in entries {
            index += "\(entry.split(separator: "\n")[0])\t\(Dictd.encodeNumber(data.utf8.count))\t\(Dictd.encodeNumber(entry.utf8.count))\n"
            if entry.hasPrefix("banana") {  // a second headword for the same entry
                index += "plantain\t\(Dictd.encodeNumber(data.utf8.count))\t\(Dictd.encodeNumber(entry.utf8.count))\n"
            }
            data += entry
        }
        let directory = try Fixtures.temporaryDirectory("dictd")
        defer { try? FileManager.default.removeItem(at: directory) }
        try index.write(to: directory.appendingPathComponent("tiny.index"), atomically: true, encoding: .utf8)
        try Zlib.deflate(Data(data.utf8), gzip: true).write(to: directory.appendingPathComponent("tiny.dict.dz"))
        let read = try Dictd.entries(base: directory.appendingPathComponent("tiny"))
        #expect(read.map(\.headword) == ["apple", "banana", "cherry"])
        #expect(read.map(\.text) == entries)
    }

    @Test func outOfRangeEntryIsAnError() {
        #expect(throws: CorpusError.self) { try Dictd.entries(index: "word\tA\tZZ\n", data: Array("short".utf8)) }
        #expect(throws: CorpusError.self) { try Dictd.entries(index: "word\t!!\tB\n", data: Array("short".utf8)) }
    }

    @Test(.enabled(if: Fixtures.downloadedPackage("dict-jargon") != nil, "needs a real corpus run's download cache"))
    func readsRealJargonFile() throws {
        let root = try #require(Fixtures.downloadedPackage("dict-jargon"))
        let entries = try Dictd.entries(base: root.appendingPathComponent("usr/share/dictd/jargon"))
        #expect(entries.count > 2000)
        #expect(entries.contains { $0.headword.lowercased() == "hacker" && $0.text.contains("hack") })
    }
}
