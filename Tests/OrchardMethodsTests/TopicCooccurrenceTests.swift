import Testing
@testable import OrchardMethods

/// Spec §6.1 checks 1 and 2: properties of Q_d and Q̂, and "downdate == rebuild".
@Suite struct TopicCooccurrenceTests {
    @Test func perDocumentEstimatorSumsToOneAndIsSymmetricNonNegative() throws {
        let bag = BagOfWords(occurrences: [0, 3, 3, 5, 5, 5, 1, 0, 3])
        let n = 6
        let q = try #require(CooccurrenceStatistics.documentEstimator(bag, vocabularySize: n))
        #expect(abs(q.reduce(0, +) - 1) <= 1e-12)
        for i in 0..<n { for j in 0..<n { #expect(q[i * n + j] == q[j * n + i]); #expect(q[i * n + j] >= 0) } }
        // Word 1 occurs once: its diagonal is c(c-1) = 0.
        #expect(q[1 * n + 1] == 0)
        #expect(q[5 * n + 5] == 6.0 / 72.0)
    }

    @Test func corpusEstimateSumsToOneAndShortDocumentsAreExcluded() throws {
        let vocab = try TopicVocabulary(words: ["alpha", "beta", "gamma"], tokenizer: TopicTokenizer(stopWords: []))
        var stats = CooccurrenceStatistics(vocabularySize: 3)
        let addedFirst = stats.add(vocab.bagOfWords("alpha beta gamma beta"))
        let addedSecond = stats.add(vocab.bagOfWords("gamma gamma"))
        #expect(addedFirst && addedSecond)
        let before = stats
        let addedSingle = stats.add(vocab.bagOfWords("alpha"))           // n_d = 1: 0/0, excluded
        let addedUnknown = stats.add(vocab.bagOfWords("unknown words"))  // n_d = 0 in vocabulary
        #expect(!addedSingle && !addedUnknown)
        #expect(stats == before)
        #expect(stats.documentCount == 2)
        #expect(abs(try stats.estimate().reduce(0, +) - 1) <= 1e-12)
        #expect(stats.documentFrequency == [1, 1, 2])
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func downdateEqualsRebuildOnRealText() throws {
        let docs = TopicFixtures.dpkgDocuments
        let vocab = try TopicVocabulary.build(documents: docs, tokenizer: TopicTokenizer(), minDocumentFrequency: 3, maxSize: 800)
        var full = CooccurrenceStatistics(vocabularySize: vocab.count)
        for d in docs { full.add(vocab.bagOfWords(d.text)) }
        #expect(abs(try full.estimate().reduce(0, +) - 1) <= 1e-12)
        for (fraction, seed) in [(0.01, 1), (0.05, 2), (0.10, 3)] as [(Double, UInt64)] {
            let forget = TopicFixtures.forgetSet(docs, count: Int(Double(docs.count) * fraction), seed: seed)
            var downdated = full
            for d in forget { downdated.remove(vocab.bagOfWords(d.text)) }
            var rebuilt = CooccurrenceStatistics(vocabularySize: vocab.count)
            for d in TopicFixtures.removing(forget, from: docs) { rebuilt.add(vocab.bagOfWords(d.text)) }
            #expect(downdated.documentCount == rebuilt.documentCount)
            #expect(downdated.documentFrequency == rebuilt.documentFrequency)
            #expect(TopicFixtures.maxAbsDifference(downdated.denseSum(), rebuilt.denseSum()) <= 1e-12)
        }
    }
}
