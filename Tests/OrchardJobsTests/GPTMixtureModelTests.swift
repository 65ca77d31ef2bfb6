import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor
import Testing
@testable import OrchardJobs

@Suite struct GPTMixtureModelTests {
    func model() throws -> GPTMixtureModel {
        let gpt = try GPT(config: GPTConfig(vocabularySize: 256, contextLength: 8, layers: 1, channels: 16, heads: 2), maxBatch: 4, seed: 1)
        return GPTMixtureModel(trainer: try GPTTrainer.adamW(model: gpt, learningRate: .constant(rate: 0.01), seed: 1))
    }
    static let texts = ["the quick brown fox", "jumps over the lazy", "dog; and then it", "sleeps."]
    static var windows: [[Int32]] { texts.map { Array($0.utf8.prefix(9)).map { Int32($0) } } }

    @Test func perSequenceLossesAreMeanTokenLossesOfTheSameForward() throws {
        let m = try model()
        let per = try m.evaluate(Self.windows)
        #expect(per.count == 4)
        // Each window alone gives the same mean-token loss as inside the padded batch.
        for (i, w) in Self.windows.enumerated() {
            let alone = try m.evaluate([w])[0]
            #expect(abs(alone - per[i]) < 1e-5)
            let logp = try m.model.continuationLogProbabilities(prompt: [w[0]], continuation: Array(w[1...]))
            #expect(abs(-logp.map(Double.init).reduce(0, +) / Double(logp.count) - per[i]) < 1e-5)
        }
    }

    @Test func trainStepReturnsPerSequenceLossesAndLearns() throws {
        var m = try model()
        let before = try m.evaluate(Self.windows)
        let first = try m.trainStep(Self.windows)
        for (a, b) in zip(before, first) { #expect(abs(a - b) < 1e-5) }   // the step's losses are pre-update
        for _ in 0..<30 { _ = try m.trainStep(Self.windows) }
        let after = try m.evaluate(Self.windows)
        #expect(after.reduce(0, +) < before.reduce(0, +) * 0.8)
        #expect(m.trainer.step == 31)
        #expect(throws: ModelError.self) { _ = try m.trainStep([[1]]) }
    }
}
