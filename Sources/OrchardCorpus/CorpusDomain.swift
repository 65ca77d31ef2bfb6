import Foundation

/// A text domain: a name, what it is made of, and how to list its documents. Listing may fetch
/// packages through the context's fetcher; documents are loaded lazily (see `DocumentCandidate`).
public struct CorpusDomain: Sendable {
    public let name: String
    public let summary: String
    /// Whether the domain needs downloads (false: only files already on a Debian machine).
    public let needsDownload: Bool
    /// Debian packages the domain fetches (resolved with one apt-cache call for all domains).
    public let debianPackages: [String]
    let candidates: @Sendable (DomainContext) throws -> [DocumentCandidate]

    public init(name: String, summary: String, needsDownload: Bool, debianPackages: [String] = [],
                candidates: @escaping @Sendable (DomainContext) throws -> [DocumentCandidate]) {
        self.name = name
        self.summary = summary
        self.needsDownload = needsDownload
        self.debianPackages = debianPackages
        self.candidates = candidates
    }
}

/// What a domain may use while listing its documents.
public struct DomainContext {
    public let fetcher: SourceFetcher
    /// Root of the local file system (tests may point this at a fixture tree); "/" normally.
    public let systemRoot: URL
    public let log: (String) -> Void

    public func path(_ absolute: String) -> URL {
        systemRoot.appendingPathComponent(String(absolute.drop(while: { $0 == "/" })))
    }
}
