import Foundation
import OrchardTensor

/// Deterministic per-document assignment to the held-out split: a document is held out when the
/// first 8 bytes of SHA-256("heldout:" + id), read as a fraction of 2^64, fall below `fraction`.
/// Depends only on the id, so it is stable across runs, machines and caps (see `assign` for the
/// one exception that keeps every domain's held-out set non-empty).
public struct HeldOutSplit: Sendable {
    public let fraction: Double

    public init(fraction: Double) throws {
        guard fraction >= 0, fraction < 1 else { throw CorpusError.invalidOption("held-out fraction must be in [0, 1), got \(fraction)") }
        self.fraction = fraction
    }

    public func isHeldOut(_ id: String) -> Bool {
        HeldOutSplit.unitHash("heldout:" + id) < fraction
    }

    /// Splits one domain's documents. When the hash rule holds out none of a domain with at least
    /// two documents (tiny domains, small caps), the document with the smallest hash is held out so
    /// that every domain has a held-out loss; this depends only on the ids, so it is deterministic.
    public func assign(_ documents: [CorpusDocument]) -> (train: [CorpusDocument], heldOut: [CorpusDocument]) {
        var train: [CorpusDocument] = [], heldOut: [CorpusDocument] = []
        for document in documents {
            if isHeldOut(document.id) { heldOut.append(document) } else { train.append(document) }
        }
        if heldOut.isEmpty, train.count >= 2, fraction > 0,
           let first = train.indices.min(by: { HeldOutSplit.unitHash("heldout:" + train[$0].id) < HeldOutSplit.unitHash("heldout:" + train[$1].id) }) {
            heldOut.append(train.remove(at: first))
        }
        return (train, heldOut)
    }

    /// A hash of `key` mapped to [0, 1).
    public static func unitHash(_ key: String) -> Double {
        let digest = SHA256Hasher.digest(Array(key.utf8))
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        return Double(value >> 11) / Double(UInt64(1) << 53)
    }
}
