import Foundation
import Testing
@testable import OrchardCorpus

@Suite struct SwordZTextTests {
    /// Builds a one-testament module with two zlib blocks: slots are module header, testament header,
    /// book intro, chapter 1 heading, verses 1-2, chapter 2 heading, verse 1 (in block 1).
    func tinyModule() throws -> (bzs: [UInt8], bzv: [UInt8], bzz: [UInt8]) {
        let slots0 = ["", "", "<div osisID=\"Gen\" sID=\"b1\" type=\"book\"/><title type=\"main\">GENESIS</title>",
                      "<chapter osisID=\"Gen.1\" sID=\"c1\"/>",
                      "<w lemma=\"strong:H07225\">In the beginning</w> God created<note type=\"x\">a footnote</note> the heaven.",
                      "\u{00B6}And the earth   was\nwithout form."]
        let slots1 = ["<chapter osisID=\"Gen.2\"/>", "Thus the heavens <transChange type=\"added\">were</transChange> finished."]
        var bzz: [UInt8] = [], bzs: [UInt8] = [], bzv: [UInt8] = []
        for (blockNumber, slots) in [slots0, slots1].enumerated() {
            var block: [UInt8] = []
            for slot in slots {
                let bytes = Array(slot.utf8)
                bzv += Fixtures.littleEndian32(blockNumber) + Fixtures.littleEndian32(block.count) + [UInt8(bytes.count & 0xff), UInt8(bytes.count >> 8)]
                block += bytes
            }
            let compressed = [UInt8](try Zlib.deflate(Data(block)))
            bzs += Fixtures.littleEndian32(bzz.count) + Fixtures.littleEndian32(compressed.count) + Fixtures.littleEndian32(block.count)
            bzz += compressed
        }
        return (bzs, bzv, bzz)
    }

    @Test func readsSlotsAndNumbersVerses() throws {
        let module = try tinyModule()
        let entries = try SwordZText.entries(blockIndex: module.bzs, verseIndex: module.bzv, blocks: module.bzz)
        #expect(entries.count == 8)
        let verses = SwordZText.numberVerses(entries)
        #expect(verses == [
            .init(book: "Gen", chapter: 1, verse: 1, text: "In the beginning God created the heaven."),
            .init(book: "Gen", chapter: 1, verse: 2, text: "And the earth was without form."),
            .init(book: "Gen", chapter: 2, verse: 1, text: "Thus the heavens were finished."),
        ])
    }

    @Test func rejectsInconsistentIndexes() throws {
        let module = try tinyModule()
        #expect(throws: CorpusError.self) { try SwordZText.entries(blockIndex: Array(module.bzs.dropLast()), verseIndex: module.bzv, blocks: module.bzz) }
        var badVerse = module.bzv
        badVerse[10 * 4 + 4] = 0xff  // offset of slot 4 far outside its block
        #expect(throws: CorpusError.self) { try SwordZText.entries(blockIndex: module.bzs, verseIndex: badVerse, blocks: module.bzz) }
    }

    @Test func osisPlainTextDropsNotesAndTitlesWithContents() {
        #expect(OSIS.plainText("<title>Heading</title>Blessed <note n=\"a\">see <w>x</w></note>are the meek.") == "Blessed are the meek.")
        #expect(OSIS.plainText("<note/>kept") == "kept")
        let tags = OSIS.tags(in: "<chapter osisID='John.3' sID=\"x\"/>")
        #expect(tags.first?.attributes == ["osisID": "John.3", "sID": "x"])
    }

    @Test(.enabled(if: Fixtures.downloadedPackage("sword-text-kjv") != nil, "needs a real corpus run's download cache"))
    func realKJVHasTheCanonicalVerseCount() throws {
        let root = try #require(Fixtures.downloadedPackage("sword-text-kjv"))
        let verses = try SwordZText.verses(directory: root.appendingPathComponent("usr/share/sword/modules/texts/ztext/engKJV2006eb"))
        #expect(verses.count == 31_102)
        let john316 = verses.first { $0.book == "John" && $0.chapter == 3 && $0.verse == 16 }
        #expect(john316?.text.hasPrefix("For God so loved the world") == true)
    }
}
