/// Learns byte-level BPE merges from a corpus.
///
/// The corpus is split into chunks (`ByteLevelPreTokenizer`) and identical chunks are counted once
/// with a frequency. Pair counts are kept incrementally: merging a pair only touches the words that
/// contain it (an inverted index pair → words), subtracting their old adjacent pairs and adding the new
/// ones; a max-heap with lazy deletion finds the next most frequent pair. Cost per merge is proportional
/// to the words affected, not to the corpus, so a few MB of text trains in seconds.
/// Ties are broken by the smaller (left, right) pair so that training is deterministic.
extension BPETokenizer {
    /// Trains on `corpus` until the vocabulary reaches `vocabularySize` (256 bytes + merges + special
    /// tokens) or no pair occurs at least `minPairFrequency` times (then the vocabulary is smaller).
    public static func train(corpus: [String], vocabularySize: Int, minPairFrequency: Int = 2,
                             specialTokens: [String] = []) throws -> BPETokenizer {
        try train(documents: corpus.map { Array($0.utf8) }, vocabularySize: vocabularySize,
                  minPairFrequency: minPairFrequency, specialTokens: specialTokens)
    }

    public static func train(documents: [[UInt8]], vocabularySize: Int, minPairFrequency: Int = 2,
                             specialTokens: [String] = []) throws -> BPETokenizer {
        let minimum = 256 + specialTokens.count
        guard vocabularySize >= minimum, vocabularySize <= Int(Int32.max) else {
            throw TokenizerError.invalidVocabularySize(requested: vocabularySize, minimum: minimum)
        }
        var trainer = BPETrainer(documents: documents)
        let merges = trainer.learn(mergeCount: vocabularySize - minimum, minPairFrequency: max(1, minPairFrequency))
        return try BPETokenizer(merges: merges, specialTokens: specialTokens)
    }
}

struct BPETrainer {
    /// Distinct chunks as symbol sequences, and how often each occurs.
    var words: [[Int32]] = []
    var frequencies: [Int] = []
    var pairCounts: [UInt64: Int] = [:]
    /// Words that contained a pair at some point (may be stale; merging re-checks).
    var wordsWithPair: [UInt64: [Int32]] = [:]
    var heap = PairHeap()

    init(documents: [[UInt8]]) {
        var index: [[UInt8]: Int] = [:]
        for document in documents {
            document.withUnsafeBufferPointer { buffer in
                ByteLevelPreTokenizer.forEachChunk(buffer) { range in
                    guard range.count >= 2 else { return }
                    let chunk = Array(buffer[range])
                    if let i = index[chunk] {
                        frequencies[i] += 1
                    } else {
                        index[chunk] = words.count
                        words.append(chunk.map { Int32($0) })
                        frequencies.append(1)
                    }
                }
            }
        }
        for (w, word) in words.enumerated() {
            for i in 0..<(word.count - 1) {
                let key = BPETokenizer.pairKey(word[i], word[i + 1])
                pairCounts[key, default: 0] += frequencies[w]
                wordsWithPair[key, default: []].append(Int32(w))
            }
        }
        for (key, count) in pairCounts { heap.push(count: count, key: key) }
    }

    mutating func learn(mergeCount: Int, minPairFrequency: Int) -> [BPETokenizer.Merge] {
        var merges: [BPETokenizer.Merge] = []
        merges.reserveCapacity(mergeCount)
        var touched = Set<UInt64>()
        while merges.count < mergeCount, let top = heap.pop() {
            // Lazy deletion: skip entries whose count changed after they were pushed.
            guard let current = pairCounts[top.key], current == top.count else { continue }
            guard current >= minPairFrequency else { break }
            let left = Int32(truncatingIfNeeded: top.key >> 32)
            let right = Int32(truncatingIfNeeded: top.key & 0xFFFF_FFFF)
            let newID = Int32(256 + merges.count)
            merges.append(BPETokenizer.Merge(left, right))

            touched.removeAll(keepingCapacity: true)
            var affected = wordsWithPair.removeValue(forKey: top.key) ?? []
            affected.sort()
            var previous: Int32 = -1
            for w in affected where w != previous {
                previous = w
                replace(left, right, with: newID, inWord: Int(w), touched: &touched)
            }
            pairCounts.removeValue(forKey: top.key)
            for key in touched where key != top.key {
                if let count = pairCounts[key], count > 0 { heap.push(count: count, key: key) }
            }
        }
        return merges
    }

    /// Merges every (left, right) in one word and moves that word's pair counts from old to new pairs.
    private mutating func replace(_ left: Int32, _ right: Int32, with newID: Int32, inWord w: Int, touched: inout Set<UInt64>) {
        let old = words[w]
        var merged: [Int32] = []
        merged.reserveCapacity(old.count)
        var i = 0
        while i < old.count {
            if i + 1 < old.count, old[i] == left, old[i + 1] == right {
                merged.append(newID)
                i += 2
            } else {
                merged.append(old[i])
                i += 1
            }
        }
        guard merged.count != old.count else { return }
        let frequency = frequencies[w]
        for j in 0..<(old.count - 1) {
            let key = BPETokenizer.pairKey(old[j], old[j + 1])
            let remaining = pairCounts[key, default: 0] - frequency
            if remaining > 0 { pairCounts[key] = remaining } else { pairCounts.removeValue(forKey: key) }
            touched.insert(key)
        }
        if merged.count >= 2 {
            for j in 0..<(merged.count - 1) {
                let key = BPETokenizer.pairKey(merged[j], merged[j + 1])
                pairCounts[key, default: 0] += frequency
                if merged[j] == newID || merged[j + 1] == newID { wordsWithPair[key, default: []].append(Int32(w)) }
                touched.insert(key)
            }
        }
        words[w] = merged
    }
}

/// Max-heap of (count, pair) ordered by count, then by the smaller pair key.
struct PairHeap {
    struct Entry {
        var count: Int
        var key: UInt64
        @inline(__always) func outranks(_ other: Entry) -> Bool {
            count != other.count ? count > other.count : key < other.key
        }
    }

    private var items: [Entry] = []

    mutating func push(count: Int, key: UInt64) {
        items.append(Entry(count: count, key: key))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].outranks(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < items.count, items[l].outranks(items[best]) { best = l }
                if r < items.count, items[r].outranks(items[best]) { best = r }
                if best == i { break }
                items.swapAt(i, best)
                i = best
            }
        }
        return top
    }
}
