import Foundation
import Testing
@testable import OrchardCorpus
import OrchardTensor

/// The preference-pair sets of `orchard corpus preferences` (docs/data.md, "Preference pairs"):
/// the single-token rule and the verse-pair format on hand-written text, the pair JSONL against the
/// dataset upload's rules, continuation pairs on a hand-written book and on this machine's licence
/// texts, and (when a real run's download cache holds the SWORD modules) the real KJV ↔ WEB alignment.
@Suite struct PreferencePairsTests {
    /// The fields of the server's pair record (`OrchardJobs.PreferencePair`), decoded from each line.
    struct ServerPair: Decodable, Equatable { let id: String, prompt: String, chosen: String, rejected: String }

    /// Every line checked as `DatasetImport` does for `POST /v1/datasets`: a JSON object holding exactly
    /// id, prompt, chosen and rejected as non-empty strings, id ≤ 256 bytes and unique.
    static func checkUploadable(_ url: URL) throws -> [ServerPair] {
        let data = try #require(FileManager.default.contents(atPath: url.path))
        #expect(data.last == UInt8(ascii: "\n"))
        var ids = Set<String>(), pairs: [ServerPair] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            #expect(String(validating: line, as: UTF8.self) != nil)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            #expect(Set(object.keys) == ["id", "prompt", "chosen", "rejected"])
            for value in object.values { #expect((value as? String)?.isEmpty == false) }
            let pair = try JSONDecoder().decode(ServerPair.self, from: Data(line))
            #expect(pair.id.utf8.count <= 256)
            #expect(ids.insert(pair.id).inserted, "duplicate id \(pair.id)")
            #expect(pair.chosen != pair.rejected, "\(pair.id)")
            pairs.append(pair)
        }
        return pairs
    }

    // MARK: single-token rule

    @Test func singleTokenPairsAreTheFirstDivergingWordsAfterASharedPrefix() {
        typealias S = ScripturePairs.SingleToken
        func rule(_ a: String, _ b: String, _ minimum: Int = 3) -> S { ScripturePairs.singleToken(chosen: a, rejected: b, minSharedWords: minimum) }
        #expect(rule("And he said to them, Go", "And he said unto them, Go") == .pair(prefix: ["And", "he", "said"], chosen: "to", rejected: "unto"))
        // Only two shared words: not enough at the default minimum, enough at 2.
        #expect(rule("I say to you", "I say unto you") == .tooShort)
        #expect(rule("I say to you", "I say unto you", 2) == .pair(prefix: ["I", "say"], chosen: "to", rejected: "unto"))
        #expect(rule("For God so loved the world", "For  God so\tloved the world") == .tooShort)  // identical words
        // Punctuation after the diverging word is not part of it; inner apostrophes are.
        #expect(rule("then he said that you, being", "then he said that ye, being") == .pair(prefix: ["then", "he", "said", "that"], chosen: "you", rejected: "ye"))
        #expect(rule("then he said he doesn’t know", "then he said he knoweth not") == .pair(prefix: ["then", "he", "said", "he"], chosen: "doesn’t", rejected: "knoweth"))
        // Divergences that are not a change of word.
        #expect(rule("Then in the beginning, God created", "Then in the beginning God created") == .skipped("same-letters"))
        #expect(rule("And God said, “Let there be", "And God said, Let there be") == .skipped("punctuation"))
        #expect(rule("and then the Lord said", "and then the LORD said") == .skipped("case-only"))
        #expect(rule("one two three", "one two three four") == .skipped("end"))
        #expect(ScripturePairs.leadingWord("Yahweh’s,") == "Yahweh’s")
        #expect(ScripturePairs.leadingWord("unto:") == "unto")
        #expect(ScripturePairs.leadingWord("“Let") == nil)
        #expect(ScripturePairs.leadingWord("o'") == "o")
    }

    @Test func versePairsQuoteThePrecedingVersesAndTheReference() throws {
        func v(_ book: String, _ c: Int, _ n: Int, _ text: String) -> SwordZText.Verse { .init(book: book, chapter: c, verse: n, text: text) }
        let kjv = [
            v("Gen", 1, 1, "In the beginning God created the heaven and the earth."),
            v("Gen", 1, 2, "And the earth was without form, and void."),
            v("Gen", 1, 3, "And God said unto them, Let there be light."),
            v("Gen", 1, 4, "And God saw the light."),           // identical in both: dropped
            v("Gen", 1, 5, "And God called the light Day."),    // missing in the WEB: dropped
            v("Rom", 14, 23, "And he that doubteth is damned."),
        ]
        let web = [
            v("Gen", 1, 1, "In the beginning, God created the heavens and the earth."),
            v("Gen", 1, 2, "The earth was formless and empty."),
            v("Gen", 1, 3, "And God said to them, “Let there be light.”"),
            v("Gen", 1, 4, "And God  saw the light."),
            v("Rom", 14, 23, "But he who doubts is condemned. Now to him who is able to establish you according to my Good News, to the only wise God, be the glory forever and ever, amen and amen."),
        ]
        let output = ScripturePairs.build(kjv: kjv, web: web)
        #expect(output.pairs.map(\.id) == ["kjv_web/Gen.1.1", "kjv_web/Gen.1.2", "kjv_web/Gen.1.3"])
        #expect(output.counts == ScripturePairs.Counts(kjvVerses: 6, webVerses: 5, aligned: 5, identical: 1, lengthMismatch: 1, pairs: 3,
                                                       sharedPrefixPairs: 1, singleToken: 1, singleTokenSkipped: [:]))
        #expect(output.pairs[0] == PreferencePairRecord(id: "kjv_web/Gen.1.1", prompt: "Genesis 1:1",
                                                        chosen: " In the beginning, God created the heavens and the earth.",
                                                        rejected: " In the beginning God created the heaven and the earth."))
        #expect(output.pairs[1].prompt == "Genesis 1:1 In the beginning, God created the heavens and the earth.\nGenesis 1:2")
        #expect(output.pairs[2].prompt == "Genesis 1:1-2 In the beginning, God created the heavens and the earth. The earth was formless and empty.\nGenesis 1:3")
        #expect(output.singleToken == [PreferencePairRecord(
            id: "kjv_web_single_token/Gen.1.3", prompt: output.pairs[2].prompt + " And God said", chosen: " to", rejected: " unto")])
        let one = ScripturePairs.build(kjv: kjv, web: web, options: .init(contextVerses: 1))
        #expect(one.pairs[2].prompt == "Genesis 1:2 The earth was formless and empty.\nGenesis 1:3")
        #expect(ScripturePairs.build(kjv: kjv, web: web, options: .init(contextVerses: 0)).pairs[2].prompt == "Genesis 1:3")
        #expect(ScripturePairs.bookName("1Cor") == "1 Corinthians" && ScripturePairs.bookName("Ps") == "Psalm")
    }

    @Test func chapterEndMarkersEndAVerse() {
        let last = "saints. Amen. <chapter eID=\"Rev.22\"/><div eID=\"x\" type=\"x-p\"/> <div canonical=\"true\" eID=\"g\" osisID=\"Rev\" type=\"book\"/> <div sID=\"q\" type=\"glossary\"/> The following words"
        #expect(SwordZText.cutAtChapterEnd(last) == "saints. Amen. ")
        #expect(SwordZText.cutAtChapterEnd("text <div eID=\"p\" type=\"x-p\"/> more") == "text <div eID=\"p\" type=\"x-p\"/> more")
        let start = "<chapter n=\"1\" osisID=\"Matt.1\" sID=\"Matt.1\"/>"
        #expect(SwordZText.cutAtChapterEnd(start) == start)
        // A footnote between two words separates them.
        #expect(OSIS.plainText(SwordZText.spaceOutNotes("<w>God</w><note placement=\"foot\">or, <w>x</w></note><w>created</w> it.<note n=\"b\"/>")) == "God created it.")
        #expect(OSIS.plainText(SwordZText.spaceOutNotes("A<title type=\"x\">Heading</title>B")) == "A B")
    }

    // MARK: pair JSONL

    @Test func pairLinesFollowTheUploadRulesAndAreWrittenAtomically() throws {
        let directory = try Fixtures.temporaryDirectory("pairs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("p.jsonl")
        let pairs = [
            PreferencePairRecord(id: "a/1", prompt: "Line one\nGenesis 1:1", chosen: " “quoted” \\ tab\t", rejected: " plain"),
            PreferencePairRecord(id: "a/2", prompt: "p", chosen: " x", rejected: " y"),
        ]
        let written = try PreferencePairLines.write(pairs, to: url)
        #expect(PreferencePairLines.line(pairs[1]) == "{\"id\":\"a/2\",\"prompt\":\"p\",\"chosen\":\" x\",\"rejected\":\" y\"}\n")
        #expect(try PreferencePairLines.read(url) == pairs)
        #expect(try Self.checkUploadable(url).count == 2)
        #expect(written.sha256 == (try SHA256Hasher.hexDigest(ofFile: url)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["p.jsonl"])  // no temporary left
        // Refused: a repeated id, chosen == rejected, an empty field. The old file stays as it was.
        #expect(throws: CorpusError.self) { try PreferencePairLines.write(pairs + [pairs[0]], to: url) }
        #expect(throws: CorpusError.self) { try PreferencePairLines.write([PreferencePairRecord(id: "b", prompt: "p", chosen: " z", rejected: " z")], to: url) }
        #expect(throws: CorpusError.self) { try PreferencePairLines.write([PreferencePairRecord(id: "b", prompt: "", chosen: " z", rejected: " y")], to: url) }
        #expect(try PreferencePairLines.read(url) == pairs)
        // The reader applies the upload's rules.
        try Data("{\"id\":\"x\",\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\",\"domain\":\"d\"}\n".utf8).write(to: url)
        #expect(throws: CorpusError.self) { try PreferencePairLines.read(url) }
    }

    @Test func missingPackageErrorNamesThePackageAndHowToGetIt() {
        let error = PreferencePairCorpus.missingPackage("sword-text-web", what: "World English Bible", path: "usr/share/sword/modules/texts/ztext/engWEB2015eb",
                                                        underlying: CorpusError.missingSource("Debian package sword-text-web is not in the apt lists"))
        #expect(error.description.contains("Debian package sword-text-web"))
        #expect(error.description.contains("apt-get install sword-text-web"))
        #expect(error.description.contains("apt-get download sword-text-web"))
    }

    // MARK: continuation pairs

    /// Six paragraphs sharing their first six words, with different continuations naming Emma and Harriet.
    static let handWrittenBook: ContinuationPairs.Book = {
        var paragraphs: [(id: String, text: String)] = []
        let things = ["weather", "garden", "letter", "visit", "dinner", "music"]
        for index in 0..<6 {
            let (first, second) = index % 2 == 0 ? ("Emma", "Harriet") : ("Harriet", "Emma")
            paragraphs.append(("book/0.\(index)", """
                It was a fine morning, and \(first) said that \(second) was not pleased with the \(things[index]) at all, \
                but she did not say so to anyone in the house. Paragraph number \(index) ends here.
                """))
        }
        paragraphs.append(("book/0.6", "Too short."))
        return ContinuationPairs.Book(name: "book", paragraphTexts: paragraphs)
    }()

    @Test func continuationPairsHaveThreeGradesPerPromptAndAreSeeded() throws {
        let other: [[String]] = [ScripturePairs.words("In the beginning God created the heavens and the earth and the earth was formless and empty and darkness was on the surface")]
        let options = ContinuationPairs.Options(promptWords: 6, continuationWords: 10, prompts: 0, seed: 7)
        let (pairs, counts) = try ContinuationPairs.build(books: [Self.handWrittenBook], otherDomain: other, options: options)
        #expect(counts.paragraphs == 7 && counts.eligibleParagraphs == 6 && counts.prompts == 6)
        #expect(counts.byGrade[ContinuationPairs.otherDomainGrade] == 6)
        #expect(counts.byGrade[ContinuationPairs.sameSourceGrade] == 6)
        #expect(counts.byGrade.filter { $0.key.hasPrefix("g3-edit-") }.values.reduce(0, +) == 6)
        #expect(pairs.count == 18 && Set(pairs.map(\.id)).count == 18)
        #expect(pairs.map(\.id) == pairs.map(\.id).sorted())
        for pair in pairs {
            #expect(pair.chosen != pair.rejected)
            #expect(pair.prompt == "It was a fine morning, and")
            #expect(pair.rejected.hasPrefix(" ") && pair.rejected.split(separator: " ").count >= 9)
        }
        let chosen = try #require(pairs.first { $0.id == "continuation/book/0.2/g2-same-source" }?.chosen)
        #expect(chosen == " Emma said that Harriet was not pleased with the letter")
        let g1 = try #require(pairs.first { $0.id == "continuation/book/0.0/g1-other-domain" })
        #expect(other[0].joined(separator: " ").contains(g1.rejected.dropFirst()))
        for pair in pairs where pair.id.hasSuffix("/g3-edit-not") { #expect(pair.rejected == pair.chosen.replacingOccurrences(of: " not", with: "")) }
        for pair in pairs where pair.id.hasSuffix("/g3-edit-entity") {
            #expect(pair.rejected.hasPrefix(" Harriet said that Harriet") || pair.rejected.hasPrefix(" Emma said that Emma"))
        }
        // Same seed, same pairs; another seed picks other rejections.
        #expect(try ContinuationPairs.build(books: [Self.handWrittenBook], otherDomain: other, options: options).pairs == pairs)
        var reseeded = options
        reseeded.seed = 8
        #expect(try ContinuationPairs.build(books: [Self.handWrittenBook], otherDomain: other, options: reseeded).pairs != pairs)
        // A cap on prompts keeps whole prompts (all of their grades).
        var capped = options
        capped.prompts = 2
        let few = try ContinuationPairs.build(books: [Self.handWrittenBook], otherDomain: other, options: capped)
        #expect(few.counts.prompts == 2 && few.pairs.count == 6)
    }

    @Test func localEditsChangeOneThing() {
        let statistics = ContinuationPairs.BookStatistics(Self.handWrittenBook)
        #expect(statistics.people == ["Emma", "Harriet"] && statistics.places.isEmpty)
        let words = ScripturePairs.words("said that Emma was not pleased, and Emma's friend")
        #expect(ContinuationPairs.Edit.entity.apply(words, statistics) == ScripturePairs.words("said that Harriet was not pleased, and Harriet's friend"))
        #expect(ContinuationPairs.Edit.not.apply(words, statistics) == ScripturePairs.words("said that Emma was pleased, and Emma's friend"))
        #expect(ContinuationPairs.Edit.not.apply(ScripturePairs.words("she was pleased"), statistics) == ScripturePairs.words("she was not pleased"))
        #expect(ContinuationPairs.Edit.not.apply(ScripturePairs.words("she had heard it"), statistics) == ScripturePairs.words("she had not heard it"))
        #expect(ContinuationPairs.Edit.not.apply(ScripturePairs.words("wished to have it done"), statistics) == nil)
        #expect(ContinuationPairs.Edit.not.apply(ScripturePairs.words("she had a fine day"), statistics) == nil)
        // The hand-written book has fewer than 100 word types, so the frequency-neighbour edit never applies.
        #expect(ContinuationPairs.Edit.word.apply(words, statistics) == nil)
        let parts = ContinuationPairs.TokenParts("“Darcy’s,")
        #expect(parts.lead == "“" && parts.word == "Darcy" && parts.rest == "’s,")
        // Places (names mostly after at/in/to/…) are swapped with places; "Mr." does not end a sentence.
        let text = (0..<5).map { _ in "They dined at Hartfield with Mr. Elton and went to London with Mr. Knightley, and Mr. Knightley was glad." }
        let book = ContinuationPairs.Book(name: "b", paragraphTexts: text.enumerated().map { ("b/\($0.offset)", $0.element) })
        let places = ContinuationPairs.BookStatistics(book)
        #expect(places.places == ["Hartfield", "London"] && places.people == ["Knightley", "Elton"])
        #expect(ContinuationPairs.Edit.entity.apply(ScripturePairs.words("went to London, with"), places) == ScripturePairs.words("went to Hartfield, with"))
        #expect(ContinuationPairs.Edit.entity.apply(ScripturePairs.words("saw Mr. Elton"), places) == ScripturePairs.words("saw Mr. Knightley"))
    }

    @Test func continuationPairsFromThisMachinesLicenceTexts() throws {
        let books = PreferencePairCorpus.licenseBooks(root: URL(fileURLWithPath: "/usr/share/common-licenses"))
        #expect(books.count >= 5)
        let other = [ScripturePairs.words(String(repeating: "and the earth was formless and empty ", count: 4))]
        let (pairs, counts) = try ContinuationPairs.build(books: books, otherDomain: other, options: .init(prompts: 0))
        #expect(counts.prompts >= 50)
        for grade in [ContinuationPairs.otherDomainGrade, ContinuationPairs.sameSourceGrade] { #expect((counts.byGrade[grade] ?? 0) >= 50) }
        #expect(counts.byGrade.keys.contains { $0.hasPrefix("g3-edit-") })
        let directory = try Fixtures.temporaryDirectory("licence-pairs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(PreferencePairCorpus.continuationFile)
        try PreferencePairLines.write(pairs, to: url)
        #expect(try Self.checkUploadable(url).count == pairs.count)
    }

    // MARK: real SWORD modules

    static var swordModules: (kjv: URL, web: URL)? {
        guard let kjv = Fixtures.downloadedPackage("sword-text-kjv"), let web = Fixtures.downloadedPackage("sword-text-web") else { return nil }
        return (kjv.appendingPathComponent("usr/share/sword/modules/texts/ztext/engKJV2006eb"),
                web.appendingPathComponent("usr/share/sword/modules/texts/ztext/engWEB2015eb"))
    }

    @Test(.enabled(if: swordModules != nil, "needs sword-text-kjv and sword-text-web in data/corpus/sources (run `orchard corpus preferences`)"))
    func realKJVAndWEBAlign() throws {
        let modules = try #require(Self.swordModules)
        let kjv = try SwordZText.versesEndingAtChapterEnd(directory: modules.kjv)
        #expect(kjv == (try SwordZText.verses(directory: modules.kjv)))  // the KJV has no text after chapter ends
        let web = try SwordZText.versesEndingAtChapterEnd(directory: modules.web)
        let output = ScripturePairs.build(kjv: kjv, web: web)
        #expect(output.counts.kjvVerses == 31_102)
        #expect(output.counts.aligned == 31_095)
        #expect(output.counts.identical == 158)
        // data.md counts 4,993 pairs sharing ≥ 3 words; one of them, 1 John 5:7, is dropped here as misaligned.
        #expect(output.counts.sharedPrefixPairs == 4_992)
        #expect(output.pairs.count == 31_095 - 158 - output.counts.lengthMismatch)
        let byID = Dictionary(uniqueKeysWithValues: output.pairs.map { ($0.id, $0) })
        let genesis = try #require(byID["kjv_web/Gen.1.1"])
        #expect(genesis == PreferencePairRecord(id: "kjv_web/Gen.1.1", prompt: "Genesis 1:1",
                                                chosen: " In the beginning, God created the heavens and the earth.",
                                                rejected: " In the beginning God created the heaven and the earth."))
        let john = try #require(byID["kjv_web/John.3.16"])
        #expect(john.chosen.hasPrefix(" For God so loved the world, that he gave his only born Son, that whoever believes in him"))
        #expect(john.rejected == " For God so loved the world, that he gave his only begotten Son, that whosoever believeth in him should not perish, but have everlasting life.")
        #expect(john.prompt.hasPrefix("John 3:14-15 As Moses lifted up the serpent in the wilderness"))
        #expect(john.prompt.hasSuffix("\nJohn 3:16"))
        let last = try #require(byID["kjv_web/Rev.22.21"])
        #expect(!last.chosen.contains("Glossary") && last.chosen.count < 100)
        #expect(byID["kjv_web/Rom.14.23"] == nil)  // the WEB's verse carries the doxology (KJV Rom 16:25-27)
        #expect(byID["kjv_web/1John.5.7"] == nil)  // the WEB has no Comma Johanneum
        #expect(output.counts.lengthMismatch == 2)
        #expect(output.pairs.allSatisfy { $0.chosen != $0.rejected })
        #expect(Set(output.pairs.map(\.id)).count == output.pairs.count)
        let singles = output.singleToken
        #expect(singles.count > 3_000 && Set(singles.map(\.id)).count == singles.count)
        #expect(singles.allSatisfy { $0.chosen != $0.rejected && !$0.chosen.dropFirst().contains(" ") && !$0.rejected.dropFirst().contains(" ") })
        let counts = Dictionary(singles.map { ("\($0.chosen)/\($0.rejected)", 1) }, uniquingKeysWith: +)
        #expect(counts.max { $0.value < $1.value }?.key == " to/ unto")
    }

    @Test(.enabled(if: swordModules != nil && Fixtures.downloadedPackage("r-cran-janeaustenr") != nil,
                   "needs sword-text-kjv, sword-text-web and r-cran-janeaustenr in data/corpus/sources"))
    func realCommandWritesUploadableFiles() throws {
        let directory = try Fixtures.temporaryDirectory("preferences")
        defer { try? FileManager.default.removeItem(at: directory) }
        let options = PreferencePairCorpus.Options(outputDirectory: directory,
                                                   sourceDirectory: Fixtures.packageRoot.appendingPathComponent("data/corpus/sources"),
                                                   continuation: .init(prompts: 300))
        let manifest = try PreferencePairCorpus(options: options, log: { _ in }).build()
        #expect(manifest.outputs.map(\.file) == [PreferencePairCorpus.kjvWebFile, PreferencePairCorpus.singleTokenFile, PreferencePairCorpus.continuationFile])
        for output in manifest.outputs {
            let url = directory.appendingPathComponent(output.file)
            let pairs = try Self.checkUploadable(url)
            #expect(pairs.count == output.pairs && output.pairs > 0)
            #expect(output.sha256 == (try SHA256Hasher.hexDigest(ofFile: url)))
        }
        #expect(manifest.continuation.prompts == 300)
        #expect(manifest.continuation.byGrade[ContinuationPairs.otherDomainGrade] == 300)
        // Deterministic: a second run writes the same bytes.
        let again = try PreferencePairCorpus(options: options, log: { _ in }).build()
        #expect(again.outputs == manifest.outputs)
    }
}
