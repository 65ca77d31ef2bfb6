import Foundation
import OrchardJobs

/// A CPU-bound job type for tests and the latency benchmark only: keeps `context.threads` threads
/// busy for `seconds`, checking `shouldStop` every few milliseconds.
public struct TestSpinKind: JobKind {
    public static let type = "test_spin"
    public init() {}

    public struct Params: JobParams {
        /// Wall time to spin, (0, 600].
        public var seconds: Double = 1
        public init() {}
    }
    public struct Output: Codable, Sendable {
        public var threads: Int
        public var rounds: UInt64
    }

    public func resolve(_ p: Params) throws -> Params {
        guard p.seconds > 0, p.seconds <= 600 else { throw JobError.invalid(param: "seconds", message: "seconds must be in (0, 600]") }
        return p
    }

    public func run(_ p: Params, seed: UInt64, context: JobContext) throws -> Output {
        let seconds = p.seconds
        let deadline = Date().addingTimeInterval(seconds)
        let threads = max(1, context.threads)
        let group = DispatchGroup()
        let rounds = Rounds()
        for t in 0..<threads {
            group.enter()
            let thread = Thread {
                var x: UInt64 = UInt64(t) + 1
                var n: UInt64 = 0
                while Date() < deadline && !context.shouldStop {
                    for _ in 0..<200_000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
                    n &+= 1
                }
                rounds.add(n &+ (x & 1))
                group.leave()
            }
            thread.start()
        }
        group.wait()
        if context.shouldStop { throw JobError.stopped }
        return Output(threads: threads, rounds: rounds.total)
    }

    final class Rounds: @unchecked Sendable {
        private let lock = NSLock()
        private var n: UInt64 = 0
        var total: UInt64 { lock.withLock { n } }
        func add(_ k: UInt64) { lock.withLock { n &+= k } }
    }
}

/// The test-only job kinds, added to the production ones by `orchard-testserver` and the tests.
public enum TestKinds {
    public static func register(in registry: JobKindRegistry) {
        registry.register(TestCounterKind())
        registry.register(TestSpinKind())
        registry.register(TestMemorizerKind())
    }
    /// A registry with the test-only kinds, plus `extra`.
    public static func registry(_ extra: (JobKindRegistry) -> Void = { _ in }) -> JobKindRegistry {
        let r = JobKindRegistry()
        register(in: r)
        extra(r)
        return r
    }
}
