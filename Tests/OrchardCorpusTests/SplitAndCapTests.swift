import Foundation
import OrchardTensor
import Testing
@testable import OrchardCorpus

@Suite struct SplitAndCapTests {
    @Test func chunksRespectMaximumAndKeepText() {
        let paragraph = String(repeating: "word ", count: 40) + "\n"
        let text = String(repeating: paragraph + "\n", count: 50) + String(repeating: "x", count: 700)
        let chunks = DocumentChunker.chunks(text, maxBytes: 512)
        #expect(chunks.count > 10)
        #expect(chunks.allSatisfy { $0.utf8.count <= 512 })
        let squeeze = { (s: String) in s.filter { !$0.isWhitespace } }
        #expect(squeeze(chunks.joined()) == squeeze(text))
        #expect(DocumentChunker.chunks("short", maxBytes: 512) == ["short"])
    }

    /// An empty `__init__.py` once became a document with empty text, which the dataset upload (rightly) refused.
    @Test func blankTextsAreNotDocuments() throws {
        for blank in ["", " ", "\n\n", " \t\r\n"] { #expect(DocumentChunker.chunks(blank, maxBytes: 512).isEmpty) }
        let candidates = [DocumentCandidate(id: "code/x:empty/__init__.py", text: ""),
                          DocumentCandidate(id: "code/x:blank.py", text: "  \n"),
                          DocumentCandidate(id: "code/x:a.py", text: "import os\n")]
        let selection = try DomainSampler.select(domain: "code", candidates: candidates, capBytes: 1_000, maxDocumentBytes: 512)
        #expect(selection.documents.map(\.id) == ["code/x:a.py#0"])
        #expect(selection.documents.allSatisfy { !$0.text.isEmpty })
    }

    @Test func heldOutSplitIsDeterministicAndNearItsFraction() throws {
        let split = try HeldOutSplit(fraction: 0.1)
        let ids = (0..<5000).map { "prose/test:doc/\($0)#0" }
        let first = ids.filter(split.isHeldOut), second = ids.filter(split.isHeldOut)
        #expect(first == second)
        #expect(first.count > 400 && first.count < 600)
        #expect(try HeldOutSplit(fraction: 0).isHeldOut("anything") == false)
        #expect(throws: CorpusError.self) { try HeldOutSplit(fraction: 1.5) }
    }

    @Test func everyDomainWithTwoDocumentsGetsAHeldOutDocument() throws {
        let split = try HeldOutSplit(fraction: 0.01)
        let documents = (0..<3).map { Document(id: "tiny/x:\($0)#0", domain: "tiny", text: "t") }
        let (train, heldOut) = split.assign(documents)
        #expect(heldOut.count == 1 && train.count == 2)
        #expect(split.assign(documents.reversed()).heldOut == heldOut)
        #expect(split.assign([documents[0]]).heldOut.isEmpty)
    }

    /// The split is the one pretraining used (OrchardJobs' PretrainCorpus.split, transcribed here as the reference):
    /// same documents held out, same order, on several domains including ones the hash rule leaves empty.
    @Test func splitMatchesThePretrainingRule() throws {
        func reference(_ documents: [Document], fraction: Double) -> (train: [Document], heldOut: [Document]) {
            func h(_ id: String) -> UInt64 {
                var x: UInt64 = 0xcbf2_9ce4_8422_2325
                for b in "heldout:\(id)".utf8 { x = (x ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
                return x
            }
            let threshold = fraction * 18_446_744_073_709_551_616.0
            var held = Set(documents.filter { Double(h($0.id)) < threshold }.map(\.id))
            for (_, docs) in Dictionary(grouping: documents, by: \.domain) where docs.count >= 2 && !docs.contains(where: { held.contains($0.id) }) {
                held.insert(docs.min { h($0.id) < h($1.id) }!.id)
            }
            return (documents.filter { !held.contains($0.id) }, documents.filter { held.contains($0.id) })
        }
        var documents: [Document] = []
        for (domain, count) in [("big", 400), ("mid", 37), ("pair", 2), ("single", 1), ("three", 3)] {
            documents += (0..<count).map { Document(id: "\(domain)-\($0 * 7919 % 1000)", domain: domain, text: "t") }
        }
        documents.sort { String($0.id.reversed()) < String($1.id.reversed()) }  // interleave the domains
        for fraction in [0.001, 0.05, 0.1, 0.5, 0.9] {
            let ours = try HeldOutSplit(fraction: fraction).assign(documents), theirs = reference(documents, fraction: fraction)
            #expect(ours.train == theirs.train && ours.heldOut == theirs.heldOut, "fraction \(fraction)")
            #expect(Set(ours.heldOut.map(\.domain)).isSuperset(of: ["big", "mid", "pair", "three"]))
        }
        #expect(try HeldOutSplit(fraction: 0).assign(documents).heldOut.isEmpty)
        #expect(HeldOutSplit.hash("") == 0xb22f_0095_9c77_89c8)  // FNV-1a 64 of "heldout:" (independent reference)
    }

    @Test func paragraphDeduplicationKeysIgnoreCaseAndSpacing() {
        #expect(TextSources.normalizedKey(Array("  Copyright (C)\n\t2001  Foo ".utf8)) == Array("copyright (c) 2001 foo".utf8))
        #expect(TextSources.paragraphs("a\nb\n \n\nc\n") == ["a\nb", "c"])
    }

    @Test func samplerRespectsCapWithStableIDs() throws {
        let candidates = (0..<300).map { DocumentCandidate(id: "quotes/test:file/\($0)", text: String(repeating: "q\($0) ", count: 10 + $0 % 50)) }
        let one = try DomainSampler.select(domain: "quotes", candidates: candidates, capBytes: 10_000, maxDocumentBytes: 4096)
        let two = try DomainSampler.select(domain: "quotes", candidates: candidates.reversed(), capBytes: 10_000, maxDocumentBytes: 4096)
        #expect(one.bytes <= 10_000 && one.bytes > 9_000)
        #expect(one.documents == two.documents)  // order of listing does not matter
        #expect(one.documents.allSatisfy { $0.domain == "quotes" && $0.id.hasSuffix("#0") })
        // A bigger cap keeps a superset: the sample grows, it does not reshuffle.
        let bigger = try DomainSampler.select(domain: "quotes", candidates: candidates, capBytes: 20_000, maxDocumentBytes: 4096)
        #expect(Set(bigger.documents.map(\.id)).isSuperset(of: one.documents.map(\.id)))
    }

    @Test func duplicateCandidateIDsAreAnError() {
        let candidates = [DocumentCandidate(id: "d/x", text: "a"), DocumentCandidate(id: "d/x", text: "b")]
        #expect(throws: CorpusError.self) { try DomainSampler.select(domain: "d", candidates: candidates, capBytes: 100, maxDocumentBytes: 300) }
    }

    @Test func jsonLinesRoundTripAndEscaping() throws {
        let documents = [Document(id: "a/b:c#0", domain: "a", text: "tab\tquote\" back\\ nl\n ctl\u{01} é 🍎 /slash")]
        let directory = try Fixtures.temporaryDirectory("jsonl")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("x.jsonl")
        let written = try JSONLines.write(documents, to: url)
        #expect(try JSONLines.read(url) == documents)
        #expect(written.sha256 == (try SHA256Hasher.hexDigest(ofFile: url)))
        #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self).hasPrefix("{\"id\":\"a/b:c#0\",\"domain\":\"a\",\"text\":\"tab\\tquote\\\""))
    }
}
