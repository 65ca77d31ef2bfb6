import Testing
import Foundation
import OrchardTensor
@testable import OrchardMethods

@Suite struct MixtureSamplerTests {
    /// Four domains of uneven size; document lengths vary (some shorter than a window, one too short to use).
    static func catalog() throws -> MixtureCatalog {
        var rng = SeededRandom(seed: 99)
        let spec: [(String, Int, Int)] = [("prose", 40, 300), ("code", 25, 200), ("arithmetic", 15, 120), ("noise", 10, 90)]
        return try MixtureCatalog(domains: spec.map { name, count, maxLen in
            MixtureDomain(name: name, documents: (0..<count).map { i in
                MixtureDocument(id: "\(name)-\(i)", length: i == 3 ? 1 : 2 + Int(rng.next() % UInt64(maxLen)))
            })
        })
    }

    /// A deterministic stand-in for training: per-sequence loss from the domain's power law in the step,
    /// with noise hashed from (document, offset), so a resumed run sees exactly the same losses.
    static func losses(for batch: [SampledSequence], step: Int) -> [Double] {
        batch.map { s in
            var h = SeededRandom(seed: UInt64(s.pieces[0].offset), stream: [UInt64(s.pieces[0].documentIndex), UInt64(s.domain)])
            let noise = 0.02 * h.nextGaussian()
            let n = Double(16 * (step + 1))
            switch s.domain {
            case 0: return (1.0 + 6 * Foundation.pow(n, -0.3)) * (1 + noise)
            case 1: return (0.8 + 5 * Foundation.pow(n, -0.25)) * (1 + noise)
            case 2: return (0.3 + 40 * Foundation.pow(n, -1.2)) * (1 + noise)
            default: return 4.5 * (1 + noise)
            }
        }
    }

    static func adoStrategy() -> MixtureStrategy {
        var c = ADOConfig()
        c.updateInterval = .value(50); c.ignoreSteps = .value(20); c.startStep = .value(60)
        c.subsample = .value(2); c.smoothingWindow = .value(15)
        return .ado(c)
    }

    static func run(_ sampler: inout MixtureSampler, steps: Range<Int>, batch: Int = 16) throws -> [[SampledSequence]] {
        var out: [[SampledSequence]] = []
        for step in steps {
            let b = try sampler.nextBatch(size: batch)
            try sampler.observe(b, losses: losses(for: b, step: step))
            out.append(b)
        }
        return out
    }

    @Test func killAndResumeGivesTheSameMixtureTrajectory() throws {
        let cat = try Self.catalog()
        var uninterrupted = try MixtureSampler(catalog: cat, strategy: Self.adoStrategy(), seed: 0xDEAD_BEEF_CAFE_F00D,
                                               sequenceLength: 32, totalSteps: 300, vocabularySize: 256)
        let all = try Self.run(&uninterrupted, steps: 0..<300)

        var first = try MixtureSampler(catalog: cat, strategy: Self.adoStrategy(), seed: 0xDEAD_BEEF_CAFE_F00D,
                                       sequenceLength: 32, totalSteps: 300, vocabularySize: 256)
        let head = try Self.run(&first, steps: 0..<130)
        let saved = try JSONEncoder().encode(first.state)
        let restoredState = try JSONDecoder().decode(MixtureSamplerState.self, from: saved)
        #expect(restoredState == first.state)
        var resumed = try MixtureSampler(catalog: cat, state: restoredState)
        let tail = try Self.run(&resumed, steps: 130..<300)

        #expect(head + tail == all)
        #expect(resumed.state == uninterrupted.state)
        #expect(resumed.weights == uninterrupted.weights)
        let refits = try #require(resumed.adoPolicy?.state.refits)
        #expect(refits.count >= 4)
        #expect(resumed.weights != cat.naturalWeights)
    }

    @Test func sameSeedSameBatchesOtherSeedOtherBatches() throws {
        let cat = try Self.catalog()
        func draws(_ seed: UInt64) throws -> [[SampledSequence]] {
            var s = try MixtureSampler(catalog: cat, strategy: .uniform, seed: seed, sequenceLength: 16, totalSteps: 10, vocabularySize: 256)
            return try (0..<10).map { _ in try s.nextBatch(size: 8) }
        }
        #expect(try draws(1) == draws(1))
        #expect(try draws(1) != draws(2))
    }

    @Test func packedSequencesHoldExactlyTheirLengthAndReadEachDomainInOrder() throws {
        let cat = try Self.catalog()
        var s = try MixtureSampler(catalog: cat, strategy: .natural, seed: 3, sequenceLength: 32, totalSteps: 100, vocabularySize: 256)
        #expect(s.state.packed)
        var stream: [[DocumentWindow]] = Array(repeating: [], count: cat.domains.count)
        for _ in 0..<60 {
            for seq in try s.nextBatch(size: 16) {
                #expect(seq.length == 32, "every packed sequence is full")
                for w in seq.pieces {
                    let doc = cat.domains[seq.domain].documents[w.documentIndex]
                    #expect(doc.id == w.documentID && w.length >= 1 && w.offset + w.length <= doc.length)
                }
                stream[seq.domain] += seq.pieces
            }
        }
        // Per domain, the windows tile the documents: each continues where the previous stopped, or starts the next
        // document at 0 after the previous one was read to its end.
        for (d, windows) in stream.enumerated() {
            for (prev, next) in zip(windows, windows.dropFirst()) {
                let prevLength = cat.domains[d].documents[prev.documentIndex].length
                if next.documentID == prev.documentID && next.offset != 0 {
                    #expect(next.offset == prev.offset + prev.length)
                } else {
                    #expect(next.offset == 0 && prev.offset + prev.length == prevLength, "\(prev) → \(next)")
                }
            }
        }
        #expect(stream.flatMap { $0 }.contains { $0.offset > 0 }, "documents longer than a sequence span several")
    }

    /// Packing is what makes a fixed mixture's realised token shares equal its weights: unpacked, a domain of short
    /// documents yields short windows and gets fewer tokens than its draws.
    @Test func packedTokenSharesMatchTheMixtureAndUnpackedOnesDoNot() throws {
        let cat = try Self.catalog()
        func shares(packed: Bool) throws -> [Double] {
            var s = try MixtureSampler(catalog: cat, strategy: .uniform, seed: 9, sequenceLength: 128, totalSteps: 100,
                                       vocabularySize: 256, packed: packed)
            var tokens = [Double](repeating: 0, count: cat.domains.count)
            for _ in 0..<400 { for q in try s.nextBatch(size: 16) { tokens[q.domain] += Double(q.length) } }
            let total = tokens.reduce(0, +)
            return tokens.map { $0 / total }
        }
        let w = 1 / Double(cat.domains.count)
        let packed = try shares(packed: true), unpacked = try shares(packed: false)
        let n = 6400.0, sd = (w * (1 - w) / n).squareRoot()
        for share in packed { #expect(Swift.abs(share - w) < 5 * sd, "packed: \(packed)") }
        // Unpacked, the domain of short documents (noise: ≤ 91 tokens, so at most ~0.7 of a window) falls far below.
        #expect(unpacked[3] < w - 0.03, "unpacked shares follow document lengths: \(unpacked)")
    }

    @Test func unpackedWindowsStayInsideTheirDocumentsAndCoverThemInOrder() throws {
        let cat = try Self.catalog()
        var s = try MixtureSampler(catalog: cat, strategy: .natural, seed: 3, sequenceLength: 32, totalSteps: 100, vocabularySize: 256,
                                   packed: false)
        var byDocument: [String: [DocumentWindow]] = [:]
        for _ in 0..<60 {
            for sequence in try s.nextBatch(size: 16) {
                #expect(sequence.pieces.count == 1)
                let seq = sequence.pieces[0]
                let doc = cat.domains[sequence.domain].documents[seq.documentIndex]
                #expect(doc.id == seq.documentID)
                #expect(seq.length >= 2 && seq.length <= 32 && seq.offset + seq.length <= doc.length)
                byDocument[seq.documentID, default: []].append(seq)
            }
        }
        // Each document is read front to back in consecutive windows; a new epoch restarts it at 0.
        for (_, seqs) in byDocument {
            #expect(seqs[0].offset == 0)
            for (prev, next) in zip(seqs, seqs.dropFirst()) {
                #expect(next.offset == 0 || next.offset == prev.offset + 32)
            }
        }
        #expect(byDocument.values.contains { $0.count > 2 })
        // The one-token document was dropped by the catalog.
        #expect(cat.droppedDocumentCount == 4)
        #expect(byDocument["prose-3"] == nil)
    }

    @Test func empiricalDomainSharesMatchTheWeights() throws {
        let cat = try Self.catalog()
        var s = try MixtureSampler(catalog: cat, strategy: .fixed(["prose": 2, "code": 1, "noise": 1]), seed: 4,
                                   sequenceLength: 8, totalSteps: 100, vocabularySize: 256)
        #expect(s.weights == [0.5, 0.25, 0, 0.25])
        var counts = [0, 0, 0, 0]
        for _ in 0..<500 { for q in try s.nextBatch(size: 40) { counts[q.domain] += 1 } }
        let n = 20_000.0
        #expect(counts[2] == 0)
        for (k, w) in s.weights.enumerated() where w > 0 {
            let sd = (w * (1 - w) / n).squareRoot()
            #expect(Swift.abs(Double(counts[k]) / n - w) < 5 * sd, "domain \(k): \(counts[k])")
        }
    }

    @Test func tombstonedDocumentsAreNeverSampledAgain() throws {
        let cat = try Self.catalog()
        let initial: Set<String> = ["prose-0", "prose-1", "code-7"]
        var s = try MixtureSampler(catalog: cat, strategy: .uniform, seed: 5, sequenceLength: 16, totalSteps: 100,
                                   vocabularySize: 256, excludedDocumentIDs: initial)
        var seen = Set<String>()
        for _ in 0..<50 { for q in try s.nextBatch(size: 16) { seen.formUnion(q.pieces.map(\.documentID)) } }
        #expect(seen.isDisjoint(with: initial))
        #expect(s.trainedDocumentIDs() == seen)

        // Tombstone mid-run, including a whole domain; survive an export/import.
        let later = Set(seen.prefix(10)).union(cat.domains[3].documents.map(\.id))
        s.exclude(documentIDs: later)
        #expect(s.effectiveWeights[3] == 0)
        var resumed = try MixtureSampler(catalog: cat, state: JSONDecoder().decode(MixtureSamplerState.self, from: JSONEncoder().encode(s.state)))
        for _ in 0..<400 {
            for q in try resumed.nextBatch(size: 16) {
                #expect(q.pieces.allSatisfy { !later.contains($0.documentID) && !initial.contains($0.documentID) })
                #expect(q.domain != 3)
            }
        }
        // Nothing left to draw from: a clear error, not a crash or an endless loop.
        resumed.exclude(documentIDs: cat.domains.flatMap { $0.documents.map(\.id) })
        #expect(throws: MixtureError.self) { try resumed.nextBatch(size: 1) }
    }

    @Test func lineageIsReconstructedFromSeedAndCursorsAcrossEpochs() throws {
        let cat = try Self.catalog()
        var s = try MixtureSampler(catalog: cat, strategy: .fixed(["arithmetic": 1, "noise": 1]), seed: 6,
                                   sequenceLength: 64, totalSteps: 100, vocabularySize: 256)
        var seen = Set<String>()
        for step in 0..<12 {
            for q in try s.nextBatch(size: 4) { seen.formUnion(q.pieces.map(\.documentID)) }
            #expect(s.trainedDocumentIDs() == seen, "step \(step)")
        }
        for _ in 0..<40 { for q in try s.nextBatch(size: 4) { seen.formUnion(q.pieces.map(\.documentID)) } }
        #expect(s.state.cursors[2].epoch >= 1)
        #expect(MixtureSampler.reconstructLineage(catalog: cat, seed: 6, cursors: s.state.cursors) == seen)
    }

    @Test func refusesMismatchedStateAndMisuse() throws {
        let cat = try Self.catalog()
        var s = try MixtureSampler(catalog: cat, strategy: Self.adoStrategy(), seed: 7, sequenceLength: 16, totalSteps: 100, vocabularySize: 256)
        let b = try s.nextBatch(size: 4)
        #expect(throws: MixtureError.self) { try s.nextBatch(size: 4) }   // ADO needs the losses first
        #expect(throws: MixtureError.self) { try s.observe(b, losses: [1]) }
        try s.observe(b, losses: Self.losses(for: b, step: 0))
        let other = try MixtureCatalog(domains: [MixtureDomain(name: "x", documents: [MixtureDocument(id: "x0", length: 10)])])
        #expect(throws: MixtureError.self) { try MixtureSampler(catalog: other, state: s.state) }
        #expect(throws: MixtureError.self) {
            try MixtureSampler(catalog: cat, strategy: .fixed(["poetry": 1]), seed: 1, sequenceLength: 16, totalSteps: 10, vocabularySize: 256)
        }
        #expect(throws: MixtureError.self) {
            try MixtureSampler(catalog: cat, strategy: .fixed(["prose": -1]), seed: 1, sequenceLength: 16, totalSteps: 10, vocabularySize: 256)
        }
        #expect(throws: MixtureCatalog.CatalogError.duplicateDocument("a")) {
            try MixtureCatalog(domains: [MixtureDomain(name: "x", documents: [MixtureDocument(id: "a", length: 5), MixtureDocument(id: "a", length: 6)])])
        }
    }

    @Test func strategiesDecodeFromJobJSONAndResolve() throws {
        let cat = try Self.catalog()
        func decode(_ s: String) throws -> MixtureStrategy { try JSONDecoder().decode(MixtureStrategy.self, from: Data(s.utf8)) }
        #expect(try decode(#"{"kind":"natural"}"#) == .natural)
        #expect(try decode(#"{"kind":"uniform"}"#) == .uniform)
        #expect(try decode(#"{"kind":"fixed","weights":{"prose":1}}"#) == .fixed(["prose": 1]))
        #expect(try decode(#"{"kind":"ado"}"#) == .ado(ADOConfig()))
        #expect(throws: (any Error).self) { try decode(#"{"kind":"doremi"}"#) }
        let natural = try MixtureStrategy.natural.resolved(for: cat, totalSteps: 10, vocabularySize: 256)
        let tokens = cat.domains.map { Double($0.tokenCount) }
        for k in 0..<4 { #expect(Swift.abs(natural.initialWeights[k] - tokens[k] / tokens.reduce(0, +)) < 1e-15) }
        let ado = try decode(#"{"kind":"ado","config":{"updateInterval":40}}"#).resolved(for: cat, totalSteps: 1000, vocabularySize: 256)
        #expect(ado.ado?.updateInterval == 40 && ado.ado?.ignoreSteps == 40 && ado.initialWeights == natural.initialWeights)
        let echoed = try JSONDecoder().decode(ResolvedMixtureStrategy.self, from: JSONEncoder().encode(ado))
        #expect(echoed == ado)
    }

    @Test func generatorStateRoundTripsThroughJSON() throws {
        var g = SeededRandom(seed: .max)
        for _ in 0..<5 { _ = g.next() }
        var h = try JSONDecoder().decode(SeededRandom.self, from: JSONEncoder().encode(g))
        for _ in 0..<5 { #expect(g.next() == h.next()) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(SeededRandom.self, from: Data(#"["0","0","0","0"]"#.utf8)) }
    }
}
