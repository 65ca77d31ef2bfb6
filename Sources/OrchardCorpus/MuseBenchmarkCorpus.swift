import Foundation
import OrchardTensor

/// A MUSE-shaped unlearning benchmark from real text (docs/data.md (b); spec algorithms-2 §2.1, §2.7): Jane Austen's
/// novels (Debian r-cran-janeaustenr), one document per chapter, id `austen/NOVEL/CHAPTER`, domain = the novel.
///   forget   = *Pride and Prejudice* (the book a deletion request removes);
///   retain   = *Emma*, *Mansfield Park*, *Sense and Sensibility* (trained, must be kept);
///   holdout  = *Persuasion*, *Northanger Abbey* (never trained: the MIA's non-members).
/// Files (each written atomically; SHA-256 in `manifest.json`):
///   `train.jsonl`        forget + retain: the target model's dataset (upload it, pretrain on it);
///   `forget.jsonl`       the forget book again, as an evaluation set (`unlearn_eval`'s forget_dataset: a deletion
///                        request purges the text from the training dataset);
///   `retain_eval.jsonl`  every 4th retain chapter (`unlearn_eval`'s retain_dataset);
///   `holdout.jsonl`      the two unseen novels;
///   `splits.json`        `scalability`: nested forget sets of the first 5, 10, 20, 40 forget chapters (each request
///                        starts from the target); `sustainability`: 4 disjoint sets of 10 chapters (1–10, 11–20,
///                        21–30, 31–40), applied in sequence.
public struct MuseBenchmarkCorpus {
    public static let forgetBook = "prideprejudice"
    public static let retainBooks = ["emma", "mansfieldpark", "sensesensibility"]
    public static let holdoutBooks = ["persuasion", "northangerabbey"]
    public static let scalabilitySizes = [5, 10, 20, 40]
    public static let sustainabilityBlocks = 4, sustainabilityBlockSize = 10

    public struct Output: Codable, Sendable, Equatable {
        public var file: String
        public var documents: Int
        public var bytes: Int
        public var sha256: String
    }

    public struct Splits: Codable, Sendable, Equatable {
        public var forget_book: String
        public var retain_books: [String]
        public var holdout_books: [String]
        /// Nested forget sets (document ids), smallest first.
        public var scalability: [[String]]
        /// Disjoint forget sets, applied in sequence.
        public var sustainability: [[String]]
    }

    public struct Manifest: Codable, Sendable, Equatable {
        public var outputs: [Output]
        public var splits: String
        public var sources: [SourceRecord]
    }

    public let outputDirectory: URL
    public let sourceDirectory: URL
    public let log: (String) -> Void

    public init(outputDirectory: URL, sourceDirectory: URL, log: @escaping (String) -> Void = { _ in }) {
        self.outputDirectory = outputDirectory; self.sourceDirectory = sourceDirectory; self.log = log
    }

    /// The novels by name, as chapters.
    public static func novels(database base: URL) throws -> [String: [String]] {
        let database = try RLazyLoadDatabase(base: base)
        var out: [String: [String]] = [:]
        for name in database.names {
            guard case .strings(let lines) = try database.object(named: name).bare else { continue }
            out[name] = AustenChapters.split(lines.map { $0 ?? "" })
        }
        return out
    }

    /// Builds the files from novels already split into chapters (what `build()` reads from the package).
    public static func documents(novels: [String: [String]]) throws -> (train: [Document], forget: [Document], retainEval: [Document],
                                                                      holdout: [Document], splits: Splits) {
        func docs(_ name: String) throws -> [Document] {
            guard let chapters = novels[name], !chapters.isEmpty else { throw CorpusError.missingSource("janeaustenr has no novel '\(name)'") }
            return chapters.enumerated().map { Document(id: "austen/\(name)/\(String(format: "%03d", $0.offset))", domain: name, text: $0.element) }
        }
        let forget = try docs(forgetBook)
        let retain = try retainBooks.flatMap { try docs($0) }
        let holdout = try holdoutBooks.flatMap { try docs($0) }
        guard forget.count >= sustainabilityBlocks * sustainabilityBlockSize, forget.count >= scalabilitySizes.last! else {
            throw CorpusError.invalidOption("the forget book has \(forget.count) chapters; the splits need 40")
        }
        let ids = forget.map(\.id)
        let splits = Splits(forget_book: forgetBook, retain_books: retainBooks, holdout_books: holdoutBooks,
                            scalability: scalabilitySizes.map { Array(ids.prefix($0)) },
                            sustainability: (0..<sustainabilityBlocks).map { Array(ids[($0 * sustainabilityBlockSize)..<(($0 + 1) * sustainabilityBlockSize)]) })
        let retainEval = retain.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)
        return (forget + retain, forget, retainEval, holdout, splits)
    }

    public func build() throws -> Manifest {
        let fetcher = SourceFetcher(root: sourceDirectory, log: log)
        let package = try fetcher.debianPackage("r-cran-janeaustenr")
        let novels = try Self.novels(database: package.appendingPathComponent("usr/lib/R/site-library/janeaustenr/data/Rdata"))
        let built = try Self.documents(novels: novels)
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        var outputs: [Output] = []
        for (file, documents) in [("train.jsonl", built.train), ("forget.jsonl", built.forget), ("retain_eval.jsonl", built.retainEval),
                                  ("holdout.jsonl", built.holdout)] {
            // Written beside the target and renamed into place: a crash leaves the old file or the new one.
            let temporary = outputDirectory.appendingPathComponent(".\(file).tmp")
            let written = try JSONLines.write(documents, to: temporary)
            guard rename(temporary.path, outputDirectory.appendingPathComponent(file).path) == 0 else {
                throw CorpusError.invalidOption("cannot move \(temporary.path) into place (errno \(errno))")
            }
            outputs.append(Output(file: file, documents: documents.count, bytes: written.bytes, sha256: written.sha256))
            log("\(file): \(documents.count) documents, \(written.bytes) bytes")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(built.splits), to: outputDirectory.appendingPathComponent("splits.json"))
        let manifest = Manifest(outputs: outputs, splits: "splits.json", sources: fetcher.records.keys.sorted().compactMap { fetcher.records[$0] })
        try AtomicFile.write(try encoder.encode(manifest), to: outputDirectory.appendingPathComponent("manifest.json"))
        return manifest
    }
}
