import Foundation

/// Min-K% Prob membership scores (Shi et al. 2024), their ROC AUC between two sets, and MUSE's PrivLeak.
public enum MembershipInference {
    /// MinK(x) = −mean of the ⌊k·n⌋ smallest per-token log-probabilities (n = their count). Higher: less likely a
    /// member. MUSE's default k = 0.4. Where ⌊k·n⌋ = 0 (a very short text), the single smallest is used (the
    /// reference code would average an empty set: NaN). nil for an empty vector.
    public static func minK(_ logProbabilities: [Double], k: Double = 0.4) -> Double? {
        guard !logProbabilities.isEmpty else { return nil }
        let count = Swift.max(1, Int((k * Double(logProbabilities.count)).rounded(.down)))
        let smallest = logProbabilities.sorted().prefix(count)
        return -smallest.reduce(0, +) / Double(count)
    }

    /// Area under the ROC curve with `label0` the negative and `label1` the positive set, scored by `score`
    /// (higher = more positive): P(s₁ > s₀) + ½·P(s₁ = s₀) over all pairs, which is what `roc_curve` + `auc`
    /// (trapezoids) give. MUSE scores with −MinK and takes forget as label 0, holdout as label 1: a model that
    /// memorised the forget set gives ≈ 0; one that never saw it ≈ 0.5.
    public static func auc(label0: [Double], label1: [Double]) -> Double? {
        guard !label0.isEmpty, !label1.isEmpty else { return nil }
        // Rank-sum with mid-ranks for ties: O((m+n) log(m+n)).
        let all = (label0.map { ($0, 0) } + label1.map { ($0, 1) }).sorted { $0.0 < $1.0 }
        var rankSum1 = 0.0, i = 0
        while i < all.count {
            var j = i
            while j + 1 < all.count && all[j + 1].0 == all[i].0 { j += 1 }
            let midRank = Double(i + j) / 2 + 1
            for t in i...j where all[t].1 == 1 { rankSum1 += midRank }
            i = j + 1
        }
        let n1 = Double(label1.count), n0 = Double(label0.count)
        return (rankSum1 - n1 * (n1 + 1) / 2) / (n0 * n1)
    }

    /// AUC(forget → label 0, holdout → label 1) with score −MinK.
    public static func forgetHoldoutAUC(forgetMinK: [Double], holdoutMinK: [Double]) -> Double? {
        auc(label0: forgetMinK.map { -$0 }, label1: holdoutMinK.map { -$0 })
    }

    /// PrivLeak = (AUC(f) − AUC(retrain)) / AUC(retrain) · 100: ≈ 0 ideal, ≪ 0 under-unlearned, ≫ 0 over-unlearned.
    public static func privLeak(auc: Double, retrainAUC: Double) -> Double {
        (auc - retrainAUC) / retrainAUC * 100
    }
}
