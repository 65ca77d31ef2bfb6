import Foundation

/// Turns a sampled sequence back into tokens.
public protocol DocumentTokenSource {
    /// Tokens `[offset, offset + length)` of one document; throws when the window is outside it.
    func tokens(for window: DocumentWindow) throws -> [Int32]
}

extension DocumentTokenSource {
    /// The sequence's windows, concatenated in order.
    public func tokens(for sequence: SampledSequence) throws -> [Int32] {
        if sequence.pieces.count == 1 { return try tokens(for: sequence.pieces[0]) }
        var out: [Int32] = []
        out.reserveCapacity(sequence.length)
        for w in sequence.pieces { out += try tokens(for: w) }
        return out
    }
}

/// Byte-level tokens (UTF-8 bytes) of documents held in memory, by id.
public struct InMemoryDocumentTokens: DocumentTokenSource, Sendable {
    private let bytes: [String: [UInt8]]

    public init(texts: [String: String]) {
        bytes = texts.mapValues { Array($0.utf8) }
    }

    /// The catalog for these documents, grouped by `domainOf[id]` (length = byte count).
    public func catalog(domainOf: [String: String]) throws -> MixtureCatalog {
        try MixtureCatalog(records: bytes.keys.sorted().compactMap { id in
            domainOf[id].map { (id: id, domain: $0, length: bytes[id]!.count) }
        })
    }

    public func tokens(for s: DocumentWindow) throws -> [Int32] {
        guard let b = bytes[s.documentID] else { throw MixtureError("no text for document '\(s.documentID)'") }
        guard s.offset >= 0, s.length >= 0, s.offset + s.length <= b.count else {
            throw MixtureError("window \(s.offset)..<\(s.offset + s.length) outside document '\(s.documentID)' (\(b.count) bytes)")
        }
        return b[s.offset..<(s.offset + s.length)].map { Int32($0) }
    }
}
