import Foundation
import OrchardJobs
@testable import OrchardStore

/// A store in a fresh temporary directory.
func makeStore(clock: any StoreClock = ManualClock(), configure: (inout StoreConfiguration) -> Void = { _ in }) throws -> OrchardStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-store-\(UUID().uuidString)", isDirectory: true)
    var config = StoreConfiguration(dataDirectory: dir)
    configure(&config)
    return try OrchardStore(configuration: config, clock: clock)
}

func submission(tenant: String = "acme", type: String = "test_counter", priority: Int = 5, maxAttempts: Int = 3,
                params: JSONValue = ["steps": 3], key: String? = nil, fingerprint: String? = nil) -> JobSubmission {
    JobSubmission(tenant: tenant, type: type, params: params, seed: 7, priority: priority, maxAttempts: maxAttempts,
                  metadata: ["team": "a"], idempotencyKey: key, fingerprint: fingerprint)
}

/// The repository root, found from this file's path (for tests that compare against committed files).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
