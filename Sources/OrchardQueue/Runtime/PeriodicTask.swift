import Foundation
import Logging
import ServiceLifecycle

/// The loop of the runtime's periodic services (reaper, deletion coordinator): once `gate` opens, runs `tick` every
/// `interval` until graceful shutdown; a failing tick is logged as `failure` and the loop goes on.
public func runPeriodically(every interval: Duration, after gate: StartGate, logger: Logger, failure: String,
                     _ tick: @escaping @Sendable () async throws -> Void) async throws {
    await gate.wait()
    try await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do { try await tick() } catch {
                logger.error("\(failure)", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
