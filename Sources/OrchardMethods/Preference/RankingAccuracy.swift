import Foundation

/// Ranking accuracy of a model on preference pairs (spec algorithms-1 §3; Chen et al. 2024), from the summed
/// response log-probabilities of the model and of the reference:
///
///     R  = mean 1[ log πθ(y_w|x) ≥ log πθ(y_l|x) ]                        (ties count as correct)
///     R̃  = the same on per-token means (log π / |y|)
///     R* = mean 1[ log π_ref(y_w|x) − log π_ref(y_l|x) + (1/β)·log(α/(1−α)) > 0 ]   (idealized: the optimum of DPO with
///          ground-truth Bradley–Terry preferences, Thm 3.1; α = the share of raters preferring y_w, moved to 1 − ε when
///          unanimous, ε = 1e-3; with one rater per pair, as here, every α is 1 − ε)
///     difficulty of a pair (Thm 4.1): c = log π_ref(y_l|x) − log π_ref(y_w|x); the model ranks it correctly iff its
///          DPO loss ≤ −log σ(βc).
public enum RankingAccuracy {
    public static let unanimityEpsilon = 1e-3

    public static func accuracy(chosen: [Double], rejected: [Double]) -> Double {
        guard !chosen.isEmpty else { return .nan }
        return Double(zip(chosen, rejected).filter { $0 >= $1 }.count) / Double(chosen.count)
    }

    public static func lengthNormalizedAccuracy(chosen: [Double], rejected: [Double], chosenLengths: [Int], rejectedLengths: [Int]) -> Double {
        guard !chosen.isEmpty else { return .nan }
        var correct = 0
        for i in chosen.indices where chosen[i] / Double(chosenLengths[i]) >= rejected[i] / Double(rejectedLengths[i]) { correct += 1 }
        return Double(correct) / Double(chosen.count)
    }

    /// R* for β, with α per pair (nil: unanimous, 1 − ε).
    public static func idealized(referenceChosen: [Double], referenceRejected: [Double], beta: Double, alpha: [Double]? = nil) -> Double {
        guard !referenceChosen.isEmpty else { return .nan }
        var correct = 0
        for i in referenceChosen.indices {
            let a = Swift.min(Swift.max(alpha?[i] ?? 1, unanimityEpsilon), 1 - unanimityEpsilon)
            if referenceChosen[i] - referenceRejected[i] + Foundation.log(a / (1 - a)) / beta > 0 { correct += 1 }
        }
        return Double(correct) / Double(referenceChosen.count)
    }

    /// c of Thm 4.1 (> 0: the reference misranks the pair).
    public static func difficulty(referenceChosen: Double, referenceRejected: Double) -> Double { referenceRejected - referenceChosen }

    /// The DPO loss a pair must reach to be ranked correctly: −log σ(βc).
    public static func lossThreshold(difficulty c: Double, beta: Double) -> Double { -PreferenceLoss.logSigmoid(beta * c) }
}
