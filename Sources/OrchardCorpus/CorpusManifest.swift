import Foundation

/// What a preparation run produced and from what: written next to the JSONL files as manifest.json.
public struct CorpusManifest: Codable, Equatable, Sendable {
    public struct DomainSummary: Codable, Equatable, Sendable {
        public var name: String
        public var summary: String
        public var documents: Int
        public var bytes: Int
        public var heldOutDocuments: Int
        public var heldOutBytes: Int
        public var words: Int
        public var candidateDocuments: Int
        public var seconds: Double
    }

    public struct OutputFile: Codable, Equatable, Sendable {
        public var file: String
        public var documents: Int
        public var bytes: Int
        public var sha256: String
    }

    public var format: String = "orchard-corpus/1"
    public var offline: Bool
    public var capBytesPerDomain: Int
    public var maxDocumentBytes: Int
    public var heldOutFraction: Double
    public var domains: [DomainSummary]
    public var sources: [SourceRecord]
    public var outputs: [OutputFile]
    public var totalSeconds: Double

    public static func read(_ url: URL) throws -> CorpusManifest {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw CorpusError.missingSource(url.path) }
        return try JSONDecoder().decode(CorpusManifest.self, from: data)
    }

    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}
