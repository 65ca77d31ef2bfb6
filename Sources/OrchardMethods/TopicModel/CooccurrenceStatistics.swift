/// The sufficient statistics T(S) of the anchor-word topic model (spec §1.2): the unnormalised sum of
/// per-document co-occurrence estimators Q_sum = Σ_d Q_d, the count M of documents with n_d ≥ 2 and
/// per-word document frequencies df. Deleting documents is a downdate of these, costing
/// O(Σ u_d²) for the deleted documents and nothing proportional to the corpus size m.
///
/// Q_sum is symmetric and stored as its packed upper triangle, with a Neumaier compensation term per
/// entry so that "downdate" and "rebuild without the documents" agree to the last bits (spec §7).
public struct CooccurrenceStatistics: Sendable, Equatable, Codable {
    public let vocabularySize: Int
    /// Packed upper triangle (row-major, i ≤ j) of Σ_d Q_d.
    public private(set) var packedSum: [Double]
    /// Neumaier compensation for each entry of `packedSum`.
    public private(set) var packedCompensation: [Double]
    /// M: documents with n_d ≥ 2 currently in the statistics.
    public private(set) var documentCount: Int
    /// df[w]: contributing documents that contain word w.
    public private(set) var documentFrequency: [Int]

    public init(vocabularySize n: Int) {
        vocabularySize = n
        packedSum = [Double](repeating: 0, count: n * (n + 1) / 2)
        packedCompensation = packedSum
        documentCount = 0
        documentFrequency = [Int](repeating: 0, count: n)
    }

    @inline(__always) func packedIndex(_ i: Int, _ j: Int) -> Int {
        // Row i of the upper triangle starts after rows 0..<i, which hold n + (n-1) + ... + (n-i+1) entries.
        i * vocabularySize - i * (i - 1) / 2 + (j - i)
    }

    /// Whether a document contributes: documents with fewer than two tokens give 0/0 and are excluded (spec §1.9).
    public static func contributes(_ bag: BagOfWords) -> Bool { bag.length >= 2 }

    /// Adds Q_d of one document. Returns false (and changes nothing) for a document with n_d < 2.
    @discardableResult
    public mutating func add(_ bag: BagOfWords) -> Bool { accumulate(bag, sign: 1) }

    /// Removes Q_d of one document that was previously added. Returns false for a non-contributing document.
    @discardableResult
    public mutating func remove(_ bag: BagOfWords) -> Bool { accumulate(bag, sign: -1) }

    private mutating func accumulate(_ bag: BagOfWords, sign: Double) -> Bool {
        guard Self.contributes(bag) else { return false }
        let nd = Double(bag.length)
        let denominator = nd * (nd - 1)
        let ids = bag.wordIDs, counts = bag.counts
        let n = vocabularySize
        var sumStorage = packedSum, compStorage = packedCompensation
        packedSum = []; packedCompensation = []  // keep the arrays uniquely referenced while they are written
        defer { packedSum = sumStorage; packedCompensation = compStorage }
        sumStorage.withUnsafeMutableBufferPointer { sum in
            compStorage.withUnsafeMutableBufferPointer { comp in
                for a in 0..<ids.count {
                    let i = ids[a], ci = Double(counts[a])
                    let rowStart = i * n - i * (i - 1) / 2
                    // Diagonal: c_i(c_i - 1); off-diagonal: c_i c_j (the symmetric entry is implied).
                    Self.neumaierAdd(&sum[rowStart], &comp[rowStart], sign * ci * (ci - 1) / denominator)
                    for b in (a + 1)..<ids.count {
                        let p = rowStart + (ids[b] - i)
                        Self.neumaierAdd(&sum[p], &comp[p], sign * ci * Double(counts[b]) / denominator)
                    }
                }
            }
        }
        let delta = sign > 0 ? 1 : -1
        documentCount += delta
        for i in ids { documentFrequency[i] += delta }
        return true
    }

    @inline(__always) static func neumaierAdd(_ s: inout Double, _ c: inout Double, _ x: Double) {
        let t = s + x
        if abs(s) >= abs(x) { c += (s - t) + x } else { c += (x - t) + s }
        s = t
    }

    /// Σ_d Q_d as a dense symmetric n×n row-major matrix (compensated value sum + compensation).
    public func denseSum() -> [Double] {
        let n = vocabularySize
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                let p = packedIndex(i, j)
                let v = packedSum[p] + packedCompensation[p]
                out[i * n + j] = v
                out[j * n + i] = v
            }
        }
        return out
    }

    /// The corpus estimate Q̂ = Q_sum / M, dense n×n row-major.
    public func estimate() throws -> [Double] {
        guard documentCount > 0 else { throw TopicModelError.emptyCorpus("no document has at least two in-vocabulary tokens") }
        let m = Double(documentCount)
        return denseSum().map { $0 / m }
    }

    /// Q_d of a single document as a dense n×n matrix (for checks; the statistics never materialise it).
    public static func documentEstimator(_ bag: BagOfWords, vocabularySize n: Int) -> [Double]? {
        guard contributes(bag) else { return nil }
        let nd = Double(bag.length)
        var q = [Double](repeating: 0, count: n * n)
        for (a, i) in bag.wordIDs.enumerated() {
            for (b, j) in bag.wordIDs.enumerated() {
                let ci = Double(bag.counts[a]), cj = Double(bag.counts[b])
                q[i * n + j] = (a == b ? ci * (ci - 1) : ci * cj) / (nd * (nd - 1))
            }
        }
        return q
    }
}
