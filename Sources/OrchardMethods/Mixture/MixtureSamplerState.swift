import Foundation
import OrchardTensor

/// Everything a `MixtureSampler` needs to continue exactly where it stopped (checkpoint `state.json`).
public struct MixtureSamplerState: Sendable, Hashable, Codable {
    /// The catalog (dataset version) the state belongs to.
    public var catalogFingerprint: String
    /// Sampler seed, as 16 hex digits (UInt64 does not survive every JSON reader as a number).
    public var seed: String
    public var sequenceLength: Int
    public var strategy: ResolvedMixtureStrategy
    /// RNG of the per-sequence domain draws.
    public var generator: SeededRandom
    public var cursors: [DomainCursor]
    /// Tombstoned document ids, sorted: never sampled again.
    public var excludedDocumentIDs: [String]
    /// The tombstones known when the run started (sorted): skipped from the first draw on, so never read.
    public var excludedAtStart: [String]
    /// Batches drawn so far.
    public var batches: Int
    /// Sequences drawn so far.
    public var sequences: Int
    public var weights: MixtureWeightsState
    /// ADO only: a batch was drawn whose losses have not been observed yet.
    public var awaitingObservation: Bool
}
