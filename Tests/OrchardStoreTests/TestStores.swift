import Foundation
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import OrchardQueue
@testable import OrchardStore

/// The store under test, in a fresh temporary directory. The suite drives it only through the OrchardQueue
/// protocols (`any QueueStore`): a second back end runs the same tests by being returned here. Today: SQLite.
/// `configure` sets the queue's settings (retention, retry backoff), which every back end honours.
func makeStore(clock: any StoreClock = ManualClock(), configure: (inout StoreConfiguration) -> Void = { _ in }) throws -> any QueueStore {
    try makeSQLiteStore(clock: clock, configure: configure)
}

/// The SQLite store itself, for the few checks that look inside its database (migrations, purged rows).
func makeSQLiteStore(clock: any StoreClock = ManualClock(), configure: (inout StoreConfiguration) -> Void = { _ in }) throws -> OrchardStore {
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

/// The kinds the store tests run, through the same erased path as the worker runtime (decode once, resolve,
/// run with the job's seed, encode the typed result).
let kinds: JobKindRegistry = TestKinds.registry { r in
    r.register(PretrainKind()); r.register(TopicModelKind()); r.register(TopicHeadKind()); r.register(DPOKind()); r.register(EvaluatePreferencesKind())
    r.register(MLPTrainKind()); r.register(DistillKind())
}

extension JobKindRegistry {
    func validate(_ type: String, _ params: JSONValue) throws -> JSONValue {
        guard let k = kind(type) else { throw JobError.invalid(param: "type", message: "unknown \(type)") }
        return try k.validate(params)
    }
    func run(_ type: String, _ params: JSONValue, seed: UInt64, context: JobContext) throws -> JSONValue {
        guard let k = kind(type) else { throw JobError.invalid(param: "type", message: "unknown \(type)") }
        return try k.run(params, seed, context)
    }
}
