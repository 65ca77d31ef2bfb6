import OrchardCorpus
/// What a head releases for the task: the word-linear classifier logits = B̃ᵀh̄ + b (spec §1.7).
public struct TopicHeadRelease: Sendable, Codable {
    public let classes: [String]
    public let vocabulary: TopicVocabulary
    /// Vocabulary ids of the released rows of B̃ (exact: words still in the base's training set; certified: all).
    public let keptWordIDs: [Int]
    /// B̃, |keptWordIDs|×C row-major.
    public let wordWeights: [Double]
    /// b (certified: b + N(0, σ_h²), fresh noise: b is fit on features computed with the base's A).
    public let bias: [Double]
    public let noiseStandardDeviation: Double
    public let guarantee: GuaranteeKind

    /// The predicted class of a text (ties: first class).
    public func predict(_ text: String) -> String {
        let c = classes.count
        let bag = vocabulary.bagOfWords(text)
        var logits = bias
        let len = Double(max(bag.length, 1))
        var row: [Int: Int] = [:]
        for (r, id) in keptWordIDs.enumerated() { row[id] = r }
        for (id, count) in zip(bag.wordIDs, bag.counts) {
            guard let r = row[id] else { continue }
            for k in 0..<c { logits[k] += wordWeights[r * c + k] * Double(count) / len }
        }
        var best = 0
        for k in 1..<c where logits[k] > logits[best] { best = k }
        return classes[best]
    }

    /// Fraction of labelled documents (non-empty domain) whose label is predicted (documents with an unknown label count as errors).
    public func accuracy(on documents: [Document]) -> Double {
        let labelled = documents.filter { !$0.domain.isEmpty }
        guard !labelled.isEmpty else { return 0 }
        return Double(labelled.filter { predict($0.text) == $0.domain }.count) / Double(labelled.count)
    }
}
