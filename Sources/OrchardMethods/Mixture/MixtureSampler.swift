import Foundation
import OrchardTensor

/// Seeded, deterministic data-mixture sampler. For each sequence of a batch it draws the domain from the
/// current weights π (natural, uniform, fixed or ADO), then reads that domain's stream from its cursor
/// (documents in a seeded per-epoch permutation, read front to back). Packed (the default): the sequence
/// continues into the domain's next documents until it holds exactly `sequenceLength` tokens, so every draw is
/// worth the same number of tokens and a fixed mixture's realised token shares are its weights. Unpacked (states
/// from before packing): one window of one document, shorter at a document's end. Tombstoned
/// documents are skipped forever. The whole state exports as Codable: importing it into a fresh sampler
/// on the same catalog continues the identical trajectory.
///
/// Protocol per training step: `nextBatch(size:)`, train, `observe(_:losses:)` with the per-sequence
/// mean-token training losses (needed by ADO; harmless otherwise). Export the state after `observe`.
public struct MixtureSampler: Sendable {
    public let catalog: MixtureCatalog
    public private(set) var state: MixtureSamplerState
    private var permutations: [[Int]]
    private var excluded: Set<String>
    private var liveCounts: [Int]
    private var ado: ADOPolicy?

    /// A fresh sampler. `sequenceLength`: tokens per sequence (unpacked: the last window of a document may be
    /// shorter, down to 2 tokens). `excludedDocumentIDs`: tombstones known at the start.
    public init(catalog: MixtureCatalog, strategy: MixtureStrategy, seed: UInt64, sequenceLength: Int,
                totalSteps: Int, vocabularySize: Int, excludedDocumentIDs: some Sequence<String> = [String](),
                packed: Bool = true) throws {
        guard sequenceLength >= 2 else { throw MixtureError("sequenceLength must be ≥ 2, got \(sequenceLength)") }
        let resolved = try strategy.resolved(for: catalog, totalSteps: totalSteps, vocabularySize: vocabularySize)
        let weights: MixtureWeightsState
        if let cfg = resolved.ado {
            weights = .ado(config: cfg, state: try ADOPolicy(config: cfg, prior: resolved.initialWeights).state)
        } else {
            weights = .fixed(resolved.initialWeights)
        }
        let hex = String(seed, radix: 16)
        let state = MixtureSamplerState(
            catalogFingerprint: catalog.fingerprint, seed: String(repeating: "0", count: 16 - hex.count) + hex,
            sequenceLength: sequenceLength, packed: packed, strategy: resolved, generator: SeededRandom(seed: seed),
            cursors: Array(repeating: DomainCursor(), count: catalog.domains.count),
            excludedDocumentIDs: Array(Set(excludedDocumentIDs)).sorted(),
            excludedAtStart: Array(Set(excludedDocumentIDs)).sorted(), batches: 0, sequences: 0,
            weights: weights, awaitingObservation: false)
        try self.init(catalog: catalog, state: state)
    }

    /// Resumes from an exported state; the catalog must be the same dataset version.
    public init(catalog: MixtureCatalog, state: MixtureSamplerState) throws {
        guard state.catalogFingerprint == catalog.fingerprint else {
            throw MixtureError("state was drawn from catalog \(state.catalogFingerprint), this catalog is \(catalog.fingerprint)")
        }
        let k = catalog.domains.count
        guard state.cursors.count == k, state.strategy.domains == catalog.domainNames, UInt64(state.seed, radix: 16) != nil,
              state.sequenceLength >= 2 else {
            throw MixtureError("state does not fit this catalog's \(k) domains")
        }
        for (d, c) in state.cursors.enumerated() {
            guard c.epoch >= 0, c.position >= 0, c.position <= catalog.domains[d].documents.count, c.offset >= 0 else {
                throw MixtureError("invalid cursor for domain '\(catalog.domains[d].name)'")
            }
        }
        self.catalog = catalog
        self.state = state
        let seed = UInt64(state.seed, radix: 16)!
        self.permutations = state.cursors.enumerated().map { d, c in
            DomainCursor.permutation(seed: seed, domain: d, epoch: c.epoch, count: catalog.domains[d].documents.count)
        }
        let excludedSet = Set(state.excludedDocumentIDs)
        self.excluded = excludedSet
        self.liveCounts = Self.liveCounts(catalog, excluded: excludedSet)
        switch state.weights {
        case .fixed(let w):
            guard w.count == k else { throw MixtureError("state has \(w.count) weights for \(k) domains") }
            self.ado = nil
        case .ado(let cfg, let s):
            guard s.prior.count == k else { throw MixtureError("ADO state has \(s.prior.count) domains, catalog \(k)") }
            self.ado = try ADOPolicy(config: cfg, state: s)
        }
    }

    public var seed: UInt64 { UInt64(state.seed, radix: 16)! }

    /// π as the strategy sets it (ADO: the current policy).
    public var weights: [Double] {
        if let a = ado { return a.weights }
        if case .fixed(let w) = state.weights { return w }
        return []
    }

    /// π with domains that have no live document left masked out and the rest renormalised: what
    /// `nextBatch` actually draws from.
    public var effectiveWeights: [Double] {
        let w = zip(weights, liveCounts).map { $1 > 0 ? $0 : 0 }
        let s = w.reduce(0, +)
        return s > 0 ? w.map { $0 / s } : w
    }

    /// The ADO policy (nil for static strategies): laws, refits, history.
    public var adoPolicy: ADOPolicy? { ado }

    /// Draws the next batch: domain per sequence from `effectiveWeights`, then that domain's next window.
    public mutating func nextBatch(size: Int) throws -> [SampledSequence] {
        guard size >= 1 else { throw MixtureError("batch size must be ≥ 1, got \(size)") }
        if ado != nil && state.awaitingObservation {
            throw MixtureError("ADO needs the previous batch's losses: call observe(_:losses:) before drawing again")
        }
        let w = effectiveWeights
        guard w.reduce(0, +) > 0 else { throw MixtureError("every domain with weight has had all its documents tombstoned") }
        var cdf = [Double](repeating: 0, count: w.count)
        var acc = 0.0
        for i in 0..<w.count { acc += w[i]; cdf[i] = acc }
        let lastPositive = w.lastIndex { $0 > 0 }!
        var batch: [SampledSequence] = []
        batch.reserveCapacity(size)
        for _ in 0..<size {
            let u = state.generator.nextDouble() * acc
            var d = lastPositive
            for i in 0..<w.count where u < cdf[i] && w[i] > 0 { d = i; break }
            batch.append(nextWindow(domain: d))
        }
        state.batches += 1
        state.sequences += size
        state.awaitingObservation = ado != nil
        return batch
    }

    /// Feeds the batch's per-sequence mean-token training losses to the strategy (ADO: policy update and,
    /// on schedule, a refit, which is returned).
    @discardableResult
    public mutating func observe(_ batch: [SampledSequence], losses: [Double],
                                 threads: ComputeThreads = .single) throws -> ADORefit? {
        guard losses.count == batch.count else {
            throw MixtureError("\(losses.count) losses for a batch of \(batch.count) sequences")
        }
        guard var policy = ado else { return nil }
        guard state.awaitingObservation else { throw MixtureError("observe called without a drawn batch") }
        let refit = try policy.observe(domains: batch.map(\.domain), losses: losses, threads: threads)
        ado = policy
        state.weights = .ado(config: policy.config, state: policy.state)
        state.awaitingObservation = false
        return refit
    }

    /// Tombstones documents: they are never sampled again (also by samplers resumed from this state).
    public mutating func exclude(documentIDs: some Sequence<String>) {
        var added = false
        for id in documentIDs where excluded.insert(id).inserted { added = true }
        guard added else { return }
        state.excludedDocumentIDs = excluded.sorted()
        liveCounts = Self.liveCounts(catalog, excluded: excluded)
    }

    /// Ids of every document a window was drawn from so far, reconstructed from seed + cursors alone (no
    /// log of draws): every permutation entry before each cursor, plus the current document once a window
    /// of it was read, minus the tombstones known at the start (skipped, never read). Documents tombstoned
    /// mid-run stay in the set, since they may have been read before the tombstone (lineage errs toward
    /// "touched").
    public func trainedDocumentIDs() -> Set<String> {
        Self.reconstructLineage(catalog: catalog, seed: seed, cursors: state.cursors).subtracting(state.excludedAtStart)
    }

    /// The documents read by a sampler with this seed whose cursors stand at `cursors`.
    public static func reconstructLineage(catalog: MixtureCatalog, seed: UInt64, cursors: [DomainCursor]) -> Set<String> {
        var out = Set<String>()
        for (d, c) in cursors.enumerated() {
            let docs = catalog.domains[d].documents
            if c.epoch > 0 { for doc in docs { out.insert(doc.id) }; continue }
            let perm = DomainCursor.permutation(seed: seed, domain: d, epoch: 0, count: docs.count)
            let end = c.offset > 0 ? c.position + 1 : c.position
            for i in 0..<Swift.min(end, perm.count) { out.insert(docs[perm[i]].id) }
        }
        return out
    }

    /// Live documents per domain that a sequence can be read from (at least 2 tokens): a domain without any is
    /// never drawn.
    private static func liveCounts(_ catalog: MixtureCatalog, excluded: Set<String>) -> [Int] {
        catalog.domains.map { d in d.documents.filter { !excluded.contains($0.id) && $0.length >= 2 }.count }
    }

    /// Next sequence of domain d; the domain has at least one live document of ≥ 2 tokens.
    private mutating func nextWindow(domain d: Int) -> SampledSequence {
        let docs = catalog.domains[d].documents
        var c = state.cursors[d]
        var pieces: [DocumentWindow] = []
        var need = state.sequenceLength
        while need > 0 {
            if c.position >= docs.count {
                c.epoch += 1; c.position = 0; c.offset = 0
                permutations[d] = DomainCursor.permutation(seed: seed, domain: d, epoch: c.epoch, count: docs.count)
            }
            let index = permutations[d][c.position]
            let doc = docs[index]
            // Skipped: tombstones, documents under 2 tokens, and (unpacked) a tail too short for one prediction.
            let minimum = state.packed ? 1 : 2
            if excluded.contains(doc.id) || doc.length < 2 || doc.length - c.offset < minimum {
                c.position += 1; c.offset = 0
                continue
            }
            let take = Swift.min(need, doc.length - c.offset)
            pieces.append(DocumentWindow(documentID: doc.id, documentIndex: index, offset: c.offset, length: take))
            need -= take
            if state.packed {
                c.offset += take
            } else {
                c.offset += state.sequenceLength
                need = 0
            }
            if c.offset >= doc.length { c.position += 1; c.offset = 0 }
        }
        state.cursors[d] = c
        return SampledSequence(domain: d, pieces: pieces)
    }
}
