import Foundation
import OrchardTensor
import OrchardCorpus

/// What one U_head request did.
public struct TopicHeadUnlearningReport: Sendable, Codable {
    public let mode: TopicUnlearningMode
    public let forgottenDocumentIDs: [String]
    public let seconds: Double
    /// The head was refitted on the downstream set (a full head retrain: capacity exhausted, or asked for).
    public let refitted: Bool
    public let capacity: DeletionCapacity?
    public let guarantee: GuaranteeKind
    public let topicSpreadProxy: Double
    public let release: TopicHeadRelease
}

extension TopicHead {
    /// U_head (spec §1.7): forget pre-training documents from what the head releases, without modifying the
    /// base model: A' is recomputed privately from the head's copy of the statistics, B' = (A'^†)ᵀW, and
    /// in certified mode B̃ = B' + N(0, σ_h²). W is kept unless `refitOn` (the downstream set) is given.
    /// When the head's capacity would be exceeded, the head must be retrained: pass the downstream set
    /// as `refitOn` (the head is then refitted and its counter reset), otherwise `retrainRequired` is thrown.
    public func unlearn<G: RandomNumberGenerator>(pretrainingDocuments forget: [Document], mode: TopicUnlearningMode,
                                                  refitOn downstream: [Document]? = nil,
                                                  noise generator: inout G) throws -> (TopicHead, TopicHeadUnlearningReport) {
        guard !forget.isEmpty else { throw TopicModelError.invalidConfiguration("empty forget set") }
        if mode == .certified, certification == nil { throw TopicModelError.notCertified }
        let start = ContinuousClock.now
        var capacity = mode == .certified ? certification : nil
        var refit = downstream != nil
        if var c = capacity {
            if c.used + forget.count > c.capacity {
                guard downstream != nil else { throw TopicModelError.retrainRequired(used: c.used, requested: forget.count, capacity: c.capacity) }
                c.used = 0
                c.retrains += 1
                refit = true
            } else {
                c.used += forget.count
            }
            capacity = c
        }
        let newBase = try base.exactlyUnlearned(forget)
        let regression = try refit ? TopicHead.fit(base: newBase, documents: downstream!.filter { !$0.domain.isEmpty }, classes: classes, config: config)
                                   : self.regression
        var head = TopicHead(config: config, classes: classes, regression: regression, base: newBase,
                             certification: mode == .certified ? capacity : certification)
        let release: TopicHeadRelease
        if mode == .exact {
            var exact = head
            exact.certification = nil
            release = exact.release(using: &generator)
        } else {
            release = head.release(using: &generator)
        }
        if mode == .exact { head.certification = certification }
        let report = TopicHeadUnlearningReport(mode: mode, forgottenDocumentIDs: forget.map(\.id),
                                               seconds: (ContinuousClock.now - start).seconds, refitted: refit,
                                               capacity: capacity, guarantee: release.guarantee,
                                               topicSpreadProxy: head.topicSpreadProxy, release: release)
        return (head, report)
    }

    /// The head refitted on a changed downstream set over the same base: same classes, same certified-mode state
    /// (a downstream deletion is exact; the certificate protects the base's pre-training documents).
    public func refitted(on downstream: [Document]) throws -> TopicHead {
        let regression = try TopicHead.fit(base: base, documents: downstream.filter { !$0.domain.isEmpty }, classes: classes, config: config)
        return TopicHead(config: config, classes: classes, regression: regression, base: base, certification: certification)
    }

    public func unlearn(pretrainingDocuments forget: [Document], mode: TopicUnlearningMode,
                        refitOn downstream: [Document]? = nil) throws -> (TopicHead, TopicHeadUnlearningReport) {
        var g = SystemRandomNumberGenerator()
        return try unlearn(pretrainingDocuments: forget, mode: mode, refitOn: downstream, noise: &g)
    }
}
