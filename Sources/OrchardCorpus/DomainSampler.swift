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
        var kept: [CorpusDocument] = [], bytes = 0, seen = 0, misses = 0
        var ids = Set<String>()
        for (_, candidate) in ordered {
            // Stop once the cap is practically full, or after many candidates in a row did not fit.
            if bytes >= capBytes - min(1024, capBytes / 100) || misses >= 200 { break }
            seen += 1
            guard let raw = try candidate.load() else { continue }
            let pieces = DocumentChunker.chunks(raw, maxBytes: maxDocumentBytes)
            for (part, text) in pieces.enumerated() {
                let id = "\(candidate.id)#\(part)"
                let size = text.utf8.count
                guard bytes + size <= capBytes else { misses += 1; continue }
                guard ids.insert(id).inserted else {
                    throw CorpusError.malformed(format: "domain \(domain)", detail: "duplicate document id \(id)")
                }
                kept.append(CorpusDocument(id: id, domain: domain, text: text))
                bytes += size
                misses = 0
            }
        }
        kept.sort { $0.id < $1.id }
        return Selection(documents: kept, bytes: bytes, candidatesSeen: seen, candidatesTotal: candidates.count)
    }
}
