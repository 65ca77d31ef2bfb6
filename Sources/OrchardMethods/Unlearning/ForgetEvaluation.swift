import Foundation
import OrchardModels
import OrchardTensor

/// MUSE's evaluation of a language model after a deletion (spec algorithms-2 §2.2), at the size of this service's
/// models. Forward passes and greedy decoding only; the model is not changed.
///   VerbMem  = 100 · mean ROUGE-L F1(greedy continuation of a forget passage's first `prefixTokens` tokens,
///              its true next `continuationTokens` tokens) — lower: less verbatim memorisation.
///   KnowMem  = 100 · mean ROUGE-L F1(the first words of the greedy continuation of a cloze item's prefix, the answer)
///              on forget (lower: less knowledge kept) and retain items (higher: utility). MUSE prompts GPT-4-written
///              questions with in-context examples; our models' contexts (tens to hundreds of tokens) hold no such
///              prompt, so the item is the sentence up to the masked entity (`EntityCloze`) and the prediction is the
///              continuation cut to the answer's word count.
///   PrivLeak = Min-K% (k = 40 %) AUC with forget as label 0 and holdout as label 1, relative to the exact retrain's
///              AUC: 100 · (AUC − AUC_retrain)/AUC_retrain (≈ 0 ideal, ≪ 0 under-, ≫ 0 over-unlearned).
///   Utility  = mean per-token loss (nats) on retain texts.
public struct ForgetEvaluator {
    public let scorer: any ForgetScorable
    public let tokenizer: TextTokenizer

    public init(model: GPT, tokenizer: TextTokenizer) { self.init(scorer: GPTScorer(model: model), tokenizer: tokenizer) }
    public init(scorer: any ForgetScorable, tokenizer: TextTokenizer) { self.scorer = scorer; self.tokenizer = tokenizer }

    var context: Int { scorer.contextLength }

    /// Consecutive windows of ≤ context + 1 tokens (each ≥ 2), at most `limit` per token list.
    func windows(_ tokens: [Int32], limit: Int) -> [[Int32]] {
        var out: [[Int32]] = [], start = 0
        while start + 1 < tokens.count && out.count < limit {
            let end = Swift.min(tokens.count, start + context + 1)
            out.append(Array(tokens[start..<end]))
            start = end - 1   // the next window predicts from the last token of this one
        }
        return out
    }

    /// log p(x_t | x_<t) for t = 1..<n of each window, in Float64.
    public func tokenLogProbabilities(_ windows: [[Int32]]) throws -> [[Double]] { try scorer.tokenLogProbabilities(windows) }

    /// Min-K% of each text over its first `windowsPerText` windows' tokens (nil for a text under 2 tokens).
    public func minK(texts: [String], k: Double = 0.4, windowsPerText: Int = 4) throws -> [Double] {
        try texts.compactMap { text in
            let w = windows(tokenizer.encode(text), limit: windowsPerText)
            guard !w.isEmpty else { return nil }
            return MembershipInference.minK(try tokenLogProbabilities(w).flatMap { $0 }, k: k)
        }
    }

    /// Mean per-token loss (nats) over the texts' first `windowsPerText` windows; nil without tokens.
    public func meanLoss(texts: [String], windowsPerText: Int = 4) throws -> Double? {
        let w = texts.flatMap { windows(tokenizer.encode($0), limit: windowsPerText) }
        guard !w.isEmpty else { return nil }
        let lp = try tokenLogProbabilities(w).flatMap { $0 }
        return lp.isEmpty ? nil : -lp.reduce(0, +) / Double(lp.count)
    }

    /// Greedy continuation of `prompt` (its last tokens, leaving room for `newTokens`).
    func continuation(_ prompt: [Int32], newTokens: Int) throws -> [Int32] {
        let room = Swift.max(1, context - newTokens)
        let p = prompt.count > room ? Array(prompt.suffix(room)) : prompt
        guard !p.isEmpty else { return [] }
        return try scorer.greedy(prompt: p, newTokens: Swift.min(newTokens, context - p.count))
    }

    /// VerbMem over passages with at least prefix + continuation tokens (others are skipped); nil when none qualifies.
    public func verbMem(passages: [String], prefixTokens: Int, continuationTokens: Int) throws -> (score: Double, items: Int)? {
        var scores: [Double] = []
        for text in passages {
            let t = tokenizer.encode(text)
            guard t.count >= prefixTokens + continuationTokens else { continue }
            let reference = tokenizer.decode(Array(t[prefixTokens..<(prefixTokens + continuationTokens)]))
            let generated = tokenizer.decode(try continuation(Array(t[..<prefixTokens]), newTokens: continuationTokens))
            scores.append(RougeL.score(prediction: generated, reference: reference).f1)
        }
        guard !scores.isEmpty else { return nil }
        return (100 * scores.reduce(0, +) / Double(scores.count), scores.count)
    }

    /// KnowMem over cloze items: the prediction is the continuation of the prefix, cut to the answer's word count.
    public func knowMem(items: [EntityClozeItem], newTokens: Int = 24) throws -> (score: Double, items: Int)? {
        var scores: [Double] = []
        for item in items {
            let prompt = tokenizer.encode(item.prefix)
            guard !prompt.isEmpty else { continue }
            let words = RougeL.tokens(tokenizer.decode(try continuation(prompt, newTokens: newTokens)))
            let answerWords = RougeL.tokens(item.answer).count
            scores.append(RougeL.score(prediction: words.prefix(answerWords).joined(separator: " "), reference: item.answer).f1)
        }
        guard !scores.isEmpty else { return nil }
        return (100 * scores.reduce(0, +) / Double(scores.count), scores.count)
    }
}

/// The evaluation a receipt carries for one model (MUSE's metrics; null where the inputs did not allow one).
public struct ForgetEvaluationReport: Codable, Sendable, Equatable {
    public var verbmem_forget: Double?
    public var knowmem_forget: Double?
    public var knowmem_retain: Double?
    /// AUC(forget → 0, holdout → 1) of −Min-40%.
    public var mia_auc: Double?
    /// PrivLeak relative to `retrain_auc`.
    public var privleak: Double?
    public var retrain_auc: Double?
    /// Mean per-token loss on retain texts (nats).
    public var utility_loss: Double?
    public var items: [String: Int]

    public init(verbmem_forget: Double? = nil, knowmem_forget: Double? = nil, knowmem_retain: Double? = nil, mia_auc: Double? = nil,
                privleak: Double? = nil, retrain_auc: Double? = nil, utility_loss: Double? = nil, items: [String: Int] = [:]) {
        self.verbmem_forget = verbmem_forget; self.knowmem_forget = knowmem_forget; self.knowmem_retain = knowmem_retain
        self.mia_auc = mia_auc; self.privleak = privleak; self.retrain_auc = retrain_auc; self.utility_loss = utility_loss; self.items = items
    }
}

/// The texts an evaluation reads: forget passages, retain and holdout texts, and their cloze items.
public struct ForgetEvaluationSet: Sendable {
    public var forget: [String]
    public var retain: [String]
    public var holdout: [String]
    public var forgetCloze: [EntityClozeItem]
    public var retainCloze: [EntityClozeItem]
    public var prefixTokens: Int
    public var continuationTokens: Int
    public var k: Double

    /// Cloze items from the texts (forget answers that also occur in retain are dropped, as the data notes advise),
    /// at most `maxItems` each (MUSE uses 100).
    public init(forget: [String], retain: [String], holdout: [String], prefixTokens: Int, continuationTokens: Int, k: Double = 0.4,
                maxItems: Int = 100, minimumEntityCount: Int = 2) {
        self.forget = forget; self.retain = retain; self.holdout = holdout
        self.prefixTokens = prefixTokens; self.continuationTokens = continuationTokens; self.k = k
        let retainText = retain.joined(separator: "\n")
        let retainNouns = EntityCloze.properNouns(in: retainText, minimumCount: minimumEntityCount)
        forgetCloze = Array(EntityCloze.items(from: forget.joined(separator: "\n"), excluding: retainNouns, minimumCount: minimumEntityCount).prefix(maxItems))
        retainCloze = Array(EntityCloze.items(from: retainText, minimumCount: minimumEntityCount).prefix(maxItems))
    }

    /// Evaluates one model; `retrainAUC`: the exact retrain's AUC (nil: PrivLeak not computed).
    public func evaluate(_ e: ForgetEvaluator, retrainAUC: Double?) throws -> ForgetEvaluationReport {
        var r = ForgetEvaluationReport()
        if let v = try e.verbMem(passages: forget, prefixTokens: prefixTokens, continuationTokens: continuationTokens) {
            r.verbmem_forget = v.score; r.items["verbmem_forget"] = v.items
        }
        if let v = try e.knowMem(items: forgetCloze) { r.knowmem_forget = v.score; r.items["knowmem_forget"] = v.items }
        if let v = try e.knowMem(items: retainCloze) { r.knowmem_retain = v.score; r.items["knowmem_retain"] = v.items }
        let f = try e.minK(texts: forget, k: k), h = try e.minK(texts: holdout, k: k)
        r.items["mia_forget"] = f.count; r.items["mia_holdout"] = h.count
        r.mia_auc = MembershipInference.forgetHoldoutAUC(forgetMinK: f, holdoutMinK: h)
        if let a = r.mia_auc, let base = retrainAUC, base > 0 {
            r.retrain_auc = base
            r.privleak = MembershipInference.privLeak(auc: a, retrainAUC: base)
        }
        r.utility_loss = try e.meanLoss(texts: retain)
        r.items["retain"] = retain.count
        return r
    }
}
