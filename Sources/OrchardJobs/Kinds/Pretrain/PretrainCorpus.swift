import Foundation
import OrchardCorpus
import OrchardMethods
import OrchardModels

/// The job's data, tokenized: the training catalog (domains → documents with token lengths), the tokens
/// of every live training document, and the held-out windows per domain.
struct PretrainCorpus {
    let catalog: MixtureCatalog
    let tokens: TokenizedDocuments
    /// Held-out windows per catalog domain (empty → that domain's held-out loss is NaN).
    let heldOut: [[[Int32]]]
    /// Catalog documents that are no longer live (tombstoned since the catalog was fixed): never sampled.
    let missing: [String]


    /// Builds the corpus. `catalogRecords`: the catalog a checkpoint was drawn from (resume); nil → built
    /// from `train`. Documents of the saved catalog that are not in `train` any more are reported `missing`.
    init(train: [Document], heldOut: [Document], tokenizer: TextTokenizer, context: Int, windowsPerDomain: Int,
         catalogRecords: [CatalogRecord]?) throws {
        var tokenMap: [String: [Int32]] = [:]
        tokenMap.reserveCapacity(train.count)
        for d in train { tokenMap[d.id] = tokenizer.encode(d.text) }
        let records: [CatalogRecord]
        if let saved = catalogRecords {
            records = saved
        } else {
            records = train.map { CatalogRecord(id: $0.id, domain: $0.domain, length: tokenMap[$0.id]!.count) }
        }
        do {
            catalog = try MixtureCatalog(records: records.map { (id: $0.id, domain: $0.domain, length: $0.length) })
        } catch {
            throw JobError.invalid(param: "dataset", message: "the training documents cannot form a mixture: \(error)")
        }
        missing = records.filter { tokenMap[$0.id] == nil }.map(\.id).sorted()
        for r in records where tokenMap[r.id] != nil && tokenMap[r.id]!.count != r.length {
            throw JobError.permanent(code: "dataset_changed", message: "document '\(r.id)' changed length since the checkpoint")
        }
        tokens = TokenizedDocuments(tokens: tokenMap)

        let byDomain = Dictionary(grouping: heldOut, by: \.domain)
        self.heldOut = catalog.domains.map { d in
            let docs = (byDomain[d.name] ?? []).sorted { $0.id < $1.id }.map { tokenizer.encode($0.text) }
            return Self.windows(docs, size: context + 1, limit: windowsPerDomain)
        }
    }

    /// Up to `limit` windows of `size` tokens (the last of a document may be shorter, ≥ 2), taken
    /// round-robin across documents (first window of each, then second, …) so they span the domain.
    static func windows(_ docs: [[Int32]], size: Int, limit: Int) -> [[Int32]] {
        var out: [[Int32]] = []
        var offset = 0
        while out.count < limit {
            var any = false
            for d in docs where d.count - offset >= 2 {
                any = true
                out.append(Array(d[offset..<min(d.count, offset + size)]))
                if out.count == limit { break }
            }
            if !any { break }
            offset += size
        }
        return out
    }
}

/// (id, domain, token length): one catalog entry, saved in the checkpoint so a resumed run samples from
/// exactly the same catalog even after documents were tombstoned.
struct CatalogRecord: Codable, Sendable, Hashable {
    var id: String
    var domain: String
    var length: Int
}

/// Tokens of the live training documents, by id.
struct TokenizedDocuments: DocumentTokenSource {
    let tokens: [String: [Int32]]
    func tokens(for s: DocumentWindow) throws -> [Int32] {
        guard let t = tokens[s.documentID] else { throw MixtureError("document '\(s.documentID)' is not live (tombstoned?)") }
        guard s.offset >= 0, s.length >= 1, s.offset + s.length <= t.count else {
            throw MixtureError("window \(s.offset)..<\(s.offset + s.length) outside document '\(s.documentID)'")
        }
        return Array(t[s.offset..<(s.offset + s.length)])
    }
}

/// Bytes (vocabulary 256) or a BPE tokenizer trained on the job's training documents.
