import Foundation
import OrchardCorpus
import OrchardTensor
@testable import OrchardMethods

/// Shared fixtures for the topic-model tests: the dpkg-status corpus (real text, no download) and a
/// small synthetic corpus with known topics.
enum TopicFixtures {
    static let dpkgAvailable = FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)

    static let dpkgDocuments: [Document] = (try? DebianStatusCorpus.load()) ?? []

    static let dpkgConfig = TopicModelConfig(topicCount: 8, minDocumentFrequency: 3, maxVocabularySize: 800,
                                             anchorMinDocumentFrequency: 5, anchorDocumentFraction: 0.01)

    static func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    /// Random forget set of `count` documents, deterministic in `seed`.
    static func forgetSet(_ docs: [Document], count: Int, seed: UInt64) -> [Document] {
        var g = SeededRandom(seed: seed)
        return SensitivityCalibration.randomSubset(of: docs, size: count, using: &g)
    }

    static func removing(_ forget: [Document], from docs: [Document]) -> [Document] {
        let ids = Set(forget.map(\.id))
        return docs.filter { !ids.contains($0.id) }
    }
}
