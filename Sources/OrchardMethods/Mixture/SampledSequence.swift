import Foundation

/// One sequence of a batch: its domain and the token windows it is made of, in order. A packed sequence
/// (the default) concatenates consecutive documents of the domain until it holds exactly the sampler's sequence
/// length, so every sequence trains on the same number of tokens; an unpacked one (samplers resumed from states
/// written before packing existed) is a single window of one document. Enough to rebuild the batch from the dataset.
public struct SampledSequence: Sendable, Hashable, Codable {
    public var domain: Int
    public var pieces: [DocumentWindow]

    public init(domain: Int, pieces: [DocumentWindow]) {
        self.domain = domain; self.pieces = pieces
    }

    /// A single-window sequence.
    public init(domain: Int, documentID: String, documentIndex: Int, offset: Int, length: Int) {
        self.init(domain: domain, pieces: [DocumentWindow(documentID: documentID, documentIndex: documentIndex, offset: offset, length: length)])
    }

    /// Tokens in the sequence.
    public var length: Int { pieces.reduce(0) { $0 + $1.length } }
}

/// Tokens `[offset, offset + length)` of one document (`documentIndex`: its index within its domain in the catalog).
public struct DocumentWindow: Sendable, Hashable, Codable {
    public var documentID: String
    public var documentIndex: Int
    public var offset: Int
    public var length: Int
}
