/// A document: `{id, domain, text}`, one JSON object per line in corpus files and dataset uploads.
/// The one document type of the engine: corpus preparation writes it, the held-out split assigns it,
/// the topic model trains on it (its downstream label is the domain) and datasets hold it.
///
/// The id is stable and unique within a dataset (deletion requests and lineage name documents by it).
/// Prepared corpora use `domain/package:path-inside-it#part` (part = index of the piece when a long text
/// is split, see `DocumentChunker`): derived from where the text comes from, so stable across runs.
/// An empty domain means "no label" where a label is needed (the topic head skips such documents).
public struct Document: Sendable, Hashable, Codable {
    public var id: String
    public var domain: String
    public var text: String

    public init(id: String, domain: String, text: String) {
        self.id = id
        self.domain = domain
        self.text = text
    }
}
