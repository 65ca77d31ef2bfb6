import Foundation

/// Applies a per-domain byte cap by sampling whole documents: candidates are visited in an order
/// fixed by a hash of their id (so a cap keeps a spread of the whole source, not its first files),
/// and each is kept while the domain stays within `capBytes` of UTF-8 text.
public enum DomainSampler {
    public struct Selection {
        public var documents: [CorpusDocument]
        public var bytes: Int
        public var candidatesSeen: Int
        public var candidatesTotal: Int
    }

    public static func select(domain: String, candidates: [DocumentCandidate], capBytes: Int,
                              maxDocumentBytes: Int) throws -> Selection {
        let ordered = candidates.map { (HeldOutSplit.unitHash("order:" + $0.id), $0) }.sorted {
            $0.0 != $1.0 ? $0.0 < $1.0 : $0.1.id < $1.1.id
        }
        var kept: [CorpusDocument] = [], bytes = 0, seen = 0, missedCandidates = 0
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
                kept.append(CorpusDocument(id: id, domain: domain, text: text))
                bytes += size
                keptAny = true
            }
            missedCandidates = keptAny ? 0 : missedCandidates + 1
        }
        kept.sort { $0.id < $1.id }
        return Selection(documents: kept, bytes: bytes, candidatesSeen: seen, candidatesTotal: candidates.count)
    }
}
