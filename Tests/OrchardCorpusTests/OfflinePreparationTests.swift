import Foundation
import Testing
@testable import OrchardCorpus

/// The no-download path end to end: real local text, small caps, run twice.
@Suite struct OfflinePreparationTests {
    @Test func buildsSixOrMoreDomainsDeterministically() throws {
        let directory = try Fixtures.temporaryDirectory("offline")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cap = 60_000
        func run(_ name: String, domains: [String]? = nil) throws -> CorpusManifest {
            let options = CorpusPreparer.Options(outputDirectory: directory.appendingPathComponent(name),
                                                 sourceDirectory: directory.appendingPathComponent("sources"), domains: domains,
                                                 capBytes: cap, maxDocumentBytes: 8192, heldOutFraction: 0.2, offline: true)
            return try CorpusPreparer(options: options, log: { _ in }).prepare()
        }
        let first = try run("one")
        #expect(first.domains.count >= 6)
        // Same options, same bytes; and a domain's documents do not depend on which other domains are built.
        let cheap = ["licenses", "python", "descriptions"]
        let again = try run("two", domains: cheap), third = try run("three", domains: cheap)
        #expect(again.outputs.map(\.sha256) == third.outputs.map(\.sha256))
        let full = try JSONLines.read(directory.appendingPathComponent("one/train.jsonl")).filter { cheap.contains($0.domain) }
        #expect(try JSONLines.read(directory.appendingPathComponent("two/train.jsonl")) == full)

        let train = try JSONLines.read(directory.appendingPathComponent("one/train.jsonl"))
        let heldOut = try JSONLines.read(directory.appendingPathComponent("one/heldout.jsonl"))
        #expect(Set(train.map(\.id)).isDisjoint(with: heldOut.map(\.id)))
        #expect(Set(train.map(\.id) + heldOut.map(\.id)).count == train.count + heldOut.count)
        for domain in first.domains {
            #expect(domain.bytes <= cap, "\(domain.name) over its cap")
            #expect(domain.documents > 0)
            let inHeldOut = heldOut.filter { $0.domain == domain.name }
            #expect(inHeldOut.count == domain.heldOutDocuments)
            #expect(domain.heldOutDocuments > 0, "\(domain.name) has no held-out document")
        }
        // The hash rule decides, except that a domain the rule leaves without held-out documents gets one.
        let split = try HeldOutSplit(fraction: 0.2)
        #expect(train.allSatisfy { !split.isHeldOut($0.id) })
        #expect(heldOut.filter { !split.isHeldOut($0.id) }.count <= first.domains.count)
        #expect((train + heldOut).allSatisfy { $0.text.utf8.count <= 8192 && $0.id.hasPrefix($0.domain + "/") })
        let manifest = try CorpusManifest.read(directory.appendingPathComponent("one/manifest.json"))
        #expect(manifest.outputs[0].documents == train.count)
        #expect(manifest.sources.contains { $0.name == "base-files" && $0.version != nil })
    }

    @Test func unknownDomainIsAClearError() throws {
        let options = CorpusPreparer.Options(outputDirectory: URL(fileURLWithPath: "/nonexistent"), domains: ["licenses", "poetry"], offline: true)
        #expect(throws: CorpusError.invalidOption("unknown domain(s) poetry; offline domains: licenses, copyright, python, c-headers, changelogs, descriptions, manpages")) {
            try CorpusPreparer(options: options, log: { _ in }).selectedDomains()
        }
    }
}
