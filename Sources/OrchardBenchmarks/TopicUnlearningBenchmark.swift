import Foundation
import OrchardCorpus
import OrchardMethods
import OrchardTensor

/// Exact-unlearning time vs retraining time as the corpus grows (issue 5: "cost independent of m").
/// Callable from `orchard bench` and from the `orchard-topic-bench` executable.
public enum TopicUnlearningBenchmark {
    public struct Row: Sendable, Codable {
        public let documents: Int
        public let vocabularySize: Int
        public let topicCount: Int
        public let forgotten: Int
        /// Retraining from scratch on S∖S_f over the same vocabulary: tokenise, build Q, anchors, recover.
        public let retrainSeconds: Double
        /// Exact unlearning: check the forget set, downdate the statistics, recompute.
        public let unlearnSeconds: Double
        public let downdateSeconds: Double
        public let recomputeSeconds: Double
        /// max |A_unlearn − A_retrain| (0 = bit-identical).
        public let maxAbsDifference: Double
        public let anchorsEqual: Bool
    }

    /// For each size m: the first m documents of `corpus` (in its order), one vocabulary built from the whole
    /// corpus (so n is the same for every m), a model trained on the m documents, then `forgetCount`
    /// seeded random documents forgotten exactly and, for comparison, retrained without.
    /// Times are the best of `repeats` runs.
    public static func run(corpus: [Document], sizes: [Int], config: TopicModelConfig, forgetCount: Int = 10,
                           repeats: Int = 2, seed: UInt64 = 1, log: (String) -> Void = { _ in }) throws -> [Row] {
        guard let largest = sizes.max(), largest <= corpus.count else {
            throw TopicModelError.invalidConfiguration("sizes \(sizes) exceed the corpus (\(corpus.count) documents)")
        }
        let vocabulary = try TopicVocabulary.build(documents: Array(corpus.prefix(largest)), tokenizer: config.tokenizer,
                                                   minDocumentFrequency: config.minDocumentFrequency, maxSize: config.maxVocabularySize)
        let clock = ContinuousClock()
        var rows: [Row] = []
        for m in sizes {
            let docs = Array(corpus.prefix(m))
            var g = SeededRandom(seed: seed &+ UInt64(m))
            let forget = SensitivityCalibration.randomSubset(of: docs, size: forgetCount, using: &g)
            let forgetIDs = Set(forget.map(\.id))
            let kept = docs.filter { !forgetIDs.contains($0.id) }
            let model = try TopicModelTrainer.train(documents: docs, vocabulary: vocabulary, config: config)
            var retrained: TopicModel!
            var retrainBest = Double.infinity
            for _ in 0..<repeats {
                let t = try clock.measure { retrained = try TopicModelTrainer.train(documents: kept, vocabulary: vocabulary, config: config) }
                retrainBest = min(retrainBest, t.seconds)
            }
            var unlearned: TopicModel!
            var report: TopicUnlearningReport!
            var unlearnBest = Double.infinity
            for _ in 0..<repeats {
                let t = try clock.measure { (unlearned, report) = try model.unlearn(documents: forget, mode: .exact) }
                unlearnBest = min(unlearnBest, t.seconds)
            }
            let diff = zip(unlearned.topicWord, retrained.topicWord).map { abs($0 - $1) }.max() ?? 0
            let row = Row(documents: m, vocabularySize: vocabulary.count, topicCount: config.topicCount, forgotten: forgetCount,
                          retrainSeconds: retrainBest, unlearnSeconds: unlearnBest, downdateSeconds: report.downdateSeconds,
                          recomputeSeconds: report.recomputeSeconds, maxAbsDifference: diff,
                          anchorsEqual: unlearned.anchors == retrained.anchors)
            log(markdownRow(row))
            rows.append(row)
        }
        return rows
    }

    public static let markdownHeader = """
    | m (docs) | n (words) | r | forgotten | retrain s | exact unlearn s | of which downdate s | recompute s | retrain / unlearn | max abs(A_unlearn − A_retrain) | anchors equal |
    |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|
    """

    public static func markdownRow(_ r: Row) -> String {
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        return "| \(r.documents) | \(r.vocabularySize) | \(r.topicCount) | \(r.forgotten) | \(f(r.retrainSeconds)) | \(f(r.unlearnSeconds)) | "
            + "\(String(format: "%.5f", r.downdateSeconds)) | \(f(r.recomputeSeconds)) | \(String(format: "%.1f×", r.retrainSeconds / r.unlearnSeconds)) | "
            + "\(r.maxAbsDifference == 0 ? "0 (bit-identical)" : String(format: "%.1e", r.maxAbsDifference)) | \(r.anchorsEqual ? "yes" : "no") |"
    }

    /// Documents that look like the dpkg-status descriptions at any scale: a topic model is fitted on the
    /// installed packages' descriptions and documents are sampled from it (θ ~ Dirichlet(α), lengths
    /// resampled from the real in-vocabulary lengths). Used when the real Debian corpus is not available.
    public static func dpkgLikeCorpus(documentCount m: Int, topicCount r: Int = 16, alpha: Double = 0.1, seed: UInt64 = 7) throws -> [Document] {
        let real = try DebianStatusCorpus.load()
        let config = TopicModelConfig(topicCount: r, minDocumentFrequency: 3, maxVocabularySize: 1500)
        let fitted = try TopicModelTrainer.train(documents: real, config: config)
        let lengths = real.map { fitted.vocabulary.bagOfWords($0.text).length }.filter { $0 >= 2 }
        return SyntheticTopicCorpus.sample(topicWord: fitted.topicWord, vocabularySize: fitted.vocabularySize, topicCount: r,
                                           alpha: alpha, documentCount: m, length: { lengths[($0 &* 2_654_435_761) % lengths.count] },
                                           labelTopics: true, seed: seed, idPrefix: "dpkg-like-", words: fitted.vocabulary.words)
    }

}
