import Foundation
import OrchardMethods

/// The result of a `pretrain` job (`GET /v1/jobs/{id}` → `result`). Per-domain maps are keyed by domain
/// name; a value that is not finite is null.
public struct PretrainResult: Codable, Sendable, Equatable {
    public struct Lineage: Codable, Sendable, Equatable {
        /// "documents_read": lineage lists exactly the documents a training window was drawn from.
        public var mode: String
        public var documents: Int
    }
    /// A domain's fitted scaling law L(n) = ε + β·n^(−α) (ADO).
    public struct Law: Codable, Sendable, Equatable {
        public var epsilon: Double
        public var beta: Double
        public var alpha: Double
        init(_ l: ScalingLaw) { epsilon = l.epsilon; beta = l.beta; alpha = l.alpha }
    }
    public var steps: Int
    public var tokens: Int
    public var domains: [String]
    /// The sampling weights in force at the end (ADO: π after the last refit).
    public var final_weights: [String: Double?]
    public var mixture: ResolvedMixtureStrategy
    public var ado_refits: Int
    public var lineage: Lineage
    public var tokenizer: String
    public var vocabulary: Int
    public var train_seconds: Double
    public var mixture_seconds: Double
    public var mixture_overhead_fraction: Double
    /// Held-out loss per domain at the last evaluation, and its mean over domains with a finite loss.
    public var heldout_loss_by_domain: [String: Double?]? = nil
    public var heldout_loss: Double? = nil
    /// ADO only: each domain's last fitted law (null before its first fit).
    public var laws: [String: Law?]? = nil
}
