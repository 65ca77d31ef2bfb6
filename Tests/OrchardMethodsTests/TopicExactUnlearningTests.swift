import Foundation
import OrchardCorpus
import Testing
@testable import OrchardMethods

/// Spec §6.1 check 3: Mode E (zero noise) equals retraining from scratch without the forget set, for
/// ≥ 5 random forget sets of 1%, 5% and 10% — on real text (dpkg status) and on a synthetic corpus.
@Suite struct TopicExactUnlearningTests {
    static func checkUnlearnEqualsRetrain(docs: [Document], config: TopicModelConfig, seeds: Range<UInt64>) throws {
        let model = try TopicModelTrainer.train(documents: docs, config: config)
        for fraction in [0.01, 0.05, 0.10] {
            for seed in seeds {
                let forget = TopicFixtures.forgetSet(docs, count: max(1, Int(Double(docs.count) * fraction)), seed: seed)
                let (unlearned, report) = try model.unlearn(documents: forget, mode: .exact)
                let retrained = try TopicModelTrainer.train(documents: TopicFixtures.removing(forget, from: docs),
                                                            vocabulary: model.vocabulary, config: config)
                #expect(unlearned.anchors == retrained.anchors)
                #expect(TopicFixtures.maxAbsDifference(unlearned.topicWord, retrained.topicWord) <= 1e-6)
                #expect(TopicFixtures.maxAbsDifference(unlearned.topicTopic, retrained.topicTopic) <= 1e-6)
                #expect(unlearned.statistics.documentCount == retrained.statistics.documentCount)
                #expect(report.mode == .exact && report.guarantee == .exactGivenVocabulary)   // vocabulary chosen from the data
                #expect(report.release.noiseStandardDeviation == 0)
                #expect(unlearned.documentCount == docs.count - forget.count)
            }
        }
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func exactUnlearningEqualsRetrainingOnRealText() throws {
        try Self.checkUnlearnEqualsRetrain(docs: TopicFixtures.dpkgDocuments, config: TopicFixtures.dpkgConfig, seeds: 10..<15)
    }

    @Test func exactUnlearningEqualsRetrainingOnSyntheticCorpus() throws {
        let corpus = SyntheticTopicCorpus(vocabularySize: 150, topicCount: 5, alpha: 0.1, anchorMass: 0.05,
                                          documentCount: 1000, documentLength: 40, seed: 7)
        let config = TopicModelConfig(topicCount: 5, tokenizer: SyntheticTopicCorpus.tokenizer, minDocumentFrequency: 1,
                                      maxVocabularySize: 150)
        try Self.checkUnlearnEqualsRetrain(docs: corpus.documents, config: config, seeds: 20..<25)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func sequentialExactDeletionsEqualOneRetrain() throws {
        let docs = TopicFixtures.dpkgDocuments
        var model = try TopicModelTrainer.train(documents: docs, config: TopicFixtures.dpkgConfig)
        var remaining = docs
        for seed in 30..<33 as Range<UInt64> {
            let forget = TopicFixtures.forgetSet(remaining, count: 10, seed: seed)
            (model, _) = try model.unlearn(documents: forget, mode: .exact)
            remaining = TopicFixtures.removing(forget, from: remaining)
        }
        let retrained = try TopicModelTrainer.train(documents: remaining, vocabulary: model.vocabulary, config: TopicFixtures.dpkgConfig)
        #expect(model.anchors == retrained.anchors)
        #expect(TopicFixtures.maxAbsDifference(model.topicWord, retrained.topicWord) <= 1e-6)
        #expect(model.deletedDocumentCount == 30)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func badForgetSetsAreRejectedWithClearErrors() throws {
        let docs = TopicFixtures.dpkgDocuments
        let model = try TopicModelTrainer.train(documents: docs, config: TopicFixtures.dpkgConfig)
        #expect(throws: TopicModelError.unknownDocument(id: "no-such-package")) {
            try model.unlearn(documents: [Document(id: "no-such-package", domain: "", text: "x")], mode: .exact)
        }
        #expect(throws: TopicModelError.duplicateDocument(id: docs[0].id)) {
            try model.unlearn(documents: [docs[0], docs[0]], mode: .exact)
        }
        var altered = docs[0]
        altered.text += " kernel kernel network"
        #expect(throws: TopicModelError.documentMismatch(id: docs[0].id)) { try model.unlearn(documents: [altered], mode: .exact) }
        #expect(throws: TopicModelError.notCertified) { try model.unlearn(documents: [docs[0]], mode: .certified) }
        let (after, _) = try model.unlearn(documents: [docs[0]], mode: .exact)
        #expect(throws: TopicModelError.unknownDocument(id: docs[0].id)) { try after.unlearn(documents: [docs[0]], mode: .exact) }
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func modelRoundTripsThroughJSONBitExactly() throws {
        let model = try TopicModelTrainer.train(documents: TopicFixtures.dpkgDocuments, config: TopicFixtures.dpkgConfig)
        let data = try JSONEncoder().encode(model)
        let decoded = try JSONDecoder().decode(TopicModel.self, from: data)
        #expect(decoded.topicWord == model.topicWord)
        #expect(decoded.statistics == model.statistics)
        #expect(decoded.anchors == model.anchors && decoded.vocabulary == model.vocabulary)
        // The decoded statistics support unlearning exactly like the original.
        let forget = Array(TopicFixtures.dpkgDocuments.prefix(5))
        let (a, _) = try model.unlearn(documents: forget, mode: .exact)
        let (b, _) = try decoded.unlearn(documents: forget, mode: .exact)
        #expect(a.topicWord == b.topicWord)
    }

    @Test(.enabled(if: TopicFixtures.dpkgAvailable)) func realTopicsLookLikeTopics() throws {
        let model = try TopicModelTrainer.train(documents: TopicFixtures.dpkgDocuments, config: TopicFixtures.dpkgConfig)
        for k in 0..<model.topicCount {
            let column = (0..<model.vocabularySize).map { model.topicWord[$0 * model.topicCount + k] }
            #expect(abs(column.reduce(0, +) - 1) <= 1e-9)
            #expect(column.allSatisfy { $0 >= 0 })
            print("topic \(k) anchor=\(model.vocabulary.words[model.anchors[k]]): \(model.topWords(topic: k, count: 8).joined(separator: " "))")
        }
    }
}
