/// What leaves the service for a topic model: the topic–word matrix.
///
/// Exact mode: over the words still present in the training set (a word seen only in deleted documents is dropped).
/// Certified mode: over the whole vocabulary (which word rows are empty is data, so none is dropped), with fresh
/// Gaussian noise on every release, including the first one after training (spec §1.6 consistency rule); nothing
/// else computed from the data is released in that mode (no anchors, no R̂, no counts).
public struct TopicModelRelease: Sendable, Codable {
    public enum Mode: String, Sendable, Codable { case exact, certified }
    public let mode: Mode
    /// Released words (exact: vocabulary minus words that occur in no remaining document; certified: the vocabulary).
    public let words: [String]
    /// Ã = A + Z over `words`, |words|×r row-major, unclipped.
    public let topicWord: [Double]
    /// Post-processing of Ã (allowed under DP): negatives clipped to 0, columns renormalised.
    public let topicWordClipped: [Double]
    public let noiseStandardDeviation: Double
    public let droppedWordCount: Int
    public let guarantee: GuaranteeKind

    public var topicCount: Int { words.isEmpty ? 0 : topicWord.count / words.count }

    /// The `count` most probable words of topic k in the released (clipped) matrix, ties to the earlier word: in
    /// certified mode a post-processing of noised values only.
    public func topWords(topic k: Int, count: Int) -> [String] {
        let r = topicCount
        let order = words.indices.sorted {
            let a = topicWordClipped[$0 * r + k], b = topicWordClipped[$1 * r + k]
            return a != b ? a > b : $0 < $1
        }
        return order.prefix(count).map { words[$0] }
    }

    /// Clip negatives and renormalise columns (a column with no positive mass becomes uniform).
    public static func clipAndNormalize(_ a: [Double], rows: Int, columns r: Int) -> [Double] {
        var out = a.map { max(0, $0) }
        for k in 0..<r {
            var s = 0.0
            for i in 0..<rows { s += out[i * r + k] }
            for i in 0..<rows { out[i * r + k] = s > 0 ? out[i * r + k] / s : 1 / Double(rows) }
        }
        return out
    }
}

extension TopicModel {
    /// Releases the model: exact when it has no certification, otherwise A + N(0, σ²) over every word, with fresh noise.
    public func release<G: RandomNumberGenerator>(using generator: inout G) -> TopicModelRelease {
        let r = topicCount
        let kept = certification != nil ? Array(0..<vocabularySize) : (0..<vocabularySize).filter { statistics.documentFrequency[$0] > 0 }
        let rows = kept.flatMap { topicWord[($0 * r)..<($0 * r + r)] }
        let noisy: [Double]
        let mode: TopicModelRelease.Mode
        if let certification {
            noisy = certification.mechanism.release(rows, using: &generator)
            mode = .certified
        } else {
            noisy = rows
            mode = .exact
        }
        return TopicModelRelease(mode: mode, words: kept.map { vocabulary.words[$0] }, topicWord: noisy,
                                 topicWordClipped: TopicModelRelease.clipAndNormalize(noisy, rows: kept.count, columns: r),
                                 noiseStandardDeviation: certification?.sigma ?? 0,
                                 droppedWordCount: vocabularySize - kept.count,
                                 guarantee: certification?.guarantee ?? vocabulary.exactGuarantee)
    }

    public func release() -> TopicModelRelease {
        var g = SystemRandomNumberGenerator()
        return release(using: &g)
    }
}
