import Foundation

/// Builds the multi-domain pretraining corpus: fetch sources, extract plain text per domain, cap
/// each domain by sampling documents, split train/held-out by a hash of the id, and write
/// `train.jsonl`, `heldout.jsonl` and `manifest.json` into the output directory.
///
/// Entry point for `orchard corpus prepare --out DIR [--domains a,b] [--cap-bytes N] [--offline]`.
public struct CorpusPreparer {
    public struct Options: Sendable {
        /// Where train.jsonl, heldout.jsonl and manifest.json go.
        public var outputDirectory: URL
        /// Download cache (debs, unpacked trees, the PyPI sdist); reused across runs.
        public var sourceDirectory: URL
        /// Domain names to build; nil = every domain of the chosen set.
        public var domains: [String]?
        /// Upper bound on UTF-8 text bytes per domain (train + held-out).
        public var capBytes: Int
        /// Longer texts are split into documents of at most this many bytes.
        public var maxDocumentBytes: Int
        public var heldOutFraction: Double
        /// Use only text already on the machine (no download): `OfflineDomains`.
        public var offline: Bool
        /// Root for local files (tests); "/" normally.
        public var systemRoot: URL

        public init(outputDirectory: URL = URL(fileURLWithPath: "data/corpus/dataset"),
                    sourceDirectory: URL = URL(fileURLWithPath: "data/corpus/sources"),
                    domains: [String]? = nil, capBytes: Int = 4_000_000, maxDocumentBytes: Int = 32_768,
                    heldOutFraction: Double = 0.1, offline: Bool = false, systemRoot: URL = URL(fileURLWithPath: "/")) {
            self.outputDirectory = outputDirectory
            self.sourceDirectory = sourceDirectory
            self.domains = domains
            self.capBytes = capBytes
            self.maxDocumentBytes = maxDocumentBytes
            self.heldOutFraction = heldOutFraction
            self.offline = offline
            self.systemRoot = systemRoot
        }
    }

    public static let trainFile = "train.jsonl"
    public static let heldOutFile = "heldout.jsonl"
    public static let manifestFile = "manifest.json"

    public let options: Options
    private let log: (String) -> Void

    public init(options: Options, log: @escaping (String) -> Void = { print($0) }) {
        self.options = options
        self.log = log
    }

    /// The domains `options` selects, in catalogue order; unknown names are an error that lists the known ones.
    public func selectedDomains() throws -> [CorpusDomain] {
        let catalogue = options.offline ? OfflineDomains.all : PretrainingDomains.all
        guard let names = options.domains else { return catalogue }
        let known = Set(catalogue.map(\.name))
        let unknown = names.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw CorpusError.invalidOption("unknown domain(s) \(unknown.joined(separator: ", ")); \(options.offline ? "offline" : "available") domains: \(catalogue.map(\.name).joined(separator: ", "))")
        }
        guard !names.isEmpty else { throw CorpusError.invalidOption("empty domain list") }
        return catalogue.filter { names.contains($0.name) }
    }

    @discardableResult
    public func prepare() throws -> CorpusManifest {
        guard options.capBytes > 0 else { throw CorpusError.invalidOption("cap-bytes must be positive") }
        guard options.maxDocumentBytes >= 256 else { throw CorpusError.invalidOption("max document bytes must be at least 256") }
        let split = try HeldOutSplit(fraction: options.heldOutFraction)
        let domains = try selectedDomains()
        let started = Date()
        let fetcher = SourceFetcher(root: options.sourceDirectory, log: log)
        let context = DomainContext(fetcher: fetcher, systemRoot: options.systemRoot, log: log)
        try fetcher.resolve(domains.flatMap(\.debianPackages))
        try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
        let trainURL = options.outputDirectory.appendingPathComponent(CorpusPreparer.trainFile)
        let heldOutURL = options.outputDirectory.appendingPathComponent(CorpusPreparer.heldOutFile)
        let train = try JSONLines.Writer(url: trainURL), heldOut = try JSONLines.Writer(url: heldOutURL)
        var summaries: [CorpusManifest.DomainSummary] = []
        for domain in domains {
            let domainStart = Date()
            log("domain \(domain.name): \(domain.summary)")
            let candidates = try domain.candidates(context)
            guard !candidates.isEmpty else {
                log("  no documents found: skipped")
                continue
            }
            let selection = try DomainSampler.select(domain: domain.name, candidates: candidates, capBytes: options.capBytes,
                                                     maxDocumentBytes: options.maxDocumentBytes)
            var summary = CorpusManifest.DomainSummary(name: domain.name, summary: domain.summary, documents: 0, bytes: 0,
                                                       heldOutDocuments: 0, heldOutBytes: 0, words: 0,
                                                       candidateDocuments: candidates.count, seconds: 0)
            let (trainDocuments, heldOutDocuments) = split.assign(selection.documents)
            for document in selection.documents {
                summary.documents += 1
                summary.bytes += document.text.utf8.count
                summary.words += TextSources.wordCount(document.text)
            }
            for document in trainDocuments { try train.write(document) }
            for document in heldOutDocuments {
                summary.heldOutDocuments += 1
                summary.heldOutBytes += document.text.utf8.count
                try heldOut.write(document)
            }
            summary.seconds = (Date().timeIntervalSince(domainStart) * 100).rounded() / 100
            log("  \(summary.documents) documents (\(summary.heldOutDocuments) held out), \(summary.bytes) bytes, \(summary.seconds) s")
            summaries.append(summary)
        }
        let trainDigest = try train.finish(), heldOutDigest = try heldOut.finish()
        let manifest = CorpusManifest(
            offline: options.offline, capBytesPerDomain: options.capBytes, maxDocumentBytes: options.maxDocumentBytes,
            heldOutFraction: options.heldOutFraction, domains: summaries,
            sources: fetcher.records.keys.sorted().compactMap { fetcher.records[$0] },
            outputs: [
                .init(file: CorpusPreparer.trainFile, documents: train.count, bytes: train.bytes, sha256: trainDigest),
                .init(file: CorpusPreparer.heldOutFile, documents: heldOut.count, bytes: heldOut.bytes, sha256: heldOutDigest),
            ],
            totalSeconds: (Date().timeIntervalSince(started) * 100).rounded() / 100)
        try manifest.write(to: options.outputDirectory.appendingPathComponent(CorpusPreparer.manifestFile))
        log("wrote \(trainURL.path) (\(train.count) docs) and \(heldOutURL.path) (\(heldOut.count) docs) in \(manifest.totalSeconds) s")
        return manifest
    }
}
