import Foundation

/// Token buckets, one per API key (by its hash): a key with rate r holds at most max(1, r) tokens (one second's
/// burst), refilled continuously at r per second; a request takes one. Kept in memory, per server process: with
/// several API servers each enforces the rate on its own share of the requests.
final class RateLimiter: @unchecked Sendable {
    private struct Bucket { var tokens: Double; var updated: UInt64 }
    private let lock = NSLock()
    private var buckets: [String: Bucket] = [:]
    private let now: () -> UInt64

    /// `now`: a monotonic clock in nanoseconds (tests may pass their own).
    init(now: @escaping () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) { self.now = now }

    /// nil when the request may go ahead (a token was taken); otherwise the whole seconds until one is available.
    func acquire(key: String, rate: Double) -> Int? {
        let capacity = max(1, rate)
        let t = now()
        return lock.withLock {
            var b = buckets[key] ?? Bucket(tokens: capacity, updated: t)
            b.tokens = min(capacity, b.tokens + Double(t &- b.updated) / 1e9 * rate)
            b.updated = t
            defer { buckets[key] = b }
            if b.tokens >= 1 { b.tokens -= 1; return nil }
            return max(1, Int(((1 - b.tokens) / rate).rounded(.up)))
        }
    }
}
