import OrchardCorpus
/// The vocabulary of a topic model: words in alphabetical order, so word ids are reproducible across
/// implementations (spec §7). Built once from the full corpus; unlearning keeps it fixed and a word
/// seen only in deleted documents is left with zero counts (and dropped from what is released).
public struct TopicVocabulary: Sendable, Equatable, Codable {
    public let words: [String]
    public let tokenizer: TopicTokenizer
    /// True when the words were an input (`supplied(words:tokenizer:)`), false when chosen from the training
    /// documents (`build`). Only a supplied vocabulary makes exact unlearning equal a retrain from scratch.
    public let isSupplied: Bool
    private let index: [String: Int]

    public init(words: [String], tokenizer: TopicTokenizer, isSupplied: Bool = false) throws {
        let sorted = words.sorted()
        guard sorted == words else { throw TopicModelError.invalidConfiguration("vocabulary words must be in alphabetical order") }
        guard Set(words).count == words.count else { throw TopicModelError.invalidConfiguration("vocabulary has duplicate words") }
        self.words = words
        self.tokenizer = tokenizer
        self.isSupplied = isSupplied
        var index: [String: Int] = [:]
        for (i, w) in words.enumerated() { index[w] = i }
        self.index = index
    }

    public var count: Int { words.count }

    /// The guarantee of exact unlearning on a model over this vocabulary.
    public var exactGuarantee: GuaranteeKind { isSupplied ? .exactRetrainEquivalent : .exactGivenVocabulary }

    /// A vocabulary given before training, independent of the training documents: each word must be a token the
    /// tokenizer produces (lower-case ASCII letters and digits, at least its minimum length, not a stop word);
    /// duplicates are refused; ids are alphabetical.
    public static func supplied(words: [String], tokenizer: TopicTokenizer) throws -> TopicVocabulary {
        for (i, w) in words.enumerated() where tokenizer.tokens(w) != [w] {
            throw TopicModelError.invalidConfiguration("vocabulary word \(i) ('\(w)') is not a token the tokenizer produces (lower-case letters and digits, at least \(tokenizer.minTokenLength) characters, not a stop word)")
        }
        guard words.count >= 2 else { throw TopicModelError.invalidConfiguration("a supplied vocabulary needs at least 2 words") }
        guard Set(words).count == words.count else { throw TopicModelError.invalidConfiguration("the supplied vocabulary has duplicate words") }
        return try TopicVocabulary(words: words.sorted(), tokenizer: tokenizer, isSupplied: true)
    }

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

    private enum CodingKeys: String, CodingKey { case words, tokenizer, supplied }

    /// Checkpoints written before `supplied` existed hold data-chosen vocabularies.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(words: try c.decode([String].self, forKey: .words), tokenizer: try c.decode(TopicTokenizer.self, forKey: .tokenizer),
                      isSupplied: try c.decodeIfPresent(Bool.self, forKey: .supplied) ?? false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(words, forKey: .words)
        try c.encode(tokenizer, forKey: .tokenizer)
        if isSupplied { try c.encode(true, forKey: .supplied) }
    }
}
