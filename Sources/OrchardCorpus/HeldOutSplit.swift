import Foundation

/// The one held-out split of the package (corpus preparation, pretraining, the topic head): a deterministic
/// per-document assignment that depends only on the ids (and, for one exception, the domains), so it is
/// stable across runs, machines, caps and document order.
///
/// Rule: h(id) = FNV-1a 64 of the UTF-8 bytes of "heldout:" + id. A document is held out when
/// Double(h(id)) < fraction · 2^64. Exception (`assign`): a domain with ≥ 2 documents of which none is held
/// out gives up its smallest-h document, so every domain has a held-out loss; with fraction 0 nothing is
/// held out. This is the rule pretraining has always used (its results depend on it bit for bit).
public struct HeldOutSplit: Sendable {
    /// In [0, 1): the expected share of held-out documents (before the per-domain exception).
    public let fraction: Double

    public init(fraction: Double) throws {
        guard fraction >= 0, fraction < 1 else { throw CorpusError.invalidOption("held-out fraction must be in [0, 1), got \(fraction)") }
        self.fraction = fraction
    }

    /// FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of "heldout:" + id.
    public static func hash(_ id: String) -> UInt64 {
        var x: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in "heldout:\(id)".utf8 { x = (x ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return x
    }

    /// The hash rule alone (no per-domain exception): Double(hash(id)) < fraction · 2^64.
    public func isHeldOut(_ id: String) -> Bool { isHeldOut(hash: Self.hash(id)) }

    func isHeldOut(hash: UInt64) -> Bool { Double(hash) < fraction * 18_446_744_073_709_551_616.0 }

    /// Splits documents of any domains (any element type: `id` and `domain` read its fields) into
    /// (train, held-out), each in input order. Documents sharing an id land on the same side.
    public func assign<D>(_ documents: [D], id: (D) -> String, domain: (D) -> String) -> (train: [D], heldOut: [D]) {
        let ids = documents.map(id)
        let hashes = ids.map(Self.hash)
        var held = Set<String>()
        for i in documents.indices where isHeldOut(hash: hashes[i]) { held.insert(ids[i]) }
        if fraction > 0 {
            var byDomain: [String: [Int]] = [:]
            for i in documents.indices { byDomain[domain(documents[i]), default: []].append(i) }
            for members in byDomain.values where members.count >= 2 && !members.contains(where: { held.contains(ids[$0]) }) {
                // `min` keeps the first of equal hashes (equal hashes mean equal ids in practice).
                held.insert(ids[members.min { hashes[$0] < hashes[$1] }!])
            }
        }
        var train: [D] = [], heldOut: [D] = []
        for i in documents.indices {
            if held.contains(ids[i]) { heldOut.append(documents[i]) } else { train.append(documents[i]) }
        }
        return (train, heldOut)
    }

    /// `assign` for the package's document type.
    public func assign(_ documents: [Document]) -> (train: [Document], heldOut: [Document]) {
        assign(documents, id: \.id, domain: \.domain)
    }
}
