import OrchardCorpus
/// The vocabulary of a topic model: words in alphabetical order, so word ids are reproducible across
/// implementations (spec §7). Built once from the full corpus; unlearning keeps it fixed and a word
/// seen only in deleted documents is left with zero counts (and dropped from what is released).
public struct TopicVocabulary: Sendable, Equatable, Codable {
    public let words: [String]
    public let tokenizer: TopicTokenizer
    private let index: [String: Int]

    public init(words: [String], tokenizer: TopicTokenizer) throws {
        let sorted = words.sorted()
        guard sorted == words else { throw TopicModelError.invalidConfiguration("vocabulary words must be in alphabetical order") }
        guard Set(words).count == words.count else { throw TopicModelError.invalidConfiguration("vocabulary has duplicate words") }
        self.words = words
        self.tokenizer = tokenizer
        var index: [String: Int] = [:]
        for (i, w) in words.enumerated() { index[w] = i }
        self.index = index
    }

    public var count: Int { words.count }

    public func id(of word: String) -> Int? { index[word] }

    /// Keeps words that occur in at least `minDocumentFrequency` documents; if more than `maxSize` remain,
    /// keeps the `maxSize` with the highest document frequency (ties: alphabetical). Ids are alphabetical.
    public static func build(documents: [Document], tokenizer: TopicTokenizer,
                             minDocumentFrequency: Int, maxSize: Int) throws -> TopicVocabulary {
        guard minDocumentFrequency >= 1 else { throw TopicModelError.invalidConfiguration("minDocumentFrequency must be >= 1") }
        guard maxSize >= 2 else { throw TopicModelError.invalidConfiguration("maxVocabularySize must be >= 2") }
        var df: [String: Int] = [:]
        for doc in documents {
            for word in Set(tokenizer.tokens(doc.text)) { df[word, default: 0] += 1 }
        }
        var kept = df.filter { $0.value >= minDocumentFrequency }.map { ($0.key, $0.value) }
        if kept.count > maxSize {
            kept.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            kept = Array(kept.prefix(maxSize))
        }
        guard kept.count >= 2 else {
            throw TopicModelError.emptyCorpus("only \(kept.count) words occur in >= \(minDocumentFrequency) documents")
        }
        return try TopicVocabulary(words: kept.map(\.0).sorted(), tokenizer: tokenizer)
    }

    public func bagOfWords(_ text: String) -> BagOfWords {
        BagOfWords(occurrences: tokenizer.tokens(text).compactMap { index[$0] })
    }

    private enum CodingKeys: String, CodingKey { case words, tokenizer }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(words: try c.decode([String].self, forKey: .words), tokenizer: try c.decode(TopicTokenizer.self, forKey: .tokenizer))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(words, forKey: .words)
        try c.encode(tokenizer, forKey: .tokenizer)
    }
}
