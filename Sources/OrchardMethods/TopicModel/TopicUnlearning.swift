import Foundation
import OrchardTensor
import OrchardCorpus

/// Which U_base ran (spec §1.6).
public enum TopicUnlearningMode: String, Sendable, Codable {
    /// Mode E: downdate the statistics and recompute; equals retraining without the documents.
    case exact
    /// Mode C: Mode E plus a Gaussian-noised release, within a tracked deletion capacity.
    case certified
}

/// What one unlearning request did, for the deletion receipt.
public struct TopicUnlearningReport: Sendable, Codable {
    public let mode: TopicUnlearningMode
    public let forgottenDocumentIDs: [String]
    /// Forgotten documents that had contributed to Q (n_d ≥ 2); the rest changed nothing.
    public let contributingDocumentCount: Int
    public let downdateSeconds: Double
    public let recomputeSeconds: Double
    public let anchorsChanged: Bool
    /// Capacity exhausted: the model was retrained (from the exact statistics, which equals retraining
    /// from the corpus without all deleted documents) and the capacity counter reset.
    public let retrainedFromScratch: Bool
    /// Capacity state after the request (certified mode).
    public let capacity: DeletionCapacity?
    public let guarantee: GuaranteeKind
    public let release: TopicModelRelease
}

extension TopicModel {
    /// Checks a forget set against the training records and returns the bags of words to downdate.
    func forgetBags(_ forget: [Document]) throws -> [BagOfWords] {
        var seen = Set<String>()
        return try forget.map { doc in
            guard seen.insert(doc.id).inserted else { throw TopicModelError.duplicateDocument(id: doc.id) }
            guard let record = documents[doc.id] else { throw TopicModelError.unknownDocument(id: doc.id) }
            let bag = vocabulary.bagOfWords(doc.text)
            guard String(bag.fingerprint, radix: 16) == record.fingerprint else { throw TopicModelError.documentMismatch(id: doc.id) }
            return bag
        }
    }

    /// Downdated statistics and records without the forget set.
    func downdated(_ forget: [Document]) throws -> (CooccurrenceStatistics, [String: TrainedDocumentRecord], Int) {
        let bags = try forgetBags(forget)
        var stats = statistics
        var records = documents
        var contributing = 0
        for (doc, bag) in zip(forget, bags) {
            if stats.remove(bag) { contributing += 1 }
            records[doc.id] = nil
        }
        guard stats.documentCount >= 1 else { throw TopicModelError.emptyCorpus("deleting these documents leaves no contributing document") }
        return (stats, records, contributing)
    }

    /// Mode E without any release or accounting: A(S∖S_f) from the statistics.
    func exactlyUnlearned(_ forget: [Document]) throws -> TopicModel {
        let (stats, records, _) = try downdated(forget)
        return try TopicModel.fit(config: config, vocabulary: vocabulary, statistics: stats, documents: records,
                                  certification: certification, deletedDocumentCount: deletedDocumentCount + forget.count)
    }

    /// U_base: forgets `documents` (their ids and texts, as trained on) and returns the new model and a report.
    /// The cost is O(Σ u_d²) for the downdate plus one recompute on the n×n statistics: independent of m.
    public func unlearn<G: RandomNumberGenerator>(documents forget: [Document], mode: TopicUnlearningMode,
                                                  noise generator: inout G) throws -> (TopicModel, TopicUnlearningReport) {
        guard !forget.isEmpty else { throw TopicModelError.invalidConfiguration("empty forget set") }
        if mode == .certified, certification == nil { throw TopicModelError.notCertified }
        let clock = ContinuousClock()
        var downdate: (CooccurrenceStatistics, [String: TrainedDocumentRecord], Int)!
        let downdateTime = try clock.measure { downdate = try downdated(forget) }
        let (stats, records, contributing) = downdate!

        var capacity = mode == .certified ? certification : nil
        var retrained = false
        if var c = capacity {
            if c.used + forget.count > c.capacity {
                // Guarantee would lapse: full retrain (spec §1.6 "sequential deletions") and reset the counter.
                c.used = 0
                c.retrains += 1
                retrained = true
            } else {
                c.used += forget.count
            }
            capacity = c
        }
        var model: TopicModel!
        let recomputeTime = try clock.measure {
            model = try TopicModel.fit(config: config, vocabulary: vocabulary, statistics: stats, documents: records,
                                       certification: mode == .certified ? capacity : certification,
                                       deletedDocumentCount: deletedDocumentCount + forget.count)
        }
        let release: TopicModelRelease
        if mode == .exact {
            var exactModel = model!
            exactModel.certification = nil
            release = exactModel.release(using: &generator)
        } else {
            release = model.release(using: &generator)
        }
        let report = TopicUnlearningReport(mode: mode, forgottenDocumentIDs: forget.map(\.id), contributingDocumentCount: contributing,
                                           downdateSeconds: downdateTime.seconds, recomputeSeconds: recomputeTime.seconds,
                                           anchorsChanged: model.anchors != anchors, retrainedFromScratch: retrained,
                                           capacity: capacity, guarantee: release.guarantee, release: release)
        return (model, report)
    }

    /// As above, with noise from the system generator (what a service release should use).
    public func unlearn(documents forget: [Document], mode: TopicUnlearningMode) throws -> (TopicModel, TopicUnlearningReport) {
        var g = SystemRandomNumberGenerator()
        return try unlearn(documents: forget, mode: mode, noise: &g)
    }
}
