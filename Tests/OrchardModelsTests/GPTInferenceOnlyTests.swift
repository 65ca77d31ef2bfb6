import Foundation
import Testing
import OrchardTensor
@testable import OrchardModels

/// An inference-only GPT (a distillation teacher): the same forward as a training model, bit for bit, with two layers'
/// activations instead of all of them, no gradient buffer, and no backward.
@Suite struct GPTInferenceOnlyTests {
    @Test(arguments: [1, 2]) func forwardEqualsATrainingModelsAndKeepsNothingForBackward(threads: Int) throws {
        let config = GPTConfig(vocabularySize: 19, contextLength: 8, layers: 3, channels: 16, heads: 2)
        let train = try GPT(config: config, maxBatch: 3, threads: try ComputeThreads(threads), seed: 4)
        let infer = try GPT(config: config, maxBatch: 3, threads: try ComputeThreads(threads), seed: 9, inferenceOnly: true)
        try infer.load(namedParameters: train.namedParameters())
        var rng = SeededRandom(seed: 2)
        let x = (0..<24).map { _ in Int32(rng.nextInt(below: 19)) }, y = (0..<24).map { _ in Int32(rng.nextInt(below: 19)) }
        let a = try train.forward(inputs: x, targets: y, batch: 3, length: 8)
        let b = try infer.forward(inputs: x, targets: y, batch: 3, length: 8)
        #expect(a == b)
        #expect(train.withLastLogits(Array.init) == infer.withLastLogits(Array.init))
        #expect(infer.gradients.count == 0 && infer.acts.count < train.acts.count)
        #expect(throws: ModelError.self) { try infer.backward() }
    }
}
