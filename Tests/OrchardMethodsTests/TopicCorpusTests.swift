import OrchardCorpus
import Testing
@testable import OrchardMethods

@Suite struct TopicCorpusTests {
    @Test func tokenizerLowercasesSplitsAndDropsStopWordsNumbersAndShortTokens() {
        let t = TopicTokenizer()
        #expect(t.tokens("The GNU C-library provides 64-bit support for x86 Élan, see http://gnu.org!")
                == ["gnu", "bit", "x86", "lan", "http", "gnu", "org"])
        #expect(t.tokens("") == [])
    }

    @Test func vocabularyIsAlphabeticalAndRespectsFrequencyAndSizeLimits() throws {
        let docs = [Document(id: "1", domain: "", text: "zeta alpha beta"), Document(id: "2", domain: "", text: "zeta alpha gamma"),
                    Document(id: "3", domain: "", text: "zeta delta")]
        let v = try TopicVocabulary.build(documents: docs, tokenizer: TopicTokenizer(stopWords: []), minDocumentFrequency: 2, maxSize: 10)
        #expect(v.words == ["alpha", "zeta"])
        let capped = try TopicVocabulary.build(documents: docs, tokenizer: TopicTokenizer(stopWords: []), minDocumentFrequency: 1, maxSize: 3)
        #expect(capped.words == ["alpha", "beta", "zeta"])  // zeta (3), alpha (2), then ties broken alphabetically
        #expect(throws: TopicModelError.self) {
            try TopicVocabulary.build(documents: docs, tokenizer: TopicTokenizer(), minDocumentFrequency: 5, maxSize: 10)
        }
    }
}
