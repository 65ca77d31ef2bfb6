import Foundation
import OrchardJobs

/// A CPU-bound job type for tests and the latency benchmark only: keeps `context.threads` threads
/// busy for `seconds`, checking `shouldStop` every few milliseconds.
public struct TestSpinRunner: JobRunner {
    public static let type = "test_spin"
    public var type: String { Self.type }
    public init() {}

    public func validate(params: JSONValue, seed: UInt64) throws -> JSONValue {
        if let unknown = params.objectValue?.keys.first(where: { $0 != "seconds" }) {
            throw JobError.invalid(param: unknown, message: "unknown parameter \(unknown)")
        }
        let seconds = params["seconds"]?.doubleValue ?? 1
        guard seconds > 0, seconds <= 600 else { throw JobError.invalid(param: "seconds", message: "seconds must be in (0, 600]") }
        return ["seconds": .number(seconds)]
    }

    public func run(params: JSONValue, context: JobContext) throws -> JSONValue {
        let seconds = params["seconds"]?.doubleValue ?? 1
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
        return ["threads": .number(Double(threads)), "rounds": .number(Double(rounds.total))]
    }

    final class Rounds: @unchecked Sendable {
        private let lock = NSLock()
        private var n: UInt64 = 0
        var total: UInt64 { lock.withLock { n } }
        func add(_ k: UInt64) { lock.withLock { n &+= k } }
    }
}

/// The test-only runners, added to the production ones by `orchard-testserver` and the tests.
public enum TestRunners {
    public static var all: [any JobRunner] { [TestCounterRunner(), TestSpinRunner()] }
}
