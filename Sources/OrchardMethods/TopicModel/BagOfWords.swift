/// A document as sparse word counts over a fixed vocabulary: distinct word ids in increasing order and
/// their counts. Everything the topic model needs from a document; the text is not kept.
public struct BagOfWords: Sendable, Equatable, Codable {
    public let wordIDs: [Int]
    public let counts: [Int]

    public init(wordIDs: [Int], counts: [Int]) {
        precondition(wordIDs.count == counts.count)
        self.wordIDs = wordIDs
        self.counts = counts
    }

    /// Builds the bag from (possibly repeated, unsorted) word ids.
    public init(occurrences: [Int]) {
        let sorted = occurrences.sorted()
        var ids: [Int] = []
        var counts: [Int] = []
        for id in sorted {
            if ids.last == id { counts[counts.count - 1] += 1 } else { ids.append(id); counts.append(1) }
        }
        self.wordIDs = ids
        self.counts = counts
    }

    /// n_d: the number of in-vocabulary tokens.
    public var length: Int { counts.reduce(0, +) }

    /// FNV-1a over the (id, count) pairs. Used only to check that a deletion request supplies the same
    /// document content the model was trained on (a consistency check, not a cryptographic commitment).
    public var fingerprint: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ v: Int) {
            var x = UInt64(bitPattern: Int64(v))
            for _ in 0..<8 { h ^= x & 0xff; h = h &* 0x100_0000_01b3; x >>= 8 }
        }
        for (id, c) in zip(wordIDs, counts) { mix(id); mix(c) }
        return h
    }
}
