import Foundation

/// One sequence of a batch: its domain, the document it is cut from and the token window
/// `[offset, offset + length)` of that document. Enough to rebuild the batch from the dataset.
public struct SampledSequence: Sendable, Hashable, Codable {
    public var domain: Int
    public var documentID: String
    /// Index of the document within its domain in the catalog.
    public var documentIndex: Int
    public var offset: Int
    public var length: Int
}
