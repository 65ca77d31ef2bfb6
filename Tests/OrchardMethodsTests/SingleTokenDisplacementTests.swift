import Foundation
import Testing
import OrchardMethods
import OrchardModels
import OrchardTensor

/// Issue 15 item 7a, spec §2.8-2: the single-token toy with our own GPT. A word-level GPT learns answers to questions
/// in which "No" and "Never" are used interchangeably (so the model represents them alike) and "Yes" and "Maybe" less
/// often; then DPO on one prompt prefers "No" over "Never". The test checks the mechanics (the margin opens, the loss
/// falls, Never loses mass) and prints where the probability mass went; docs/results.md reports the three seeds (the
/// displacement of the unconstrained-features toy does not appear here: No takes the mass).
@Suite struct SingleTokenDisplacementTests {
    // Tokens: 0 "Q", 1...8 subjects, 9 "Yes", 10 "No", 11 "Never", 12 "Maybe".
    static let yes: Int32 = 9, no: Int32 = 10, never: Int32 = 11, maybe: Int32 = 12
    static let config = GPTConfig(vocabularySize: 13, contextLength: 2, layers: 2, channels: 32, heads: 2)

    struct Outcome { var before: [Double]; var after: [Double]; var margin: Double; var loss: Double }

    static func run(seed: UInt64) throws -> Outcome {
        let gpt = try GPT(config: config, maxBatch: 32, threads: .single, seed: seed)
        let sft = try GPTTrainer.adamW(model: gpt, learningRate: .constant(rate: 1e-2), weightDecay: 0, seed: seed)
        var g = SeededRandom(seed: seed)
        // SFT: "Q s ans" with P(No) = P(Never) = 0.35, P(Yes) = 0.2, P(Maybe) = 0.1 for every subject s.
        for _ in 0..<300 {
            var inputs: [Int32] = [], targets: [Int32] = [], weights: [Float] = []
            for _ in 0..<32 {
                let s = Int32(1 + g.nextInt(below: 8)), u = g.nextDouble()
                let ans = u < 0.35 ? no : u < 0.70 ? never : u < 0.90 ? yes : maybe
                inputs += [0, s]; targets += [s, ans]; weights += [0, 1]
            }
            try sft.trainStep(inputs: inputs, targets: targets, weights: weights, batch: 32, length: 2)
        }
        // DPO on one prompt, "Q s1": y⁺ = No, y⁻ = Never; SGD, small steps (spec §2.7).
        let pair = EncodedPreferencePair(id: "q1", prompt: [0, 1], chosen: [no], rejected: [never])
        func probabilities() throws -> [Double] {
            try gpt.forward(inputs: [0, 1], batch: 1, length: 2)
            let logits = gpt.lastLogits(sequence: 0, position: 1).map(Double.init)
            let m = logits.max()!, e = logits.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
            return e.map { $0 / z }
        }
        let before = try probabilities()
        let reference = try PairLogProbabilities.compute(model: gpt, pairs: [pair], batchPairs: 1)
        let trainer = try GPTTrainer(model: gpt, optimizer: SGD(parameterCount: gpt.parameters.count), schedule: .constant(rate: 0.05),
                                     gradientClip: nil, seed: seed)
        let dpo = try PreferenceTrainer(trainer: trainer, loss: PreferenceLoss(kind: .dpo, beta: 0.1), pairs: [pair], reference: reference)
        var last = try dpo.step([0])
        for _ in 1..<100 { last = try dpo.step([0]) }
        return Outcome(before: before, after: try probabilities(), margin: last.rewardMargin / 0.1, loss: last.loss)
    }

    @Test func preferringNoOverNeverOnOnePrompt() throws {
        for seed in [1, 2, 3] as [UInt64] {
            let o = try Self.run(seed: seed)
            let names = [Self.yes: "Yes", Self.no: "No", Self.never: "Never", Self.maybe: "Maybe"]
            let gains = (0..<13).sorted { o.after[$0] - o.before[$0] > o.after[$1] - o.before[$1] }
            print("DISPLACEMENT seed \(seed): " + [Self.no, Self.never, Self.yes, Self.maybe].map {
                String(format: "π(%@) %.3f → %.3f", names[$0]!, o.before[Int($0)], o.after[Int($0)])
            }.joined(separator: ", ") + "; top gainer \(names[Int32(gains[0])] ?? "token \(gains[0])"); D = \(o.margin)")
            #expect(o.margin > 0 && o.loss < Foundation.log(2), "DPO opened the margin (seed \(seed))")
            #expect(o.after[Int(Self.never)] < o.before[Int(Self.never)])
        }
    }
}
