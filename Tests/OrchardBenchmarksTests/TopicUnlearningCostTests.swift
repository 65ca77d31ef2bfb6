import OrchardBenchmarks
import OrchardMethods
import Testing

/// Spec §6.1 check 5 on a 10k and a 40k corpus with the same n and r: exact unlearning of |S_f| = 10 gives the
/// retrained model. The cost comparison itself (unlearn flat in m, retrain growing with m) is a benchmark, not a
/// timed assertion (timings on a shared 2-core machine are not a pass/fail signal): the rows printed here and
/// `orchard-topic-bench bench` in docs/performance.md.
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
        #expect(rows.allSatisfy { $0.anchorsEqual && $0.maxAbsDifference <= 1e-6 })
    }
}
