import Foundation

/// Everything ADO carries from step to step; Codable so a checkpoint restores the exact trajectory.
public struct ADOState: Sendable, Hashable, Codable {
    /// μ: the prior (natural distribution).
    public var prior: [Double]
    /// h: credit-assignment history.
    public var history: [Double]
    /// π: the sampling policy for the next step.
    public var policy: [Double]
    /// π̄: running average of ρ (initialised to μ).
    public var averagePreference: [Double]
    /// ρ of the last step (nil before the first fit).
    public var preference: [Double]?
    /// Current scaling laws (nil before the first successful fit).
    public var laws: [ScalingLaw]?
    /// Steps observed so far (the next step's global index t).
    public var step: Int
    /// Total samples seen after each step (same-step-size counting: every domain's n grows by B).
    public var cumulativeCounts: [Double]
    /// Per-domain training loss history, `lossHistory[k][t]`.
    public var lossHistory: [[Double]]
    /// Every refit so far.
    public var refits: [ADORefit]

    public init(prior: [Double]) {
        self.prior = prior
        history = prior; policy = prior; averagePreference = prior
        preference = nil; laws = nil; step = 0
        cumulativeCounts = []
        lossHistory = Array(repeating: [], count: prior.count)
        refits = []
    }
}

/// One refit: the step, the laws fitted per domain (nil where a domain's fit failed and the old law was
/// kept) and their objective values.
public struct ADORefit: Sendable, Hashable, Codable {
    public var step: Int
    public var laws: [ScalingLaw?]
    public var objectives: [Double?]
    public var points: Int
    /// Objective evaluations over all K fits (cost, independent of the machine).
    public var evaluations: Int
    /// Per domain: the measured log-loss noise σ̂ (nil: too few points) and the smoothing window used (`LossNoise`);
    /// nil in refits recorded before these existed.
    public var lossNoise: [Double?]? = nil
    public var smoothingWindows: [Int]? = nil
    /// The first refit was postponed: the losses have not yet fallen beyond their noise (no laws; not in `refits`).
    public var postponed: Bool? = nil
}
