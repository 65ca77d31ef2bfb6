import ArgumentParser
import Foundation
import OrchardCorpus

/// `orchard corpus prepare | debian-descriptions`: builds the real-text corpora of docs/data.md.
struct CorpusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "corpus", abstract: "Prepare real text corpora (docs/data.md).",
                                                    subcommands: [Prepare.self, DebianDescriptionsCommand.self])

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
}
