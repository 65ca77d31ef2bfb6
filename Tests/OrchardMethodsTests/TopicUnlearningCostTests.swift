import Testing
@testable import OrchardMethods

/// Spec §6.1 check 5: unlearning time for |S_f| = 10 does not grow with m (40k within 1.5× of 10k, same
/// n and r) while retraining time grows with m. Best-of-3 timings, to tolerate a busy machine.
@Suite struct TopicUnlearningCostTests {
    @Test func unlearningCostIsIndependentOfCorpusSize() throws {
        let truth = SyntheticTopicCorpus.separableTopics(vocabularySize: 400, topicCount: 8, anchorMass: 0.05, beta: 1, seed: 5)
        let corpus = SyntheticTopicCorpus.sample(topicWord: truth, vocabularySize: 400, topicCount: 8, alpha: 0.1,
                                                 documentCount: 40_000, length: { _ in 20 }, seed: 6)
        let config = TopicModelConfig(topicCount: 8, tokenizer: SyntheticTopicCorpus.tokenizer, minDocumentFrequency: 1,
                                      maxVocabularySize: 400)
        let rows = try TopicUnlearningBenchmark.run(corpus: corpus, sizes: [10_000, 40_000], config: config, forgetCount: 10, repeats: 3)
        for row in rows { print(TopicUnlearningBenchmark.markdownRow(row)) }
        #expect(rows[0].vocabularySize == rows[1].vocabularySize)
        #expect(rows[1].unlearnSeconds <= 1.5 * rows[0].unlearnSeconds)
        #expect(rows[1].retrainSeconds >= 2 * rows[0].retrainSeconds)
        #expect(rows.allSatisfy { $0.anchorsEqual && $0.maxAbsDifference <= 1e-6 })
    }
}
