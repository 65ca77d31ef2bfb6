import Foundation

/// Where the store gets "now" from. Timestamps are written from Swift, never from SQLite's clock
/// (Debian 12's SQLite 3.40 lacks `'subsec'`), and tests inject a manual clock to step time.
public protocol StoreClock: Sendable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    func nowMillis() -> Int64
}

public struct SystemClock: StoreClock {
    public init() {}
    public func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}

/// A clock that only moves when told to (tests of leases, backoff and the reaper).
public final class ManualClock: StoreClock, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64
    public init(startMillis: Int64 = 1_800_000_000_000) { now = startMillis }
    public func nowMillis() -> Int64 { lock.withLock { now } }
    public func advance(millis: Int64) { lock.withLock { now += millis } }
}
