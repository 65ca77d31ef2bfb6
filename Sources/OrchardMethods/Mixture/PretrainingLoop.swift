import Foundation

/// What one step of `PretrainingLoop` produced: the numbers a `pretrain` job streams as metrics.
public struct PretrainingStepReport: Sendable {
    /// 0-based global step just completed.
    public var step: Int
    /// Tokens trained on so far.
    public var tokens: Int
    /// Mean training loss per domain in this batch (nil where the domain was not sampled).
    public var trainLossByDomain: [Double?]
    public var meanTrainLoss: Double
    /// π that the *next* batch will be drawn from.
    public var weights: [Double]
    /// Domains drawn in this batch, as counts.
    public var domainCounts: [Int]
    /// Set when ADO refitted its scaling laws at this step.
    public var refit: ADORefit?
    /// Held-out loss per domain, on evaluation steps.
    public var heldOutLossByDomain: [Double]?
    /// Wall-clock of the model's training step and of the mixture work (sampling + ADO update/refit).
    public var trainSeconds: Double
    public var mixtureSeconds: Double
    /// The batch trained on (which document windows), for lineage with first-read steps.
    public var batch: [SampledSequence] = []
}

/// Drives a `MixtureTrainable` model with a `MixtureSampler`: draw a batch, train, feed the per-sequence
/// losses back to the strategy, evaluate held-out data per domain every `evaluateEvery` steps.
/// Kill and resume = rebuild with the model's snapshot and `sampler.state`.
public struct PretrainingLoop<Model: MixtureTrainable> {
    public var model: Model
    public private(set) var sampler: MixtureSampler
    public let tokens: any DocumentTokenSource
    public let batchSize: Int
    /// Held-out sequences per domain (catalog order); empty list → that domain is not evaluated (NaN).
    public let heldOut: [[[Int32]]]
    public let evaluateEvery: Int
    public private(set) var tokensSeen: Int

    public init(model: Model, sampler: MixtureSampler, tokens: any DocumentTokenSource, batchSize: Int,
                heldOut: [[[Int32]]] = [], evaluateEvery: Int = 0, tokensSeen: Int = 0) throws {
        guard batchSize >= 1 else { throw MixtureError("batch size must be ≥ 1") }
        guard heldOut.isEmpty || heldOut.count == sampler.catalog.domains.count else {
            throw MixtureError("held-out sets for \(heldOut.count) domains, catalog has \(sampler.catalog.domains.count)")
        }
        guard evaluateEvery >= 0 else { throw MixtureError("evaluateEvery must be ≥ 0") }
        self.model = model; self.sampler = sampler; self.tokens = tokens; self.batchSize = batchSize
        self.heldOut = heldOut; self.evaluateEvery = evaluateEvery; self.tokensSeen = tokensSeen
    }

    /// Global index of the next step.
    public var nextStep: Int { sampler.state.batches }

    public mutating func step() throws -> PretrainingStepReport {
        let step = nextStep
        let k = sampler.catalog.domains.count
        let t0 = DispatchTime.now().uptimeNanoseconds
        let batch = try sampler.nextBatch(size: batchSize)
        let sequences = try batch.map { try tokens.tokens(for: $0) }
        let t1 = DispatchTime.now().uptimeNanoseconds
        let losses = try model.trainStep(sequences)
        guard losses.count == batch.count else {
            throw MixtureError("model returned \(losses.count) losses for \(batch.count) sequences")
        }
        let t2 = DispatchTime.now().uptimeNanoseconds
        let refit = try sampler.observe(batch, losses: losses, threads: model.computeThreads)
        let t3 = DispatchTime.now().uptimeNanoseconds

        var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
        for (s, l) in zip(batch, losses) { sums[s.domain] += l; counts[s.domain] += 1 }
        tokensSeen += sequences.reduce(0) { $0 + $1.count }
        var heldOutLoss: [Double]? = nil
        if evaluateEvery > 0 && (step + 1) % evaluateEvery == 0 && !heldOut.isEmpty {
            heldOutLoss = try evaluateHeldOut()
        }
        return PretrainingStepReport(
            step: step, tokens: tokensSeen,
            trainLossByDomain: (0..<k).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : nil },
            meanTrainLoss: losses.reduce(0, +) / Double(losses.count),
            weights: sampler.effectiveWeights, domainCounts: counts, refit: refit, heldOutLossByDomain: heldOutLoss,
            trainSeconds: Double(t2 - t1) / 1e9, mixtureSeconds: Double((t1 - t0) + (t3 - t2)) / 1e9, batch: batch)
    }

    /// Mean held-out loss per domain (NaN for a domain without held-out data).
    public func evaluateHeldOut() throws -> [Double] {
        try heldOut.map { seqs in
            guard !seqs.isEmpty else { return .nan }
            let l = try model.evaluate(seqs)
            return l.reduce(0, +) / Double(l.count)
        }
    }
}
