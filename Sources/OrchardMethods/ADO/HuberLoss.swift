import Foundation

/// Huber loss as jaxopt's `huber_loss`, which the official fit uses with δ = 1e-3:
/// ½r² for |r| ≤ δ, δ(|r| - ½δ) beyond (so with a small δ it is almost L1, robust to loss spikes).
public enum HuberLoss {
    @inline(__always)
    public static func value(_ r: Double, delta: Double) -> Double {
        let ar = Swift.abs(r)
        return ar <= delta ? 0.5 * r * r : delta * (ar - 0.5 * delta)
    }

    /// d/dr of `value`.
    @inline(__always)
    public static func derivative(_ r: Double, delta: Double) -> Double {
        Swift.abs(r) <= delta ? r : (r > 0 ? delta : -delta)
    }
}
