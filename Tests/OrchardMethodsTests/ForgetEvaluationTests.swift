import Foundation
import OrchardMethods
import OrchardModels
import OrchardTensor
import Testing

/// MUSE's metrics (spec algorithms-2 §6.2 checks 1–3): ROUGE-L against the `rouge_score` package, Min-K%, the AUC's
/// orientation and PrivLeak; the entity cloze; and the evaluator on a model that memorised one text.
@Suite struct ForgetEvaluationTests {
    /// (prediction, reference, P, R, F) as `rouge_score` 0.1.2 gives them (`RougeScorer(["rougeL"], use_stemmer=False)
    /// .score(reference, prediction)`), recorded once.
    static let rougeCases: [(String, String, Double, Double, Double)] = [
        ("the cat sat on the mat", "the cat sat on the mat", 1.0, 1.0, 1.0),
        ("the cat sat on the mat", "a cat was sitting on a mat", 0.5, 0.42857142857142855, 0.4615384615384615),
        ("", "something here", 0, 0, 0),
        ("something here", "", 0, 0, 0),
        ("", "", 0, 0, 0),
        ("Hello, World!", "hello world", 1.0, 1.0, 1.0),
        ("It is a truth universally acknowledged", "It is a truth universally acknowledged, that a single man", 1.0, 0.6, 0.7499999999999999),
        ("a a a a", "a", 0.25, 1.0, 0.4),
        ("a", "a a a a", 1.0, 0.25, 0.4),
        ("b a b a b a", "a b a b", 0.6666666666666666, 1.0, 0.8),
        ("Room 101, floor 3", "room 101 floor three", 0.75, 0.75, 0.75),
        ("don't stop-believing", "don t stop believing", 1.0, 1.0, 1.0),
        ("Mr. Darcy bowed.", "mr darcy", 0.6666666666666666, 1.0, 0.8),
        ("élan vital", "lan vital", 1.0, 1.0, 1.0),
        ("x y z", "p q r", 0.0, 0.0, 0.0),
        ("The quick brown fox jumps over the lazy dog", "the lazy dog jumps over the quick brown fox", 0.4444444444444444, 0.4444444444444444, 0.4444444444444444),
        ("1 2 3 4 5", "5 4 3 2 1", 0.2, 0.2, 0.20000000000000004),
        ("!!! ???", "words", 0, 0, 0),
        ("Elizabeth Bennet and Jane", "Jane and Elizabeth", 0.25, 0.3333333333333333, 0.28571428571428575),
        ("repeat repeat repeat word", "word repeat", 0.25, 0.5, 0.3333333333333333),
    ]

    @Test func rougeLMatchesTheRougeScorePackage() {
        for (p, r, precision, recall, f) in Self.rougeCases {
            let s = RougeL.score(prediction: p, reference: r)
            #expect(abs(s.precision - precision) <= 1e-9 && abs(s.recall - recall) <= 1e-9 && abs(s.f1 - f) <= 1e-9, "\(p) | \(r): \(s)")
        }
    }

    @Test func minKTakesTheSmallestShareAndNeverAveragesNothing() {
        #expect(MembershipInference.minK([-1, -5, -2, -8, -3], k: 0.4) == 6.5)   // ⌊0.4·5⌋ = 2: {−8, −5}
        #expect(MembershipInference.minK([-1, -5, -2, -8, -3], k: 0.05) == 8)    // ⌊0.05·5⌋ = 0 → the smallest alone
        #expect(MembershipInference.minK([], k: 0.4) == nil)
    }

    @Test func aucOrientationAndPrivLeak() throws {
        // Every forget text less surprising (lower MinK) than every holdout text: a memorised forget set → AUC 0.
        let forget = [1.0, 1.5, 2.0], holdout = [3.0, 3.5, 4.0, 5.0]
        #expect(MembershipInference.forgetHoldoutAUC(forgetMinK: forget, holdoutMinK: holdout) == 0)
        #expect(MembershipInference.forgetHoldoutAUC(forgetMinK: holdout, holdoutMinK: forget) == 1)
        // The same texts on both sides: 0.5 (ties count half).
        #expect(MembershipInference.forgetHoldoutAUC(forgetMinK: forget, holdoutMinK: forget) == 0.5)
        // Pairs (label 1 above label 0, ties ½): 2 vs {1,2,3} = 1.5, 3 vs … = 2.5, 4 vs … = 3 → 7/9.
        #expect(abs(MembershipInference.auc(label0: [1, 2, 3], label1: [2, 3, 4])! - 7.0 / 9) < 1e-15)
        #expect(abs(MembershipInference.privLeak(auc: 0, retrainAUC: 0.4772) - (-100)) < 1e-12)
    }

    @Test func entityClozeMasksTheLastRecurringProperNoun() {
        let text = (1...6).map { i in "On day \(i) the officers walked from Meryton to the house where Elizabeth waited for them." }.joined(separator: " ")
            + " Nobody in meryton cared."
        let nouns = EntityCloze.properNouns(in: text, minimumCount: 5)
        #expect(nouns == ["Elizabeth"], "\(nouns)")   // "meryton" once in lower case (1 in 6 > 5 %): not a proper noun
        let items = EntityCloze.items(from: text, minimumCount: 5)
        #expect(items.count == 6 && items.allSatisfy { $0.answer == "Elizabeth" && $0.question.contains("where ____ waited") })
        #expect(items[0].prefix == "On day 1 the officers walked from Meryton to the house where ")
        #expect(EntityCloze.items(from: text, excluding: ["Elizabeth"], minimumCount: 5).isEmpty)
    }

    /// A model trained to memorise one passage: VerbMem on it is high and on an unseen passage low, the MIA puts the
    /// memorised text below every unseen one (AUC 0), and the same set on both sides gives 0.5.
    @Test func evaluatorSeesMemorisation() throws {
        let seen = "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife."
        let unseen = "The family of Dashwood had long been settled in Sussex. Their estate was large, and their residence was at Norland Park."
        let config = GPTConfig(vocabularySize: 256, contextLength: 64, layers: 1, channels: 32, heads: 2)
        let model = try GPT(config: config, maxBatch: 4, seed: 5)
        let trainer = try GPTTrainer.adamW(model: model, learningRate: .linearWarmup(rate: 1e-2, warmupSteps: 10), seed: 5)
        let tokens = TextTokenizer.bytes.encode(seen)
        var starts: [Int] = []
        var random = SeededRandom(seed: 9)
        for _ in 0..<250 {
            starts = (0..<4).map { _ in Int(random.next() % UInt64(tokens.count - 65)) }
            let inputs = starts.flatMap { tokens[$0..<($0 + 64)] }, targets = starts.flatMap { tokens[($0 + 1)..<($0 + 65)] }
            _ = try trainer.trainStep(inputs: Array(inputs), targets: Array(targets), batch: 4, length: 64)
        }
        let e = ForgetEvaluator(model: model, tokenizer: .bytes)
        let memorised = try #require(try e.verbMem(passages: [seen], prefixTokens: 24, continuationTokens: 32))
        let other = try #require(try e.verbMem(passages: [unseen], prefixTokens: 24, continuationTokens: 32))
        #expect(memorised.score > 80 && other.score < 40, "VerbMem seen \(memorised.score), unseen \(other.score)")
        let mkSeen = try e.minK(texts: [seen]), mkUnseen = try e.minK(texts: [unseen, String(unseen.reversed())])
        #expect(MembershipInference.forgetHoldoutAUC(forgetMinK: mkSeen, holdoutMinK: mkUnseen) == 0)
        #expect(MembershipInference.forgetHoldoutAUC(forgetMinK: mkUnseen, holdoutMinK: mkUnseen) == 0.5)
        let lossSeen = try #require(try e.meanLoss(texts: [seen])), lossUnseen = try #require(try e.meanLoss(texts: [unseen]))
        #expect(lossSeen < 0.5 * lossUnseen)
    }
}
