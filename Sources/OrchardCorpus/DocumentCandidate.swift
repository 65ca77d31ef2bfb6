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
