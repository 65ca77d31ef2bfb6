import Foundation
import Testing
@testable import OrchardCorpus

/// The no-download path end to end: real local text, small caps, run twice.
@Suite struct OfflinePreparationTests {
    @Test func buildsSixOrMoreDomainsDeterministically() throws {
        let directory = try Fixtures.temporaryDirectory("offline")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cap = 60_000
        func run(_ name: String) throws -> CorpusManifest {
            let options = CorpusPreparer.Options(outputDirectory: directory.appendingPathComponent(name),
                                                 sourceDirectory: directory.appendingPathComponent("sources"),
                                                 capBytes: cap, maxDocumentBytes: 8192, heldOutFraction: 0.2, offline: true)
            return try CorpusPreparer(options: options, log: { _ in }).prepare()
        }
        let first = try run("one"), second = try run("two")
        #expect(first.domains.count >= 6)
        #expect(first.outputs.map(\.sha256) == second.outputs.map(\.sha256))

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
        let split = try HeldOutSplit(fraction: 0.2)
        #expect(heldOut.allSatisfy { split.isHeldOut($0.id) } && train.allSatisfy { !split.isHeldOut($0.id) })
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
