import Foundation

/// A document as the sampler sees it: its stable id and its length in tokens (bytes for byte-level models).
public struct MixtureDocument: Sendable, Hashable, Codable {
    public var id: String
    public var length: Int
    public init(id: String, length: Int) { self.id = id; self.length = length }
}

/// One data domain: its name and its documents in stable id order.
public struct MixtureDomain: Sendable, Hashable, Codable {
    public var name: String
    public var documents: [MixtureDocument]
    public init(name: String, documents: [MixtureDocument]) { self.name = name; self.documents = documents }

    public var tokenCount: Int { documents.reduce(0) { $0 + $1.length } }
}

/// The domains a mixture samples from: a fixed dataset version. Documents shorter than two tokens (no
/// next-token target) are left out. The fingerprint identifies the version, so a saved sampler state is
/// only ever resumed on the catalog it was drawn from.
public struct MixtureCatalog: Sendable, Hashable {
    public let domains: [MixtureDomain]
    /// Documents dropped because they are shorter than two tokens.
    public let droppedDocumentCount: Int
    /// FNV-1a 64 over domain names, document ids and lengths, as 16 hex digits.
    public let fingerprint: String

    public enum CatalogError: Error, Equatable, CustomStringConvertible {
        case noDomains
        case duplicateDomain(String)
        case duplicateDocument(String)
        case emptyDomain(String)
        public var description: String {
            switch self {
            case .noDomains: return "mixture catalog: no domains"
            case .duplicateDomain(let d): return "mixture catalog: domain '\(d)' appears twice"
            case .duplicateDocument(let id): return "mixture catalog: document id '\(id)' appears twice"
            case .emptyDomain(let d): return "mixture catalog: domain '\(d)' has no document of at least two tokens"
            }
        }
    }

    /// Domains in the given order; documents keep their order (it defines the permutation base).
    public init(domains: [MixtureDomain]) throws {
        guard !domains.isEmpty else { throw CatalogError.noDomains }
        var names = Set<String>(), ids = Set<String>()
        var kept: [MixtureDomain] = []
        var dropped = 0
        for d in domains {
            guard names.insert(d.name).inserted else { throw CatalogError.duplicateDomain(d.name) }
            let docs = d.documents.filter { $0.length >= 2 }
            dropped += d.documents.count - docs.count
            for doc in d.documents { guard ids.insert(doc.id).inserted else { throw CatalogError.duplicateDocument(doc.id) } }
            guard !docs.isEmpty else { throw CatalogError.emptyDomain(d.name) }
            kept.append(MixtureDomain(name: d.name, documents: docs))
        }
        self.domains = kept
        self.droppedDocumentCount = dropped
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) { for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }; h = (h ^ 0xff) &* 0x0000_0100_0000_01b3 }
        for d in kept {
            mix("domain:" + d.name)
            for doc in d.documents { mix(doc.id); mix(String(doc.length)) }
        }
        let hex = String(h, radix: 16)
        self.fingerprint = String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Groups `(id, domain, length)` records by domain; domains sorted by name, documents by id.
    public init(records: [(id: String, domain: String, length: Int)]) throws {
        var byDomain: [String: [MixtureDocument]] = [:]
        for r in records { byDomain[r.domain, default: []].append(MixtureDocument(id: r.id, length: r.length)) }
        try self.init(domains: byDomain.keys.sorted().map { name in
            MixtureDomain(name: name, documents: byDomain[name]!.sorted { $0.id < $1.id })
        })
    }

    public var domainNames: [String] { domains.map(\.name) }

    /// The natural distribution: each domain's share of all tokens.
    public var naturalWeights: [Double] {
        let counts = domains.map { Double($0.tokenCount) }
        let total = counts.reduce(0, +)
        return counts.map { $0 / total }
    }
}
