import Foundation

/// ADO hyperparameters as a job states them. Any field may be `"auto"`; `resolved(for:)` turns the
/// config into a `ResolvedADOConfig` by the rules documented on each field (and in docs/methods.md),
/// which the job echoes back. Defaults are the paper's / official code's values.
public struct ADOConfig: Sendable, Hashable, Codable {
    /// First step at which ADO may refit and change π. Auto: `ignoreSteps + updateInterval/2`
    /// (§1.9 toy: 200 + 100 = 300).
    public var startStep: AutoSetting<Int> = .auto
    /// Steps dropped from the front of the history before fitting. Auto: `updateInterval`
    /// (official 1000 with t_update 1000; §1.9 toy 200 with 200).
    public var ignoreSteps: AutoSetting<Int> = .auto
    /// Refit cadence t_update. Auto: `clamp(round(totalSteps/30), 50, 1000)`
    /// (official 60k steps → 1000; §1.9 toy 6000 steps → 200). The floor of 50 (ours) keeps refits — a fixed
    /// cost per refit, independent of the model — rare enough on short runs (docs/methods.md, overhead).
    public var updateInterval: AutoSetting<Int> = .auto
    /// Keep every k-th history point for the fit. Auto: `max(1, updateInterval/100)` (official 10, toy 2).
    public var subsample: AutoSetting<Int> = .auto
    /// Most points one fit uses (0 = no limit): a longer history is thinned with a larger stride than
    /// `subsample`, so a refit's cost stops growing with the run. Auto: 256 (ours; the history is smoothed first).
    public var maxFitPoints: AutoSetting<Int> = .auto
    /// Savitzky–Golay window (odd; 0 turns smoothing off), the same for every domain. Auto: per domain, from the
    /// measured loss noise (`LossNoise`: the smallest window whose smoothed log-loss noise is ≤ `smoothingNoiseTarget`),
    /// at most 501 (ours; the official fixed 101 was set for t_update 1000). Shrunk to the history length at fit time.
    public var smoothingWindow: AutoSetting<Int> = .auto
    /// τ: the noise sd of the smoothed log-loss the auto window aims at (ours).
    public var smoothingNoiseTarget: Double = 0.01
    /// z: the first refit waits until at least half of the domains' smoothed log-loss fell over the fit range by more
    /// than z noise sds (`LossNoise`; ours); 0 refits on schedule from `startStep`.
    public var refitMinimumSignal: Double = 3
    /// The part of the fit range, at its end, over which that fall is measured (ours): 0.5, the latest half, so that a
    /// fall at the start of training followed by a plateau does not let the first fit through while the losses are
    /// flat; 1 measures over the whole range (the rule of the previous release).
    public var refitSignalSpan: Double = 0.5
    /// Savitzky–Golay polynomial order (official 3).
    public var smoothingOrder: Int = 3
    /// γ1: credit-assignment history rate, `h ← (1-γ1)h + γ1·(batch share)`.
    public var historyRate: Double = 0.1
    /// γ2: weight of the new preference ρ in π = γ2 ρ + (1-γ2) π̄.
    public var smoothingRate: Double = 0.1
    /// s: credit exponent, λ = h^s.
    public var creditExponent: Double = 0.5
    /// δ_min: exploration floor on ρ.
    public var minimumWeight: Double = 0.01
    /// How δ_min is imposed (see `ADOFloorRule`).
    public var floorRule: ADOFloorRule = .projection
    /// Lower bound on α inside the learning potential only (official 0.05).
    public var exponentFloor: Double = 0.05
    /// Fit bounds. Auto: `.byteLevel` when the vocabulary has ≤ 512 symbols (byte-level losses), else `.pile`.
    public var bounds: AutoSetting<ScalingLawBounds> = .auto
    /// Multi-start grid. Auto: the official 8×8×8 grid.
    public var startGrid: AutoSetting<ScalingLawStartGrid> = .auto
    /// L-BFGS runs from this many grid starts with the smallest J at the start point. Auto: 8
    /// (ours, for speed: the official code refines all 512). A number ≥ the grid size refines every start.
    public var refinedStarts: AutoSetting<Int> = .auto
    /// Huber δ of the fit (official 1e-3).
    public var huberDelta: Double = 1e-3
    /// Tie-break penalty `c·β` added to J (spec §1.8). Auto: 0, the official objective (a penalty of 1e-4 was ~7× the
    /// Huber data term on byte-level curves and biased ε by 2–3 %: docs/methods.md).
    public var betaPenalty: AutoSetting<Double> = .auto
    /// Fewer usable points than this and the fit is skipped (spec §1.8).
    public var minimumFitPoints: Int = 20
    /// L-BFGS tolerance and iteration cap (official 1e-5, 200).
    public var fitTolerance: Double = 1e-5
    public var fitMaxIterations: Int = 200

    public init() {}
}

/// What `ADOConfig.resolved(for:)` needs to know about the run.
public struct ADOResolutionContext: Sendable, Hashable, Codable {
    public var totalSteps: Int
    public var domainCount: Int
    public var vocabularySize: Int
    public init(totalSteps: Int, domainCount: Int, vocabularySize: Int) {
        self.totalSteps = totalSteps; self.domainCount = domainCount; self.vocabularySize = vocabularySize
    }
}

/// Every ADO hyperparameter with a concrete value: what runs, and what the job echoes back.
public struct ResolvedADOConfig: Sendable, Hashable, Codable {
    public var startStep: Int
    public var ignoreSteps: Int
    public var updateInterval: Int
    public var subsample: Int
    /// nil (configs resolved before this field existed) or 0: no limit.
    public var maxFitPoints: Int?
    /// The fixed window, or (with `adaptiveSmoothing`) the largest window a domain's noise may ask for.
    public var smoothingWindow: Int
    /// Windows from each domain's measured loss noise (false: `smoothingWindow` for all; configs resolved before
    /// this existed decode as false).
    public var adaptiveSmoothing: Bool = false
    public var smoothingNoiseTarget: Double = 0.01
    /// z of the first-refit rule; 0 (and configs resolved before it existed): refit on schedule.
    public var refitMinimumSignal: Double = 0
    /// The latest fraction of the fit range over which the first-refit rule measures the fall; 1 (and configs resolved
    /// before it existed): the whole range.
    public var refitSignalSpan: Double = 1
    public var smoothingOrder: Int
    public var historyRate: Double
    public var smoothingRate: Double
    public var creditExponent: Double
    public var minimumWeight: Double
    public var floorRule: ADOFloorRule
    public var exponentFloor: Double
    public var bounds: ScalingLawBounds
    public var startGrid: ScalingLawStartGrid
    public var refinedStarts: Int
    public var huberDelta: Double
    public var betaPenalty: Double
    public var minimumFitPoints: Int
    public var fitTolerance: Double
    public var fitMaxIterations: Int

    /// The fitter these settings describe.
    public var fitter: ScalingLawFitter {
        ScalingLawFitter(bounds: bounds, grid: startGrid,
                         minimizer: LBFGSMinimizer(tolerance: fitTolerance, maxIterations: fitMaxIterations),
                         huberDelta: huberDelta, betaPenalty: betaPenalty, minimumPoints: minimumFitPoints,
                         refinedStarts: refinedStarts)
    }
}

public struct ADOConfigError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = "ado: " + d }
}

extension ADOConfig {
    /// Resolves every `"auto"` by the documented rules and validates the result.
    public func resolved(for ctx: ADOResolutionContext) throws -> ResolvedADOConfig {
        guard ctx.domainCount >= 1 else { throw ADOConfigError("need at least one domain") }
        guard ctx.totalSteps >= 1 else { throw ADOConfigError("totalSteps must be ≥ 1") }
        let interval = updateInterval.resolve { Swift.min(1000, Swift.max(50, Int((Double(ctx.totalSteps) / 30).rounded()))) }
        let ignore = ignoreSteps.resolve { interval }
        let start = startStep.resolve { ignore + interval / 2 }
        let sub = subsample.resolve { Swift.max(1, interval / 100) }
        let window = smoothingWindow.resolve { 501 }
        var r = ResolvedADOConfig(
            startStep: start, ignoreSteps: ignore, updateInterval: interval, subsample: sub,
            maxFitPoints: maxFitPoints.resolve { 256 }, smoothingWindow: window, smoothingOrder: smoothingOrder, historyRate: historyRate,
            smoothingRate: smoothingRate, creditExponent: creditExponent, minimumWeight: minimumWeight,
            floorRule: floorRule, exponentFloor: exponentFloor,
            bounds: bounds.resolve { ctx.vocabularySize <= 512 ? .byteLevel : .pile },
            startGrid: startGrid.resolve { .official },
            refinedStarts: refinedStarts.resolve { 8 },
            huberDelta: huberDelta, betaPenalty: betaPenalty.resolve { 0 },
            minimumFitPoints: minimumFitPoints, fitTolerance: fitTolerance, fitMaxIterations: fitMaxIterations)
        if case .auto = smoothingWindow { r.adaptiveSmoothing = true }
        r.smoothingNoiseTarget = smoothingNoiseTarget
        r.refitMinimumSignal = refitMinimumSignal
        r.refitSignalSpan = refitSignalSpan
        try r.validate(domainCount: ctx.domainCount)
        return r
    }
}

extension ResolvedADOConfig {
    /// Throws a clear error for settings ADO cannot run with.
    public func validate(domainCount k: Int) throws {
        if startStep < 0 || ignoreSteps < 0 { throw ADOConfigError("startStep and ignoreSteps must be ≥ 0") }
        if updateInterval < 1 { throw ADOConfigError("updateInterval must be ≥ 1") }
        if subsample < 1 { throw ADOConfigError("subsample must be ≥ 1") }
        if let m = maxFitPoints, m != 0 && m < minimumFitPoints {
            throw ADOConfigError("maxFitPoints must be 0 (no limit) or ≥ minimumFitPoints (\(minimumFitPoints)), got \(m)")
        }
        if smoothingWindow != 0 && (smoothingWindow % 2 == 0 || smoothingWindow <= smoothingOrder) {
            throw ADOConfigError("smoothingWindow must be 0 (off) or odd and larger than smoothingOrder")
        }
        if smoothingOrder < 0 || smoothingOrder > 10 { throw ADOConfigError("smoothingOrder must be in 0...10") }
        if !(smoothingNoiseTarget > 0 && smoothingNoiseTarget.isFinite) { throw ADOConfigError("smoothingNoiseTarget must be > 0") }
        if !(refitMinimumSignal >= 0 && refitMinimumSignal.isFinite) { throw ADOConfigError("refitMinimumSignal must be ≥ 0") }
        if !(refitSignalSpan > 0 && refitSignalSpan <= 1) { throw ADOConfigError("refitSignalSpan must be in (0, 1]") }
        for (name, v) in [("historyRate", historyRate), ("smoothingRate", smoothingRate)] where !(v > 0 && v <= 1) {
            throw ADOConfigError("\(name) must be in (0, 1], got \(v)")
        }
        if !(creditExponent >= 0 && creditExponent.isFinite) { throw ADOConfigError("creditExponent must be ≥ 0") }
        if !(minimumWeight >= 0 && Double(k) * minimumWeight < 1) {
            throw ADOConfigError("minimumWeight must be ≥ 0 with K·minimumWeight < 1 (K = \(k), got \(minimumWeight))")
        }
        if !(exponentFloor >= 0 && exponentFloor.isFinite) { throw ADOConfigError("exponentFloor must be ≥ 0") }
        if startGrid.aValues.isEmpty || startGrid.eValues.isEmpty || startGrid.alphaValues.isEmpty {
            throw ADOConfigError("startGrid needs at least one value per parameter")
        }
        if refinedStarts < 1 { throw ADOConfigError("refinedStarts must be ≥ 1") }
        if !(huberDelta > 0) { throw ADOConfigError("huberDelta must be > 0") }
        if !(betaPenalty >= 0 && betaPenalty.isFinite) { throw ADOConfigError("betaPenalty must be ≥ 0") }
        if minimumFitPoints < 3 { throw ADOConfigError("minimumFitPoints must be ≥ 3 (three parameters)") }
        if !(fitTolerance > 0) || fitMaxIterations < 1 { throw ADOConfigError("fitTolerance > 0 and fitMaxIterations ≥ 1 required") }
    }
}

extension ADOConfig {
    /// Wire keys, snake_case (`update_interval`, …); the camelCase spellings of older releases are accepted.
    static let wireKeys: Set<String> = [
        "start_step", "ignore_steps", "update_interval", "subsample", "max_fit_points", "smoothing_window", "smoothing_order",
        "history_rate", "smoothing_rate", "credit_exponent", "minimum_weight", "floor_rule", "exponent_floor", "bounds",
        "start_grid", "refined_starts", "huber_delta", "beta_penalty", "minimum_fit_points", "fit_tolerance", "fit_max_iterations",
        "smoothing_noise_target", "refit_minimum_signal", "refit_signal_span",
    ]

    /// Missing keys keep their defaults, so `{}` or `{"update_interval": 200}` is a valid config;
    /// unknown keys are refused (with their path) so a typo does not silently fall back to a default.
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: WireKey.self)
        for (key, snake) in c.wireKeys where !Self.wireKeys.contains(snake) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                                                    debugDescription: "unknown hyperparameter '\(key.stringValue)'"))
        }
        func take<T: Decodable>(_ k: String, _ v: inout T) throws { if let x = try c.decodeIfPresent(T.self, wire: k) { v = x } }
        try take("start_step", &startStep); try take("ignore_steps", &ignoreSteps)
        try take("update_interval", &updateInterval); try take("subsample", &subsample)
        try take("max_fit_points", &maxFitPoints)
        try take("smoothing_window", &smoothingWindow); try take("smoothing_order", &smoothingOrder)
        try take("history_rate", &historyRate); try take("smoothing_rate", &smoothingRate)
        try take("credit_exponent", &creditExponent); try take("minimum_weight", &minimumWeight)
        try take("floor_rule", &floorRule); try take("exponent_floor", &exponentFloor)
        try take("bounds", &bounds); try take("start_grid", &startGrid)
        try take("refined_starts", &refinedStarts); try take("huber_delta", &huberDelta); try take("beta_penalty", &betaPenalty)
        try take("minimum_fit_points", &minimumFitPoints); try take("fit_tolerance", &fitTolerance)
        try take("fit_max_iterations", &fitMaxIterations)
        try take("smoothing_noise_target", &smoothingNoiseTarget); try take("refit_minimum_signal", &refitMinimumSignal)
        try take("refit_signal_span", &refitSignalSpan)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        func put<T: Encodable>(_ k: String, _ v: T) throws { try c.encode(v, forKey: WireKey(k)) }
        try put("start_step", startStep); try put("ignore_steps", ignoreSteps); try put("update_interval", updateInterval)
        try put("subsample", subsample); try put("max_fit_points", maxFitPoints); try put("smoothing_window", smoothingWindow)
        try put("smoothing_order", smoothingOrder); try put("history_rate", historyRate); try put("smoothing_rate", smoothingRate)
        try put("credit_exponent", creditExponent); try put("minimum_weight", minimumWeight); try put("floor_rule", floorRule)
        try put("exponent_floor", exponentFloor); try put("bounds", bounds); try put("start_grid", startGrid)
        try put("refined_starts", refinedStarts); try put("huber_delta", huberDelta); try put("beta_penalty", betaPenalty)
        try put("minimum_fit_points", minimumFitPoints); try put("fit_tolerance", fitTolerance)
        try put("fit_max_iterations", fitMaxIterations)
        try put("smoothing_noise_target", smoothingNoiseTarget); try put("refit_minimum_signal", refitMinimumSignal)
        try put("refit_signal_span", refitSignalSpan)
    }
}

extension ResolvedADOConfig {
    /// Same wire keys as `ADOConfig` (snake_case; camelCase from older releases accepted), every one present.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        func get<T: Decodable>(_ k: String) throws -> T { try c.decode(T.self, wire: k) }
        self.init(startStep: try get("start_step"), ignoreSteps: try get("ignore_steps"), updateInterval: try get("update_interval"),
                  subsample: try get("subsample"), maxFitPoints: try c.decodeIfPresent(Int.self, wire: "max_fit_points"),
                  smoothingWindow: try get("smoothing_window"), smoothingOrder: try get("smoothing_order"),
                  historyRate: try get("history_rate"), smoothingRate: try get("smoothing_rate"),
                  creditExponent: try get("credit_exponent"), minimumWeight: try get("minimum_weight"),
                  floorRule: try get("floor_rule"), exponentFloor: try get("exponent_floor"), bounds: try get("bounds"),
                  startGrid: try get("start_grid"), refinedStarts: try get("refined_starts"), huberDelta: try get("huber_delta"),
                  betaPenalty: try get("beta_penalty"), minimumFitPoints: try get("minimum_fit_points"),
                  fitTolerance: try get("fit_tolerance"), fitMaxIterations: try get("fit_max_iterations"))
        adaptiveSmoothing = try c.decodeIfPresent(Bool.self, wire: "smoothing_adaptive") ?? false
        smoothingNoiseTarget = try c.decodeIfPresent(Double.self, wire: "smoothing_noise_target") ?? 0.01
        refitMinimumSignal = try c.decodeIfPresent(Double.self, wire: "refit_minimum_signal") ?? 0
        refitSignalSpan = try c.decodeIfPresent(Double.self, wire: "refit_signal_span") ?? 1
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        func put<T: Encodable>(_ k: String, _ v: T) throws { try c.encode(v, forKey: WireKey(k)) }
        try put("start_step", startStep); try put("ignore_steps", ignoreSteps); try put("update_interval", updateInterval)
        try put("subsample", subsample); try c.encodeIfPresent(maxFitPoints, forKey: WireKey("max_fit_points"))
        try put("smoothing_window", smoothingWindow); try put("smoothing_order", smoothingOrder)
        try put("history_rate", historyRate); try put("smoothing_rate", smoothingRate); try put("credit_exponent", creditExponent)
        try put("minimum_weight", minimumWeight); try put("floor_rule", floorRule); try put("exponent_floor", exponentFloor)
        try put("bounds", bounds); try put("start_grid", startGrid); try put("refined_starts", refinedStarts)
        try put("huber_delta", huberDelta); try put("beta_penalty", betaPenalty); try put("minimum_fit_points", minimumFitPoints)
        try put("fit_tolerance", fitTolerance); try put("fit_max_iterations", fitMaxIterations)
        try put("smoothing_adaptive", adaptiveSmoothing); try put("smoothing_noise_target", smoothingNoiseTarget)
        try put("refit_minimum_signal", refitMinimumSignal); try put("refit_signal_span", refitSignalSpan)
    }
}
