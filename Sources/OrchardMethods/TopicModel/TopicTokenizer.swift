/// The fixed tokenizer of the topic model (spec §7 conventions): lowercase, ASCII `[a-z0-9]+` runs;
/// every other byte separates tokens. Short tokens, purely numeric tokens and stop words are dropped.
public struct TopicTokenizer: Sendable, Codable, Equatable {
    public var stopWords: Set<String>
    public var minTokenLength: Int
    public var dropNumericTokens: Bool

    public init(stopWords: Set<String> = TopicStopWords.default, minTokenLength: Int = 2, dropNumericTokens: Bool = true) {
        self.stopWords = stopWords
        self.minTokenLength = minTokenLength
        self.dropNumericTokens = dropNumericTokens
    }

    private enum CodingKeys: String, CodingKey { case stopWords, minTokenLength, dropNumericTokens }

    /// Stop words are written sorted: a `Set`'s iteration order varies between instances, and released files must
    /// be the same bytes for the same model.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(stopWords.sorted(), forKey: .stopWords)
        try c.encode(minTokenLength, forKey: .minTokenLength)
        try c.encode(dropNumericTokens, forKey: .dropNumericTokens)
    }

    public func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        var allDigits = true
        func flush() {
            defer { current.removeAll(keepingCapacity: true); allDigits = true }
            guard current.count >= minTokenLength, !(dropNumericTokens && allDigits) else { return }
            let word = String(decoding: current, as: UTF8.self)
            if !stopWords.contains(word) { out.append(word) }
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                current.append(byte); allDigits = false
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                current.append(byte + 32); allDigits = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                current.append(byte)
            default:
                if !current.isEmpty { flush() }
            }
        }
        if !current.isEmpty { flush() }
        return out
    }
}
