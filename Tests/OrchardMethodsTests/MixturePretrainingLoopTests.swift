import Testing
import Foundation
import OrchardTensor
@testable import OrchardMethods

/// A real (tiny) language model for loop tests: an ASCII bigram model (128 symbols), logits W[prev][next], trained by SGD
/// on mean-token cross-entropy. Small enough to train hundreds of steps in well under a second.
struct BigramLanguageModel: MixtureTrainable, Equatable {
    var logits = [Double](repeating: 0, count: 128 * 128)
    var learningRate: Double

    private func sequenceLoss(_ s: [Int32], gradient: inout [Double]?, scale: Double) -> Double {
        guard s.count >= 2 else { return 0 }
        var loss = 0.0
        let n = Double(s.count - 1)
        for i in 0..<(s.count - 1) {
            let row = Int(s[i]) * 128, target = Int(s[i + 1])
            var m = -Double.infinity
            for j in 0..<128 { m = Swift.max(m, logits[row + j]) }
            var z = 0.0
            for j in 0..<128 { z += Foundation.exp(logits[row + j] - m) }
            loss += -(logits[row + target] - m - Foundation.log(z))
            if gradient != nil {
                for j in 0..<128 { gradient![row + j] += scale / n * Foundation.exp(logits[row + j] - m) / z }
                gradient![row + target] -= scale / n
            }
        }
        return loss / n
    }

    mutating func trainStep(_ batch: [[Int32]]) throws -> [Double] {
        var g: [Double]? = [Double](repeating: 0, count: logits.count)
        let losses = batch.map { sequenceLoss($0, gradient: &g, scale: 1 / Double(batch.count)) }
        for i in 0..<logits.count where g![i] != 0 { logits[i] -= learningRate * g![i] }
        return losses
    }

    func evaluate(_ sequences: [[Int32]]) throws -> [Double] {
        var none: [Double]? = nil
        return sequences.map { sequenceLoss($0, gradient: &none, scale: 0) }
    }
}

@Suite struct MixturePretrainingLoopTests {
    static let prose = """
    The orchard lay on the south side of the hill, where the morning sun reached the trees before it reached the \
    house. Every autumn the family gathered the apples in wide baskets and carried them down the path to the old \
    barn, where the cider press stood waiting under a grey canvas sheet. The children counted the baskets and the \
    grown-ups argued about the weather, and in the evening everyone sat by the fire and talked about the year.
    """

    /// Three domains: prose (learnable), a slot-filled template (saturates fast), random printable bytes (noise).
    static func corpus() -> (texts: [String: String], domains: [String: String]) {
        var texts: [String: String] = [:], domains: [String: String] = [:]
        let words = prose.split(separator: " ")
        for i in 0..<12 {
            let id = "prose-\(i)"
            texts[id] = words.shuffledDeterministically(seed: UInt64(i)).joined(separator: " ")
            domains[id] = "prose"
        }
        let names = ["Ann", "Bob", "Cy", "Dee"], days = ["Monday", "Friday"]
        for i in 0..<8 {
            let id = "template-\(i)"
            texts[id] = (0..<6).map { j in "Dear \(names[(i + j) % 4]), order \(100 + i * 7 + j) ships \(days[(i + j) % 2]).\n" }.joined()
            domains[id] = "template"
        }
        var rng = SeededRandom(seed: 42)
        for i in 0..<8 {
            let id = "noise-\(i)"
            texts[id] = String(decoding: (0..<300).map { _ in UInt8(32 + rng.next() % 95) }, as: UTF8.self)
            domains[id] = "noise"
        }
        return (texts, domains)
    }

    static func loop(model: BigramLanguageModel, sampler: MixtureSampler, tokens: InMemoryDocumentTokens) throws
        -> PretrainingLoop<BigramLanguageModel> {
        // Catalog order: noise, prose, template.
        let heldOut: [[[Int32]]] = [
            [Array("q8#Lz!v0 ~Rk2&mWp;".utf8).map { Int32($0) }],
            [Array("the family sat by the fire and talked about the apples".utf8).map { Int32($0) }],
            [Array("Dear Bob, order 131 ships Monday.\n".utf8).map { Int32($0) }],
        ]
        return try PretrainingLoop(model: model, sampler: sampler, tokens: tokens, batchSize: 16,
                                   heldOut: heldOut, evaluateEvery: 40)
    }

    static func sampler(_ catalog: MixtureCatalog) throws -> MixtureSampler {
        var c = ADOConfig()
        c.updateInterval = .value(30); c.ignoreSteps = .value(10); c.startStep = .value(30); c.subsample = .value(1)
        return try MixtureSampler(catalog: catalog, strategy: .ado(c), seed: 2024, sequenceLength: 32,
                                  totalSteps: 200, vocabularySize: 256)
    }

    @Test func adoLoopTrainsAndResumesOnTheSameTrajectory() throws {
        let (texts, domains) = Self.corpus()
        let tokens = InMemoryDocumentTokens(texts: texts)
        let catalog = try tokens.catalog(domainOf: domains)
        #expect(catalog.domainNames == ["noise", "prose", "template"])
        let prior = catalog.naturalWeights

        var whole = try Self.loop(model: BigramLanguageModel(learningRate: 2), sampler: Self.sampler(catalog), tokens: tokens)
        var reports: [PretrainingStepReport] = []
        for _ in 0..<200 { reports.append(try whole.step()) }

        // Resume from step 97: the model's parameters plus the sampler state as JSON.
        var head = try Self.loop(model: BigramLanguageModel(learningRate: 2), sampler: Self.sampler(catalog), tokens: tokens)
        for _ in 0..<97 { _ = try head.step() }
        let saved = try JSONEncoder().encode(head.sampler.state)
        let restored = try MixtureSampler(catalog: catalog, state: JSONDecoder().decode(MixtureSamplerState.self, from: saved))
        var tail = try PretrainingLoop(model: head.model, sampler: restored, tokens: tokens, batchSize: 16,
                                       heldOut: whole.heldOut, evaluateEvery: 40, tokensSeen: head.tokensSeen)
        var tailReports: [PretrainingStepReport] = []
        for _ in 97..<200 { tailReports.append(try tail.step()) }
        #expect(tail.model == whole.model)
        #expect(tail.sampler.state == whole.sampler.state)
        #expect(tailReports.map(\.weights) == reports[97...].map(\.weights))
        #expect(tailReports.map(\.meanTrainLoss) == reports[97...].map(\.meanTrainLoss))

        // It trains: held-out loss on prose and template falls well below ln 256.
        let evals = reports.compactMap(\.heldOutLossByDomain)
        #expect(evals.count == 5)
        print("held-out loss per domain (noise, prose, template): first \(evals.first!) last \(evals.last!); final π \(reports.last!.weights) μ \(prior)")
        #expect(evals.last![1] < evals.first![1] && evals.last![2] < evals.first![2])
        #expect(evals.last![1] < 3.2 && evals.last![2] < 4.0)
        #expect(evals.last![0] > 4.0)   // random bytes stay near ln 95 or worse
        #expect(reports.contains { $0.refit != nil })
        // ADO takes weight off the random-byte domain.
        #expect(reports.last!.weights[0] < prior[0], "noise π \(reports.last!.weights[0]) vs μ \(prior[0])")
        #expect(reports.allSatisfy { Swift.abs($0.weights.reduce(0, +) - 1) < 1e-12 })
    }

    @Test func tokenSourceRefusesWindowsOutsideTheDocument() throws {
        let tokens = InMemoryDocumentTokens(texts: ["a": "hello"])
        #expect(try tokens.tokens(for: SampledSequence(domain: 0, documentID: "a", documentIndex: 0, offset: 1, length: 3)) == [101, 108, 108])
        #expect(throws: MixtureError.self) { try tokens.tokens(for: SampledSequence(domain: 0, documentID: "a", documentIndex: 0, offset: 3, length: 3)) }
        #expect(throws: MixtureError.self) { try tokens.tokens(for: SampledSequence(domain: 0, documentID: "b", documentIndex: 0, offset: 0, length: 1)) }
    }
}

extension Array {
    /// Fisher–Yates with a seeded generator (test data only).
    func shuffledDeterministically(seed: UInt64) -> [Element] {
        var rng = SeededRandom(seed: seed)
        var a = self
        for i in stride(from: a.count - 1, to: 0, by: -1) { a.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return a
    }
}

@Suite struct PaddedTokenBatchTests {
    @Test func padsShortWindowsAndAveragesOnlyRealPositions() throws {
        let p = try PaddedTokenBatch(sequences: [[1, 2, 3, 4, 5], [7, 8, 9]], length: 4, padToken: 0)
        #expect(p.inputs == [1, 2, 3, 4, 7, 8, 0, 0])
        #expect(p.targets == [2, 3, 4, 5, 8, 9, 0, 0])
        #expect(p.weights == [1, 1, 1, 1, 1, 1, 0, 0])
        #expect(p.positions == [4, 2])
        #expect(try p.perSequenceMeans(positionLosses: [1, 2, 3, 4, 10, 20, 99, 99]) == [2.5, 15])
        #expect(throws: MixtureError.self) { try PaddedTokenBatch(sequences: [[1]], length: 4) }
        #expect(throws: MixtureError.self) { try p.perSequenceMeans(positionLosses: [1]) }
        // A window longer than length + 1 is cut to the row.
        #expect(try PaddedTokenBatch(sequences: [[1, 2, 3, 4, 5, 6]], length: 2).targets == [2, 3])
    }
}
