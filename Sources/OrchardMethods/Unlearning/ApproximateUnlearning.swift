import Foundation
import OrchardModels
import OrchardTensor

/// The approximate unlearning methods MUSE evaluates (spec algorithms-2 §2.3), for a GPT, with the reference code's
/// two bugs not copied: NPO on *sequence* log-likelihood ratios, KL on log-probabilities (log-softmax on both sides).
/// Notation: L_NLL(θ; x) = token-mean cross-entropy of chunk x; x_f forget chunks, x_r retain chunks; θ_ref the
/// frozen target.
///   ga       −L_NLL(θ; x_f)
///   ga_gdr   −L_NLL(θ; x_f) + L_NLL(θ; x_r)
///   ga_klr   −L_NLL(θ; x_f) + KL_r,   KL_r = Σ_{positions of x_r} KL(p_ref(·|x_<t) ‖ p_θ(·|x_<t)) / (retain rows)
///   npo      (2/β)·mean_f log(1 + (π_θ(x_f)/π_ref(x_f))^β),   log π(x) = Σ_t log p(x_t | x_<t)
///   npo_gdr  npo + L_NLL(θ; x_r)
///   npo_klr  npo + KL_r
///   task_vector  θ_ft = θ fine-tuned on the forget chunks; θ ← θ − α·(θ_ft − θ)
///   whp      θ_rein = θ fine-tuned on the forget chunks; at inference l = l_θ − α·ReLU(l_rein − l_θ) (`WHPScorer`):
///            `run` turns `model` into θ_rein, the caller keeps θ (the reference) beside it
/// Gradients as loss coefficients on the engine's per-position cross-entropy (−log p(target)): GA rows −1/(B_f·T),
/// NPO rows −2σ(β·log r_i)/B_f (at θ = θ_ref the weight is 1: GA on the sequence-summed NLL), GDR rows +1/(B_r·T),
/// KLR rows soft targets q = p_ref with coefficient 1/B_r (cross-entropy against q has KL's gradient).
/// Optimisation as MUSE's scripts: AdamW, constant learning rate, one forget and (for GDR/KLR) one retain batch per step.
public enum ApproximateUnlearningMethod: String, Sendable, CaseIterable, Codable {
    case ga, ga_gdr, ga_klr, npo, npo_gdr, npo_klr, task_vector, whp

    var usesNPO: Bool { self == .npo || self == .npo_gdr || self == .npo_klr }
    var retainTerm: RetainTerm? {
        switch self {
        case .ga_gdr, .npo_gdr: return .nll
        case .ga_klr, .npo_klr: return .kl
        default: return nil
        }
    }
    enum RetainTerm { case nll, kl }

    /// MUSE's per-method epochs on NEWS (scal/sust scripts); task vector: the fine-tuning epochs.
    public var defaultEpochs: Int {
        switch self {
        case .ga, .npo: return 1
        case .ga_gdr: return 7
        case .ga_klr, .npo_gdr, .npo_klr, .task_vector, .whp: return 10
        }
    }

    /// α: task vector 5 (MUSE's scripts), WHP 1 (MUSE's class default); unused by the others.
    public var defaultAlpha: Float { self == .whp ? 1 : 5 }
}

public struct ApproximateUnlearningConfig: Sendable, Equatable {
    public var method: ApproximateUnlearningMethod
    public var learningRate: Float = 1e-5
    public var epochs: Int
    /// Forget chunks per step (and retain chunks per step for GDR/KLR).
    public var batch: Int = 4
    public var beta: Double = 0.1
    public var alpha: Float = 5
    public var gradientClip: Float? = 1
    public init(method: ApproximateUnlearningMethod) { self.method = method; epochs = method.defaultEpochs; alpha = method.defaultAlpha }
}

/// One step's numbers.
public struct ApproximateUnlearningStep: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    public var loss: Double
    /// Mean token NLL of the forget rows at this step's forward (before the update).
    public var forgetNLL: Double
}

public enum ApproximateUnlearning {
    /// MUSE's chunking: consecutive windows of `length + 1` tokens; a short last window is wrapped with tokens from
    /// the start of the text's first window; texts under 2 tokens are skipped.
    public static func chunks(_ texts: [[Int32]], length: Int) -> [[Int32]] {
        var out: [[Int32]] = []
        for t in texts where t.count >= 2 {
            var start = 0
            while start < t.count - 1 {
                var w = Array(t[start..<Swift.min(t.count, start + length + 1)])
                if w.count < length + 1 {
                    var k = 0
                    while w.count < length + 1 { w.append(t[k % t.count]); k += 1 }
                }
                out.append(w)
                start += length
            }
        }
        return out
    }

    /// Sequence log-likelihood Σ_t log p(x_t | x_<t) of each chunk (forward only).
    public static func sequenceLogLikelihoods(_ model: GPT, _ chunks: [[Int32]]) throws -> [Double] {
        try GPTScorer(model: model).tokenLogProbabilities(chunks).map { $0.reduce(0, +) }
    }

    /// Softmax of one logits row.
    static func probabilities(_ logits: [Float]) -> [Float] {
        let m = logits.max() ?? 0
        let e = logits.map { Foundation.exp(Double($0 - m)) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }

    /// The objective's loss value and per-position coefficients for one step (rows: forget rows then retain rows),
    /// given the forward's per-position log-probabilities and, for NPO, the reference's sequence log-likelihoods of the
    /// forget rows. KL's value is added by the caller (it needs the logits).
    public static func coefficients(_ config: ApproximateUnlearningConfig, logProbabilities lp: [Float], forgetRows f: Int, retainRows r: Int,
                             length t: Int, referenceLogLikelihoods ref: [Double]) -> (loss: Double, coefficients: [Float], forgetNLL: Double) {
        var c = [Float](repeating: 0, count: (f + r) * t)
        var loss = 0.0, forgetNLL = 0.0
        for i in 0..<f {
            let seq = (0..<t).reduce(0.0) { $0 + Double(lp[i * t + $1]) }
            forgetNLL += -seq / Double(t * f)
            if config.method.usesNPO {
                let logRatio = seq - ref[i], z = config.beta * logRatio
                loss += (2 / config.beta) * softplus(z) / Double(f)
                let w = Float(-2 * sigmoid(z) / Double(f))
                for p in 0..<t { c[i * t + p] = w }
            } else {
                loss -= -seq / Double(t * f)
                for p in 0..<t { c[i * t + p] = -1 / Float(f * t) }
            }
        }
        if config.method.retainTerm == .nll {
            for i in f..<(f + r) {
                let seq = (0..<t).reduce(0.0) { $0 + Double(lp[i * t + $1]) }
                loss += -seq / Double(t * r)
                for p in 0..<t { c[i * t + p] = 1 / Float(r * t) }
            }
        } else if config.method.retainTerm == .kl {
            for i in f..<(f + r) { for p in 0..<t { c[i * t + p] = 1 / Float(r) } }
        }
        return (loss, c, forgetNLL)
    }

    @inline(__always) static func softplus(_ z: Double) -> Double { z > 0 ? z + Foundation.log1p(Foundation.exp(-z)) : Foundation.log1p(Foundation.exp(z)) }
    @inline(__always) static func sigmoid(_ z: Double) -> Double { z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z)) }

    /// Runs a method on `model` (which holds the target's weights and is changed in place). `reference` holds the
    /// target too (frozen; NPO and KLR read it). Forget and retain chunks come from `chunks`. The order of batches is
    /// a seeded shuffle per epoch. `progress` is called after each step; it may throw to stop.
    @discardableResult
    public static func run(model: GPT, reference: GPT, forget: [[Int32]], retain: [[Int32]], config: ApproximateUnlearningConfig,
                           seed: UInt64, progress: (ApproximateUnlearningStep) throws -> Void = { _ in }) throws -> [ApproximateUnlearningStep] {
        guard !forget.isEmpty else { throw ModelError.invalidInput("no forget chunks") }
        guard config.method.retainTerm == nil || !retain.isEmpty else { throw ModelError.invalidInput("\(config.method.rawValue) needs retain chunks") }
        guard config.epochs >= 0, config.batch >= 1 else { throw ModelError.invalidInput("epochs ≥ 0 and batch ≥ 1") }
        let f = Swift.min(config.batch, forget.count), r = config.method.retainTerm == nil ? 0 : Swift.min(config.batch, retain.count)
        guard f + r <= model.maxBatch, f <= reference.maxBatch, r <= reference.maxBatch else {
            throw ModelError.invalidInput("batch \(f)+\(r) rows exceeds the model's maxBatch \(model.maxBatch)")
        }
        if config.method == .task_vector {
            return try taskVector(model: model, forget: forget, config: config, seed: seed, progress: progress)
        }
        if config.method == .whp {   // model becomes the reinforced model; the target is `reference`
            return try fineTune(model: model, forget: forget, config: config, seed: seed, progress: progress)
        }
        let trainer = try GPTTrainer.adamW(model: model, learningRate: .constant(rate: config.learningRate), weightDecay: 0,
                                           beta1: 0.9, beta2: 0.999, gradientClip: config.gradientClip, seed: seed)
        let referenceLL = config.method.usesNPO ? try sequenceLogLikelihoods(reference, forget) : []
        var random = SeededRandom(seed: seed, stream: [7])
        var retainCursor = 0, step = 0
        var retainOrder = Array(retain.indices)
        var log: [ApproximateUnlearningStep] = []
        for epoch in 0..<config.epochs {
            var order = Array(forget.indices)
            order.shuffle(using: &random)
            var start = 0
            while start < order.count {
                let fIdx = Array(order[start..<Swift.min(order.count, start + f)])
                start += f
                var rIdx: [Int] = []
                for _ in 0..<r {
                    if retainCursor == 0 { retainOrder.shuffle(using: &random) }
                    rIdx.append(retainOrder[retainCursor]); retainCursor = (retainCursor + 1) % retainOrder.count
                }
                let rowsChunks = fIdx.map { forget[$0] } + rIdx.map { retain[$0] }
                let (inputs, targets, t) = windowRows(rowsChunks[...])
                // KLR: the reference's distributions at every retain position.
                var soft: [Int: [Float]] = [:]
                if config.method.retainTerm == .kl {
                    let (ri, rt, _) = windowRows(rIdx.map { retain[$0] }[...])
                    try reference.forward(inputs: ri, targets: rt, batch: rIdx.count, length: t)
                    for (k, _) in rIdx.enumerated() {
                        for p in 0..<t { soft[(fIdx.count + k) * t + p] = probabilities(reference.lastLogits(sequence: k, position: p)) }
                    }
                }
                var klValue = 0.0, forgetNLL = 0.0
                let result = try trainer.trainStep(inputs: inputs, targets: targets, batch: rowsChunks.count, length: t, objective: { lp in
                    let o = coefficients(config, logProbabilities: lp, forgetRows: fIdx.count, retainRows: rIdx.count, length: t,
                                         referenceLogLikelihoods: fIdx.map { config.method.usesNPO ? referenceLL[$0] : 0 })
                    forgetNLL = o.forgetNLL
                    return (o.loss, o.coefficients)
                }, beforeBackward: soft.isEmpty ? nil : { m in
                    for (pos, q) in soft {
                        let row = m.lastLogits(sequence: pos / t, position: pos % t)
                        let mx = row.max()!
                        let lse = Double(mx) + Foundation.log(row.reduce(0.0) { $0 + Foundation.exp(Double($1 - mx)) })
                        for j in 0..<q.count where q[j] > 0 { klValue += Double(q[j]) * (Foundation.log(Double(q[j])) - (Double(row[j]) - lse)) }
                    }
                    try m.setSoftTargets(soft)
                })
                let s = ApproximateUnlearningStep(step: step, epoch: epoch, loss: Double(result.loss) + klValue / Double(Swift.max(1, rIdx.count)),
                                                  forgetNLL: forgetNLL)
                log.append(s)
                try progress(s)
                step += 1
            }
        }
        return log
    }

    /// Task vector: fine-tune a copy on the forget chunks (AdamW, the config's learning rate and epochs, token-mean
    /// NLL), τ = θ_ft − θ, then θ ← θ − α·τ.
    static func taskVector(model: GPT, forget: [[Int32]], config: ApproximateUnlearningConfig, seed: UInt64,
                           progress: (ApproximateUnlearningStep) throws -> Void) throws -> [ApproximateUnlearningStep] {
        let target = model.namedParameters()
        let log = try fineTune(model: model, forget: forget, config: config, seed: seed, progress: progress)
        try model.load(namedParameters: negate(target: target, fineTuned: model.namedParameters(), alpha: config.alpha))
        return log
    }

    /// Fine-tunes `model` on the forget chunks (AdamW, the config's learning rate and epochs, token-mean NLL).
    static func fineTune(model: GPT, forget: [[Int32]], config: ApproximateUnlearningConfig, seed: UInt64,
                         progress: (ApproximateUnlearningStep) throws -> Void) throws -> [ApproximateUnlearningStep] {
        let trainer = try GPTTrainer.adamW(model: model, learningRate: .constant(rate: config.learningRate), weightDecay: 0,
                                           beta1: 0.9, beta2: 0.999, gradientClip: config.gradientClip, seed: seed)
        var random = SeededRandom(seed: seed, stream: [7])
        var log: [ApproximateUnlearningStep] = [], step = 0
        let f = Swift.min(config.batch, forget.count)
        for epoch in 0..<config.epochs {
            var order = Array(forget.indices)
            order.shuffle(using: &random)
            var start = 0
            while start < order.count {
                let batch = order[start..<Swift.min(order.count, start + f)].map { forget[$0] }
                start += f
                let (inputs, targets, t) = windowRows(batch[...])
                let r = try trainer.trainStep(inputs: inputs, targets: targets, batch: batch.count, length: t)
                let s = ApproximateUnlearningStep(step: step, epoch: epoch, loss: Double(r.loss), forgetNLL: Double(r.loss))
                log.append(s); try progress(s); step += 1
            }
        }
        return log
    }

    /// θ − α·(θ_ft − θ) per tensor (α = 0 returns θ bit for bit).
    public static func negate(target: [String: TensorRecord], fineTuned: [String: TensorRecord], alpha: Float) -> [String: TensorRecord] {
        var out = target
        for (name, t) in target {
            guard let ft = fineTuned[name], ft.values.count == t.values.count else { continue }
            out[name]!.values = zip(t.values, ft.values).map { base, tuned in alpha == 0 ? base : base - alpha * (tuned - base) }
        }
        return out
    }
}
