import Foundation
import OrchardMethods

/// One pair with its CHES scores (computed with the starting policy, before any filtering).
public struct ScoredPair: Codable, Sendable, Equatable {
    public var id: String
    public var ches: Double
    public var ln_ches: Double
}

/// Ranking accuracy of a model on pairs (spec §3.1): R on summed and R̃ on per-token mean log-probabilities.
public struct RankingReport: Codable, Sendable, Equatable {
    public var ranking_accuracy: Double
    public var length_normalized_ranking_accuracy: Double
}

/// The result of a `dpo` job.
public struct DPOResult: Codable, Sendable, Equatable {
    public var checkpoint: String
    public var kind = "dpo"
    /// The base checkpoint the policy started from (the frozen reference).
    public var base_checkpoint: String
    public var steps: Int
    public var pairs: Int
    /// Pairs trained on after the CHES filter.
    public var pairs_trained: Int
    public var prompt_truncated: Int
    public var response_truncated: Int
    /// Means over the last metrics window.
    public var loss: Double
    public var reward_margin: Double
    public var reward_accuracy: Double
    public var chosen_logprob_change: Double
    public var rejected_logprob_change: Double
    /// On all pairs, after training: the mean change of log π(y⁺|x) and log π(y⁻|x) from the reference.
    public var final_chosen_logprob_change: Double
    public var final_rejected_logprob_change: Double
    /// Step of the `likelihood_displacement` warning, null if it never fired.
    @Nullable public var displacement_step: Int?
    /// Ranking accuracy on all pairs of the reference and of the trained policy, and the idealized R* of the
    /// reference at this β (Thm 3.1, unanimous labels: α = 1 − 1e-3).
    public var reference_ranking: RankingReport
    public var policy_ranking: RankingReport
    public var idealized_ranking_accuracy: Double
    /// The most displacing pairs (highest CHES), and the CHES filter's cut (LN-CHES above it were dropped).
    public var most_displacing_pairs: [ScoredPair]
    @Nullable public var ches_filter_threshold: Double?
}
