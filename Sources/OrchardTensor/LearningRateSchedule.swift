import Foundation

/// Learning rate as a function of the 0-based step.
public enum LearningRateSchedule: Sendable, Equatable, Codable {
    case constant(rate: Float)
    /// Linear ramp from rate/warmupSteps to rate over warmupSteps, then constant.
    case linearWarmup(rate: Float, warmupSteps: Int)
    /// Linear warm-up, then cosine decay from rate to minimumRate at totalSteps (constant after).
    case cosine(rate: Float, warmupSteps: Int, totalSteps: Int, minimumRate: Float)

    public func rate(at step: Int) -> Float {
        switch self {
        case .constant(let r): return r
        case .linearWarmup(let r, let w):
            return w > 0 && step < w ? r * Float(step + 1) / Float(w) : r
        case .cosine(let r, let w, let total, let minR):
            if w > 0 && step < w { return r * Float(step + 1) / Float(w) }
            let span = Swift.max(1, total - w)
            let progress = Swift.min(1, Double(step - w) / Double(span))
            return minR + Float(0.5 * (1 + cos(Double.pi * progress))) * (r - minR)
        }
    }

    public func validate() throws {
        switch self {
        case .constant(let r): guard r >= 0 else { throw EngineError.invalidArgument("learning rate must be >= 0") }
        case .linearWarmup(let r, let w): guard r >= 0, w >= 0 else { throw EngineError.invalidArgument("bad warm-up schedule") }
        case .cosine(let r, let w, let t, let m):
            guard r >= 0, m >= 0, w >= 0, t >= w else { throw EngineError.invalidArgument("bad cosine schedule") }
        }
    }
}
