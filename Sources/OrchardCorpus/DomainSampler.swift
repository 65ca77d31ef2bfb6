import Foundation
import OrchardTensor

/// Applies a per-domain byte cap by sampling whole documents: candidates are visited in an order
/// fixed by a hash of their id (so a cap keeps a spread of the whole source, not its first files),
/// and each is kept while the domain stays within `capBytes` of UTF-8 text.
public enum DomainSampler {
    public struct Selection {
        public var documents: [Document]
        public var bytes: Int
        public var candidatesSeen: Int
        public var candidatesTotal: Int
    }

    public static func select(domain: String, candidates: [DocumentCandidate], capBytes: Int,
                              maxDocumentBytes: Int) throws -> Selection {
        let ordered = candidates.map { (orderKey($0.id), $0) }.sorted {
            $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.id < $1.1.id
        }
        var kept: [Document] = [], bytes = 0, seen = 0, missedCandidates = 0
        var ids = Set<String>()
        // Stop once the cap is practically full (within a quarter document), or after many candidates
        // in a row had no piece that fit: loading a candidate can be expensive (groff, big changelogs).
        let fullEnough = capBytes - min(maxDocumentBytes / 4, capBytes / 10)
        for (_, candidate) in ordered {
            if bytes >= fullEnough || missedCandidates >= 50 { break }
            seen += 1
            guard let raw = try candidate.load() else { continue }
            let pieces = DocumentChunker.chunks(raw, maxBytes: maxDocumentBytes)
            if pieces.isEmpty { continue }   // blank source text: not a document, and not a miss of the cap
            var keptAny = false
            for (part, text) in pieces.enumerated() {
                let id = "\(candidate.id)#\(part)"
                let size = text.utf8.count
                guard bytes + size <= capBytes else { continue }
                guard ids.insert(id).inserted else {
                    throw CorpusError.malformed(format: "domain \(domain)", detail: "duplicate document id \(id)")
                }
                kept.append(Document(id: id, domain: domain, text: text))
                bytes += size
                keptAny = true
            }
            missedCandidates = keptAny ? 0 : missedCandidates + 1
        }
        kept.sort { $0.id < $1.id }
        return Selection(documents: kept, bytes: bytes, candidatesSeen: seen, candidatesTotal: candidates.count)
    }

    /// A candidate's place in the visiting order, in [0, 1): the first 8 bytes of SHA-256("order:" + id),
    /// big-endian, top 53 bits / 2^53. Fixed: a prepared corpus's sample depends on it.
    static func orderKey(_ id: String) -> Double {
        let digest = SHA256Hasher.digest(Array("order:\(id)".utf8))
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        return Double(value >> 11) / Double(UInt64(1) << 53)
    }
}
