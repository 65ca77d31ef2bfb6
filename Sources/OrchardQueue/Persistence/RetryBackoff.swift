import Foundation

/// The delay before a failed job's retry, shared by every store: `min(cap, base · 2^(attempt−1)) · (1 ± jitter)`,
/// in milliseconds (`attempt`: the number of the failure, from 1).
public struct RetryBackoff: Sendable {
    public var baseSeconds: Double
    public var capSeconds: Double
    /// Fraction: the delay is scaled by a uniform factor in [1 − jitter, 1 + jitter].
    public var jitter: Double

    public init(baseSeconds: Double, capSeconds: Double, jitter: Double) {
        self.baseSeconds = baseSeconds; self.capSeconds = capSeconds; self.jitter = jitter
    }

    public func delayMillis(attempt: Int) -> Int64 {
        let raw = min(capSeconds, baseSeconds * pow(2, Double(max(0, attempt - 1))))
        let factor = 1 + jitter * Double.random(in: -1...1)
        return Int64((raw * factor * 1000).rounded())
    }
}
