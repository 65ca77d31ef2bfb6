import OrchardCorpus
import OrchardTensor

/// Documents drawn from a known topic model (LDA: θ_d ~ Dirichlet(α), words i.i.d. from A θ_d), to test
/// recovery against ground truth and to benchmark at scale. Word w is spelled "w" + zero-padded id, so
/// alphabetical vocabulary order equals generator order.
public struct SyntheticTopicCorpus: Sendable {
    public let documents: [Document]
    /// Ground-truth A, n×r row-major (column-stochastic).
    public let topicWord: [Double]
    /// Planted anchor word of each topic.
    public let anchors: [Int]
    public let vocabularySize: Int
    public let topicCount: Int

    public static func wordName(_ i: Int) -> String {
        let s = String(i)
        return "w" + String(repeating: "0", count: max(0, 5 - s.count)) + s
    }

    /// A p-separable topic matrix: topic k puts mass `anchorMass` on its anchor word k (zero in other topics);
    /// the remaining mass is Dirichlet(β) over the non-anchor words.
    public static func separableTopics(vocabularySize n: Int, topicCount r: Int, anchorMass: Double, beta: Double,
                                       seed: UInt64) -> [Double] {
        var g = SeededRandom(seed: seed)
        var a = [Double](repeating: 0, count: n * r)
        for k in 0..<r {
            let rest = g.nextDirichlet(alpha: beta, count: n - r)
            a[k * r + k] = anchorMass
            for (j, v) in rest.enumerated() { a[(r + j) * r + k] = (1 - anchorMass) * v }
        }
        return a
    }

    /// Draws `documentCount` documents of `lengths(i)` words each from A (n×r) with θ ~ Dirichlet(α).
    public static func sample(topicWord a: [Double], vocabularySize n: Int, topicCount r: Int, alpha: Double,
                              documentCount m: Int, length: (Int) -> Int, labelTopics: Bool = false,
                              seed: UInt64, idPrefix: String = "doc", words: [String]? = nil) -> [Document] {
        var g = SeededRandom(seed: seed)
        let cumulative: [[Double]] = (0..<r).map { k in
            var s = 0.0
            return (0..<n).map { i in s += a[i * r + k]; return s }
        }
        let names = words ?? (0..<n).map(wordName)
        return (0..<m).map { d in
            let theta = g.nextDirichlet(alpha: alpha, count: r)
            var thetaCumulative = [Double](repeating: 0, count: r)
            var s = 0.0
            for k in 0..<r { s += theta[k]; thetaCumulative[k] = s }
            var words: [String] = []
            let len = length(d)
            words.reserveCapacity(len)
            for _ in 0..<len {
                let k = g.nextCategorical(cumulative: thetaCumulative)
                words.append(names[g.nextCategorical(cumulative: cumulative[k])])
            }
            let label = labelTopics ? "topic\(theta.indices.max { theta[$0] < theta[$1] }!)" : ""
            return Document(id: "\(idPrefix)\(d)", domain: label, text: words.joined(separator: " "))
        }
    }

    /// The spec §6.1 check-4 corpus: p-separable A, LDA documents of fixed length.
    public init(vocabularySize n: Int, topicCount r: Int, alpha: Double, anchorMass: Double, beta: Double = 0.1,
                documentCount m: Int, documentLength: Int, seed: UInt64) {
        let a = Self.separableTopics(vocabularySize: n, topicCount: r, anchorMass: anchorMass, beta: beta, seed: seed)
        self.topicWord = a
        self.anchors = Array(0..<r)
        self.vocabularySize = n
        self.topicCount = r
        self.documents = Self.sample(topicWord: a, vocabularySize: n, topicCount: r, alpha: alpha, documentCount: m,
                                     length: { _ in documentLength }, seed: seed &+ 1)
    }

    /// A tokenizer that keeps every generated word (no stop words).
    public static let tokenizer = TopicTokenizer(stopWords: [], minTokenLength: 1, dropNumericTokens: false)

    /// The generator's full vocabulary (ids equal generator ids, even for words no document happened to use).
    public var vocabulary: TopicVocabulary {
        // Names are zero-padded, so generator order is alphabetical order and the initializer cannot fail.
        try! TopicVocabulary(words: (0..<vocabularySize).map(Self.wordName), tokenizer: Self.tokenizer)
    }
}
