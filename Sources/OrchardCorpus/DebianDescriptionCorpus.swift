import Foundation
import OrchardTensor

/// Builds the topic-model corpus file: Debian long descriptions labelled by Section.
///
/// Entry point for `orchard corpus debian-descriptions --out FILE [--variant clean|per-source|all] [--offline]`.
/// Online it runs `apt-get update -o Acquire::Languages=en` and copies the Translation-en files
/// (lz4, read with `apt-helper cat-file`) into the source cache at once, because a later plain
/// `apt-get update` deletes them; then it joins them with `apt-cache dumpavail`. Offline it uses
/// the descriptions of the installed packages in /var/lib/dpkg/status.
public struct DebianDescriptionCorpus {
    public struct Options: Sendable {
        public var outputFile: URL
        public var sourceDirectory: URL
        public var variant: DebianDescriptions.Variant
        public var offline: Bool
        public var systemRoot: URL

        public init(outputFile: URL, sourceDirectory: URL = URL(fileURLWithPath: "data/corpus/sources"),
                    variant: DebianDescriptions.Variant = .clean, offline: Bool = false,
                    systemRoot: URL = URL(fileURLWithPath: "/")) {
            self.outputFile = outputFile
            self.sourceDirectory = sourceDirectory
            self.variant = variant
            self.offline = offline
            self.systemRoot = systemRoot
        }
    }

    public struct Summary: Codable, Equatable, Sendable {
        public var variant: String
        public var offline: Bool
        public var documents: Int
        public var bytes: Int
        public var sha256: String
        public var sections: [String: Int]
        public var sources: [SourceRecord]
        public var seconds: Double
    }

    public let options: Options
    private let log: (String) -> Void

    public init(options: Options, log: @escaping (String) -> Void = { print($0) }) {
        self.options = options
        self.log = log
    }

    /// Writes the JSONL file and `<file>.manifest.json`; returns the summary.
    @discardableResult
    public func build() throws -> Summary {
        let started = Date()
        var sources: [SourceRecord] = []
        let descriptions: [DebianDescriptions.Description]
        if options.offline {
            let status = options.systemRoot.appendingPathComponent("var/lib/dpkg/status")
            descriptions = try DebianDescriptions.installed(statusFile: status)
            sources.append(SourceRecord(kind: "file", name: "/var/lib/dpkg/status", sha256: try SHA256Hasher.hexDigest(ofFile: status),
                                        bytes: (try? FileManager.default.attributesOfItem(atPath: status.path)[.size] as? Int) ?? nil))
        } else {
            let (translation, packages) = try fetchArchiveMetadata()
            for url in [translation, packages] {
                sources.append(SourceRecord(kind: "apt-metadata", name: url.lastPathComponent, sha256: try SHA256Hasher.hexDigest(ofFile: url),
                                            bytes: (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil))
            }
            log("joining Translation-en with the package lists")
            descriptions = try DebianDescriptions.join(translation: try LocalFiles.text(translation), packages: try LocalFiles.text(packages))
        }
        let selected = DebianDescriptions.select(descriptions, variant: options.variant)
        let documents = DebianDescriptions.documents(selected)
        let written = try JSONLines.write(documents, to: options.outputFile)
        var sections: [String: Int] = [:]
        for document in documents { sections[document.domain, default: 0] += 1 }
        let summary = Summary(variant: options.variant.rawValue, offline: options.offline, documents: documents.count,
                              bytes: written.bytes, sha256: written.sha256, sections: sections, sources: sources,
                              seconds: (Date().timeIntervalSince(started) * 100).rounded() / 100)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(summary).write(to: URL(fileURLWithPath: options.outputFile.path + ".manifest.json"), options: .atomic)
        log("wrote \(options.outputFile.path): \(documents.count) documents (\(descriptions.count) before selection), \(sections.count) sections, \(written.bytes) bytes")
        return summary
    }

    /// `Translation-en` and `Packages` in the source cache, fetched once.
    func fetchArchiveMetadata() throws -> (translation: URL, packages: URL) {
        let directory = options.sourceDirectory.appendingPathComponent("apt")
        let translation = directory.appendingPathComponent("Translation-en"), packages = directory.appendingPathComponent("Packages")
        if nonEmpty(translation) && nonEmpty(packages) {
            log("apt metadata present in \(directory.path)")
            return (translation, packages)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        log("apt-get update -o Acquire::Languages=en")
        try ProcessRunner.check(["apt-get", "update", "-qq", "-o", "Acquire::Languages=en", "-o", "DPkg::Lock::Timeout=120"])
        // Copy right away: a later plain `apt-get update` on this machine deletes the Translation files.
        let lists = URL(fileURLWithPath: "/var/lib/apt/lists")
        let files = try FileManager.default.contentsOfDirectory(atPath: lists.path).filter { $0.contains("_i18n_Translation-en") }.sorted()
        guard !files.isEmpty else { throw CorpusError.missingSource("no *_i18n_Translation-en files in /var/lib/apt/lists after apt-get update") }
        var combined = Data()
        for file in files {
            combined.append(try ProcessRunner.check(["/usr/lib/apt/apt-helper", "cat-file", lists.appendingPathComponent(file).path]))
            combined.append(contentsOf: Array("\n".utf8))
        }
        try combined.write(to: translation, options: .atomic)
        try ProcessRunner.check(["apt-cache", "dumpavail"]).write(to: packages, options: .atomic)
        log("copied \(files.count) Translation-en file(s) (\(combined.count) bytes) and the package lists")
        return (translation, packages)
    }

    private func nonEmpty(_ url: URL) -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int
        return (size ?? 0) > 0
    }
}
