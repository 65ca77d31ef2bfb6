import Foundation
import OrchardTensor

/// Everything a `MixtureSampler` needs to continue exactly where it stopped (checkpoint `state.json`).
public struct MixtureSamplerState: Sendable, Hashable, Codable {
    /// The catalog (dataset version) the state belongs to.
    public var catalogFingerprint: String
    /// Sampler seed, as 16 hex digits (UInt64 does not survive every JSON reader as a number).
    public var seed: String
    public var sequenceLength: Int
    /// Sequences pack consecutive documents to exactly `sequenceLength` tokens (false: one window of one document,
    /// possibly shorter; states written before packing existed decode as false and continue unpacked).
    public var packed: Bool
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

    enum CodingKeys: String, CodingKey {
        case catalogFingerprint, seed, sequenceLength, packed, strategy, generator, cursors, excludedDocumentIDs, excludedAtStart
        case batches, sequences, weights, awaitingObservation
    }

    public init(catalogFingerprint: String, seed: String, sequenceLength: Int, packed: Bool, strategy: ResolvedMixtureStrategy,
                generator: SeededRandom, cursors: [DomainCursor], excludedDocumentIDs: [String], excludedAtStart: [String],
                batches: Int, sequences: Int, weights: MixtureWeightsState, awaitingObservation: Bool) {
        self.catalogFingerprint = catalogFingerprint; self.seed = seed; self.sequenceLength = sequenceLength; self.packed = packed
        self.strategy = strategy; self.generator = generator; self.cursors = cursors; self.excludedDocumentIDs = excludedDocumentIDs
        self.excludedAtStart = excludedAtStart; self.batches = batches; self.sequences = sequences; self.weights = weights
        self.awaitingObservation = awaitingObservation
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(catalogFingerprint: try c.decode(String.self, forKey: .catalogFingerprint), seed: try c.decode(String.self, forKey: .seed),
                  sequenceLength: try c.decode(Int.self, forKey: .sequenceLength),
                  packed: try c.decodeIfPresent(Bool.self, forKey: .packed) ?? false,
                  strategy: try c.decode(ResolvedMixtureStrategy.self, forKey: .strategy),
                  generator: try c.decode(SeededRandom.self, forKey: .generator), cursors: try c.decode([DomainCursor].self, forKey: .cursors),
                  excludedDocumentIDs: try c.decode([String].self, forKey: .excludedDocumentIDs),
                  excludedAtStart: try c.decode([String].self, forKey: .excludedAtStart), batches: try c.decode(Int.self, forKey: .batches),
                  sequences: try c.decode(Int.self, forKey: .sequences), weights: try c.decode(MixtureWeightsState.self, forKey: .weights),
                  awaitingObservation: try c.decode(Bool.self, forKey: .awaitingObservation))
    }
}
