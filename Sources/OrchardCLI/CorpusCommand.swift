import ArgumentParser
import Foundation
import OrchardCorpus

/// `orchard corpus prepare | debian-descriptions | preferences`: builds the real-text corpora of docs/data.md.
struct CorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "corpus", abstract: "Prepare real text corpora (docs/data.md).",
                                                    subcommands: [Prepare.self, DebianDescriptionsCommand.self, Preferences.self, Muse.self])

    struct Prepare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prepare",
            abstract: "Build the multi-domain pretraining corpus: DIR/train.jsonl, DIR/heldout.jsonl, DIR/manifest.json.")
        @Option(help: "Output directory.") var out: String
        @Option(help: "Comma-separated domain names (default: all of the catalogue).") var domains: String?
        @Option(help: "Byte cap per domain (train + held-out).") var capBytes: Int = 4_000_000
        @Option(help: "Where downloaded packages are kept.") var sources: String = "data/corpus/sources"
        @Option(help: "Share of documents held out (by a hash of the id).") var heldOutFraction: Double = 0.1
        @Flag(help: "Only the domains that need no download (read from this machine's files).") var offline = false

        func run() async throws {
            guard capBytes > 0 else { throw ValidationError("--cap-bytes must be > 0") }
            let names = domains.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            let preparer = CorpusPreparer(options: .init(
                outputDirectory: URL(fileURLWithPath: out), sourceDirectory: URL(fileURLWithPath: sources), domains: names,
                capBytes: capBytes, heldOutFraction: heldOutFraction, offline: offline),
                log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
            do { _ = try preparer.selectedDomains() } catch { throw ValidationError("\(error)") }
            let manifest = try preparer.prepare()
            for d in manifest.domains {
                print("\(d.name)\t\(d.documents) documents\t\(d.bytes) bytes\t\(d.heldOutDocuments) held out")
            }
            print("wrote \(out)/train.jsonl and \(out)/heldout.jsonl; import with: orchard datasets upload \(out)/train.jsonl --name NAME")
        }
    }

    struct DebianDescriptionsCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "debian-descriptions", abstract: "Build the topic-model corpus: Debian descriptions labelled by Section.")
        @Option(help: "Output JSONL file.") var out: String
        @Option(help: "clean | per-source | all") var variant: String = "clean"
        @Option(help: "Where downloaded packages are kept.") var sources: String = "data/corpus/sources"
        @Flag(help: "Read this machine's /var/lib/dpkg/status instead of downloading the archive's Packages.") var offline = false

        func run() async throws {
            guard let v = DebianDescriptions.Variant(rawValue: variant) else {
                throw ValidationError("--variant must be one of \(DebianDescriptions.Variant.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let summary = try DebianDescriptionCorpus(options: .init(
                outputFile: URL(fileURLWithPath: out), sourceDirectory: URL(fileURLWithPath: sources), variant: v, offline: offline),
                log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }).build()
            print("\(summary.documents) documents, \(summary.bytes) bytes, \(summary.sections.count) sections -> \(out)")
        }
    }

    struct Preferences: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "preferences",
            abstract: "Build preference-pair JSONL for DPO: DIR/kjv_web.jsonl, DIR/kjv_web_single_token.jsonl, DIR/continuation_graded.jsonl.")
        @Option(help: "Output directory.") var out: String
        @Option(help: "Where downloaded packages are kept.") var sources: String = "data/corpus/sources"
        @Option(help: "Preceding WEB verses (same chapter) quoted in a verse pair's prompt.") var contextVerses: Int = 2
        @Option(help: "Shared word prefix a single-token pair needs.") var minSharedWords: Int = 3
        @Option(help: "Paragraphs of the continuation source: prose (Jane Austen, downloaded) | licenses (/usr/share/common-licenses).")
        var continuationSource: String = "prose"
        @Option(help: "Continuation pairs: prompt length in words.") var promptWords: Int = 32
        @Option(help: "Continuation pairs: chosen/rejected length in words.") var continuationWords: Int = 16
        @Option(help: "Continuation pairs: paragraphs sampled, up to 3 pairs each (0 = all).") var prompts: Int = 1000
        @Option(help: "Seed of the continuation sampling and corruptions.") var seed: UInt64 = 0

        func run() async throws {
            guard let source = PreferencePairCorpus.ContinuationSource(rawValue: continuationSource) else {
                throw ValidationError("--continuation-source must be one of \(PreferencePairCorpus.ContinuationSource.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard contextVerses >= 0 else { throw ValidationError("--context-verses must be >= 0") }
            guard minSharedWords >= 1 else { throw ValidationError("--min-shared-words must be >= 1") }
            guard promptWords >= 1, continuationWords >= 1 else { throw ValidationError("--prompt-words and --continuation-words must be >= 1") }
            guard prompts >= 0 else { throw ValidationError("--prompts must be >= 0") }
            let manifest = try PreferencePairCorpus(options: .init(
                outputDirectory: URL(fileURLWithPath: out), sourceDirectory: URL(fileURLWithPath: sources),
                scripture: .init(contextVerses: contextVerses, minSharedWords: minSharedWords),
                continuation: .init(promptWords: promptWords, continuationWords: continuationWords, prompts: prompts, seed: seed),
                continuationSource: source),
                log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }).build()
            for output in manifest.outputs { print("\(output.file)\t\(output.pairs) pairs\t\(output.bytes) bytes") }
            let s = manifest.scripture
            print("scripture: \(s.kjvVerses) KJV / \(s.webVerses) WEB verses, \(s.aligned) aligned, \(s.identical) identical, \(s.lengthMismatch) misaligned -> \(s.pairs) pairs; \(s.sharedPrefixPairs) share >= \(minSharedWords) words -> \(s.singleToken) single-token")
            print("continuation: \(manifest.continuation.prompts) prompts; " + manifest.continuation.byGrade.keys.sorted().map { "\($0) \(manifest.continuation.byGrade[$0]!)" }.joined(separator: ", "))
            print("import with: orchard datasets upload \(out)/kjv_web.jsonl --name NAME --kind preference_pairs")
        }
    }

    struct Muse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "muse",
            abstract: "Build a MUSE-shaped unlearning benchmark from Jane Austen (forget Pride and Prejudice; retain Emma, Mansfield Park, Sense and Sensibility; holdout Persuasion, Northanger Abbey): DIR/train.jsonl, forget.jsonl, retain_eval.jsonl, holdout.jsonl, splits.json, manifest.json.")
        @Option(help: "Output directory.") var out: String
        @Option(help: "Where downloaded packages are kept.") var sources: String = "data/corpus/sources"

        func run() async throws {
            let manifest = try MuseBenchmarkCorpus(outputDirectory: URL(fileURLWithPath: out), sourceDirectory: URL(fileURLWithPath: sources),
                                                   log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }).build()
            for o in manifest.outputs { print("\(o.file)\t\(o.documents) documents\t\(o.bytes) bytes") }
            print("import with: orchard datasets upload \(out)/train.jsonl --name austen (then forget.jsonl, holdout.jsonl, retain_eval.jsonl for unlearn_eval)")
        }
    }
}
