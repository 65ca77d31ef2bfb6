import Foundation
import OrchardTensor

/// Builds the preference-pair sets of shared/specs/data.md §(c) as pair JSONL for `POST /v1/datasets`
/// (`orchard corpus preferences --out DIR`):
/// - `kjv_web.jsonl`: KJV ↔ World English Bible verse pairs (`ScripturePairs`);
/// - `kjv_web_single_token.jsonl`: their single-token variant;
/// - `continuation_graded.jsonl`: continuation pairs with graded corruption (`ContinuationPairs`), from
///   Jane Austen's novels (`prose`, default) or `/usr/share/common-licenses` (`licenses`, no download);
/// - `manifest.json`: options, counts, sources and the SHA-256 of each file.
/// Packages come through `SourceFetcher` (apt-get download + dpkg-deb -x, verified, cached), like
/// `CorpusPreparer`; an installed package's files are used when the download is impossible.
public struct PreferencePairCorpus {
    public enum ContinuationSource: String, CaseIterable, Sendable, Codable {
        case prose, licenses
    }

    public struct Options: Sendable {
        public var outputDirectory: URL
        public var sourceDirectory: URL
        public var scripture: ScripturePairs.Options
        public var continuation: ContinuationPairs.Options
        public var continuationSource: ContinuationSource
        /// Root for installed files (common-licenses, installed SWORD modules); "/" normally.
        public var systemRoot: URL

        public init(outputDirectory: URL = URL(fileURLWithPath: "data/corpus/preferences"),
                    sourceDirectory: URL = URL(fileURLWithPath: "data/corpus/sources"),
                    scripture: ScripturePairs.Options = .init(), continuation: ContinuationPairs.Options = .init(),
                    continuationSource: ContinuationSource = .prose, systemRoot: URL = URL(fileURLWithPath: "/")) {
            self.outputDirectory = outputDirectory
            self.sourceDirectory = sourceDirectory
            self.scripture = scripture
            self.continuation = continuation
            self.continuationSource = continuationSource
            self.systemRoot = systemRoot
        }
    }

    public struct OutputFile: Codable, Equatable, Sendable {
        public var file: String
        public var pairs: Int
        public var bytes: Int
        public var sha256: String
    }

    public struct Manifest: Codable, Equatable, Sendable {
        public var format = "orchard-preference-pairs/1"
        public var contextVerses: Int
        public var minSharedWords: Int
        public var maxLengthRatio: Double
        public var continuationSource: ContinuationSource
        public var promptWords: Int
        public var continuationWords: Int
        public var prompts: Int
        public var seed: UInt64
        public var scripture: ScripturePairs.Counts
        public var continuation: ContinuationPairs.Counts
        public var sources: [SourceRecord]
        public var outputs: [OutputFile]
        public var totalSeconds: Double
    }

    public static let kjvWebFile = "kjv_web.jsonl"
    public static let singleTokenFile = "kjv_web_single_token.jsonl"
    public static let continuationFile = "continuation_graded.jsonl"
    public static let manifestFile = "manifest.json"

    /// A Debian package this builder reads, and where its files are inside the package.
    struct Package {
        let name: String
        let what: String
        let path: String
        /// A file that must exist under `path` (checked for installed copies).
        let probe: String
    }
    static let kjv = Package(name: "sword-text-kjv", what: "King James Version, SWORD zText module engKJV2006eb",
                             path: "usr/share/sword/modules/texts/ztext/engKJV2006eb", probe: "nt.bzs")
    static let web = Package(name: "sword-text-web", what: "World English Bible, SWORD zText module engWEB2015eb",
                             path: "usr/share/sword/modules/texts/ztext/engWEB2015eb", probe: "nt.bzs")
    static let austen = Package(name: "r-cran-janeaustenr", what: "Jane Austen's novels, R lazy-load database",
                                path: "usr/lib/R/site-library/janeaustenr/data", probe: "Rdata.rdx")

    public let options: Options
    private let log: (String) -> Void

    public init(options: Options, log: @escaping (String) -> Void = { print($0) }) {
        self.options = options
        self.log = log
    }

    @discardableResult
    public func build() throws -> Manifest {
        let started = Date()
        let scriptureOptions = options.scripture, continuationOptions = options.continuation
        guard scriptureOptions.contextVerses >= 0 else { throw CorpusError.invalidOption("context verses must not be negative") }
        guard scriptureOptions.minSharedWords >= 1 else { throw CorpusError.invalidOption("the shared prefix must be at least 1 word") }
        guard continuationOptions.promptWords >= 1, continuationOptions.continuationWords >= 1, continuationOptions.prompts >= 0 else {
            throw CorpusError.invalidOption("prompt words and continuation words must be ≥ 1, prompts ≥ 0")
        }
        let fetcher = SourceFetcher(root: options.sourceDirectory, log: log)
        var packages = [Self.kjv, Self.web]
        if options.continuationSource == .prose { packages.append(Self.austen) }
        do { try fetcher.resolve(packages.map(\.name)) } catch {
            log("  apt-cache could not resolve \(packages.map(\.name).joined(separator: ", ")): \(error)")
        }
        var installed: [SourceRecord] = []
        func locate(_ package: Package) throws -> URL {
            do {
                let directory = try fetcher.debianPackage(package.name).appendingPathComponent(package.path)
                guard LocalFiles.exists(directory.appendingPathComponent(package.probe)) else {
                    throw CorpusError.missingSource("\(package.name) has no \(package.path)/\(package.probe)")
                }
                return directory
            } catch {
                let local = options.systemRoot.appendingPathComponent(package.path)
                if LocalFiles.exists(local.appendingPathComponent(package.probe)) {
                    log("  \(package.name): download failed (\(error)); using the installed copy in \(local.path)")
                    installed.append(SourceRecord(kind: "installed-deb", name: package.name, version: LocalFiles.installedVersion(of: package.name),
                                                  file: local.path))
                    return local
                }
                throw Self.missingPackage(package.name, what: package.what, path: package.path, underlying: error)
            }
        }

        log("scripture: KJV ↔ WEB verse pairs")
        let kjvVerses = try SwordZText.versesEndingAtChapterEnd(directory: try locate(Self.kjv))
        let webVerses = try SwordZText.versesEndingAtChapterEnd(directory: try locate(Self.web))
        let scripture = ScripturePairs.build(kjv: kjvVerses, web: webVerses, options: scriptureOptions)
        log("  \(scripture.counts.aligned) aligned verses, \(scripture.counts.identical) identical and \(scripture.counts.lengthMismatch) misaligned dropped: \(scripture.pairs.count) pairs, \(scripture.singleToken.count) single-token pairs")

        log("continuation: \(options.continuationSource.rawValue) paragraphs, graded rejections")
        let books: [ContinuationPairs.Book]
        switch options.continuationSource {
        case .prose: books = try Self.austenBooks(database: try locate(Self.austen).appendingPathComponent("Rdata"))
        case .licenses: books = Self.licenseBooks(root: options.systemRoot.appendingPathComponent("usr/share/common-licenses"))
        }
        let otherDomain = Self.chapters(webVerses)
        let continuation = try ContinuationPairs.build(books: books, otherDomain: otherDomain, options: continuationOptions)
        log("  \(continuation.counts.eligibleParagraphs) eligible paragraphs in \(books.count) books, \(continuation.counts.prompts) prompts: \(continuation.pairs.count) pairs")

        try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
        var outputs: [OutputFile] = []
        for (file, pairs) in [(Self.kjvWebFile, scripture.pairs), (Self.singleTokenFile, scripture.singleToken), (Self.continuationFile, continuation.pairs)] {
            let written = try PreferencePairLines.write(pairs, to: options.outputDirectory.appendingPathComponent(file))
            outputs.append(OutputFile(file: file, pairs: pairs.count, bytes: written.bytes, sha256: written.sha256))
        }
        let sources = fetcher.records.keys.sorted().compactMap { fetcher.records[$0] } + installed
        let manifest = Manifest(contextVerses: scriptureOptions.contextVerses, minSharedWords: scriptureOptions.minSharedWords,
                                maxLengthRatio: scriptureOptions.maxLengthRatio, continuationSource: options.continuationSource,
                                promptWords: continuationOptions.promptWords, continuationWords: continuationOptions.continuationWords,
                                prompts: continuationOptions.prompts, seed: continuationOptions.seed,
                                scripture: scripture.counts, continuation: continuation.counts, sources: sources, outputs: outputs,
                                totalSeconds: (Date().timeIntervalSince(started) * 100).rounded() / 100)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(manifest), to: options.outputDirectory.appendingPathComponent(Self.manifestFile))
        return manifest
    }

    /// The error for a package that is neither downloadable nor installed: names it and says how to get it.
    public static func missingPackage(_ name: String, what: String, path: String, underlying: Error) -> CorpusError {
        .missingSource("""
            Debian package \(name) (\(what)) is needed but could not be fetched: \(underlying)
            It is in Debian 12 (bookworm) main. Either run this command where `apt-get update` and `apt-get download \(name)` work \
            (root and access to the Debian archive; the .deb is cached under the --sources directory), \
            or install it with `sudo apt-get install \(name)` (its files are then read from /\(path)).
            """)
    }

    /// Austen's six novels as books of paragraphs; paragraph ids `janeaustenr/NOVEL/CHAPTER.PARAGRAPH`,
    /// CHAPTER numbered as in the prose domain's document ids.
    static func austenBooks(database base: URL) throws -> [ContinuationPairs.Book] {
        let database = try RLazyLoadDatabase(base: base)
        var books: [ContinuationPairs.Book] = []
        for name in database.names.sorted() {
            guard case .strings(let lines) = try database.object(named: name).bare else { continue }
            var paragraphs: [(id: String, text: String)] = []
            for (chapter, text) in AustenChapters.split(lines.map { $0 ?? "" }).enumerated() {
                for (index, paragraph) in TextSources.paragraphs(text).enumerated() {
                    paragraphs.append(("janeaustenr/\(name)/\(chapter).\(index)", paragraph))
                }
            }
            books.append(ContinuationPairs.Book(name: name, paragraphTexts: paragraphs))
        }
        return books
    }

    /// The licence texts, one book per file (symbolic links skipped), paragraphs seen in an earlier file
    /// (case- and whitespace-normalised) removed; ids `common-licenses/FILE/PARAGRAPH`.
    static func licenseBooks(root: URL) -> [ContinuationPairs.Book] {
        var seen = Set<[UInt8]>()
        var books: [ContinuationPairs.Book] = []
        for file in LocalFiles.files(under: root, include: { _ in true }) {
            guard let text = try? LocalFiles.text(file.url) else { continue }
            var paragraphs: [(id: String, text: String)] = []
            for (index, paragraph) in TextSources.paragraphs(text).enumerated() {
                let key = TextSources.normalizedKey(paragraph.utf8)
                if !key.isEmpty, seen.insert(key).inserted { paragraphs.append(("common-licenses/\(file.relative)/\(index)", paragraph)) }
            }
            if !paragraphs.isEmpty { books.append(ContinuationPairs.Book(name: file.relative, paragraphTexts: paragraphs)) }
        }
        return books
    }

    /// Chapters of the 66 books (as word lists), in module order: the other domain of grade 1.
    static func chapters(_ verses: [SwordZText.Verse]) -> [[String]] {
        var chapters: [[String]] = []
        var last = ""
        for verse in verses where ScripturePairs.bookNames[verse.book] != nil {
            let key = "\(verse.book).\(verse.chapter)"
            if key != last { chapters.append([]); last = key }
            chapters[chapters.count - 1] += ScripturePairs.words(verse.text)
        }
        return chapters
    }
}
