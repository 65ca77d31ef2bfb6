import Testing
@testable import OrchardMethods

@Suite struct TopicCorpusTests {
    @Test func tokenizerLowercasesSplitsAndDropsStopWordsNumbersAndShortTokens() {
        let t = TopicTokenizer()
        #expect(t.tokens("The GNU C-library provides 64-bit support for x86 Élan, see http://gnu.org!")
                == ["gnu", "bit", "x86", "lan", "http", "gnu", "org"])
        #expect(t.tokens("") == [])
    }

    @Test func dpkgStatusParserJoinsContinuationLinesAndStripsSectionPrefix() {
        let text = """
        Package: foo
        Status: install ok installed
        Section: contrib/net
        Description: network frobnicator
         Frobnicates packets on the wire.
         .
         Second paragraph here.
        Homepage: https://example.org

        Package: bar
        Section: utils
        Description: only a summary

        Package: foo
        Section: net
        Description: duplicate stanza for another architecture
        """
        let docs = DebianStatusCorpus.parse(text)
        #expect(docs.count == 2)
        #expect(docs[0] == TopicDocument(id: "foo", text: "network frobnicator\nFrobnicates packets on the wire.\n\nSecond paragraph here.", label: "net"))
        #expect(docs[1].label == "utils")
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func dpkgCorpusHasLabelledDocuments() {
        let docs = TopicFixtures.dpkgDocuments
        #expect(docs.count >= 100)
        #expect(docs.allSatisfy { $0.label != nil && !$0.text.isEmpty })
    }

    @Test func vocabularyIsAlphabeticalAndRespectsFrequencyAndSizeLimits() throws {
        let docs = [TopicDocument(id: "1", text: "zeta alpha beta"), TopicDocument(id: "2", text: "zeta alpha gamma"),
                    TopicDocument(id: "3", text: "zeta delta")]
        let v = try TopicVocabulary.build(documents: docs, tokenizer: TopicTokenizer(stopWords: []), minDocumentFrequency: 2, maxSize: 10)
        #expect(v.words == ["alpha", "zeta"])
        let capped = try TopicVocabulary.build(documents: docs, tokenizer: TopicTokenizer(stopWords: []), minDocumentFrequency: 1, maxSize: 3)
        #expect(capped.words == ["alpha", "beta", "zeta"])  // zeta (3), alpha (2), then ties broken alphabetically
        #expect(throws: TopicModelError.self) {
            try TopicVocabulary.build(documents: docs, tokenizer: TopicTokenizer(), minDocumentFrequency: 5, maxSize: 10)
        }
    }
}
