import Foundation
import OrchardJobs

/// The job kinds of this executable, installed once by `main(register:)` before parsing.
public enum KindCatalog {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var register: @Sendable (JobKindRegistry) -> Void = ProductionKinds.register
    public static func install(_ r: @escaping @Sendable (JobKindRegistry) -> Void) { lock.withLock { register = r } }
    public static func registry() -> JobKindRegistry {
        let registry = JobKindRegistry()
        lock.withLock { register }(registry)
        return registry
    }
}
