import Foundation

/// One document of a prepared corpus: `{id, domain, text}`, one JSON object per line.
/// The id is `domain/package:path-inside-it#part` (part = index of the piece when a long text is
/// split, see `DocumentChunker`): derived from where the text comes from, so stable across runs.
public struct CorpusDocument: Codable, Equatable, Sendable {
    public let id: String
    public let domain: String
    public let text: String

    public init(id: String, domain: String, text: String) {
        self.id = id
        self.domain = domain
        self.text = text
    }
}

/// A document a domain can produce; `load` is deferred so that size caps avoid expensive work
/// (rendering man pages) for documents that will not be kept.
public struct DocumentCandidate {
    public let id: String
    public let load: () throws -> String?

    public init(id: String, load: @escaping () throws -> String?) {
        self.id = id
        self.load = load
    }

    public init(id: String, text: String) {
        self.id = id
        self.load = { text }
    }
}
