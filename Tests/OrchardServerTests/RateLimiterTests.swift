import Foundation
import Testing
@testable import OrchardServer

/// The token bucket behind 429 `rate_limited`, on a clock the test moves.
@Suite struct RateLimiterTests {
    final class Clock: @unchecked Sendable { var nanos: UInt64 = 1_000_000_000 }

    @Test func burstOfOneSecondThenTheRateAndWholeSecondsToWait() {
        let clock = Clock()
        let limiter = RateLimiter(now: { clock.nanos })
        // Rate 3: a burst of 3, then refused; Retry-After rounds the wait up to whole seconds (at least 1).
        #expect((0..<3).map { _ in limiter.acquire(key: "k", rate: 3) } == [nil, nil, nil])
        #expect(limiter.acquire(key: "k", rate: 3) == 1)
        clock.nanos += 340_000_000   // 0.34 s refills 1.02 tokens
        #expect(limiter.acquire(key: "k", rate: 3) == nil)
        #expect(limiter.acquire(key: "k", rate: 3) == 1)
        // Keys are independent.
        #expect(limiter.acquire(key: "other", rate: 3) == nil)
        // A slow rate: one request, then the wait is the full period.
        #expect(limiter.acquire(key: "slow", rate: 0.1) == nil)
        #expect(limiter.acquire(key: "slow", rate: 0.1) == 10)
        clock.nanos += 5_000_000_000
        #expect(limiter.acquire(key: "slow", rate: 0.1) == 5)
        // Idle time refills at most to the burst.
        clock.nanos += 3_600_000_000_000
        #expect((0..<4).map { _ in limiter.acquire(key: "k", rate: 3) } == [nil, nil, nil, 1])
    }
}
