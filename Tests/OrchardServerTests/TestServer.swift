import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OrchardJobs
import OrchardQueue
import OrchardServer
import OrchardStore
import OrchardTestSupport

/// An in-process Orchard (store in a temporary directory, two tenants with keys) for router tests.
struct TestServer {
    let store: OrchardStore
    let config: ServerConfiguration
    let registry: JobKindRegistry
    let key: String
    let otherKey: String

    /// `kinds`: the job kinds this server runs besides the test-only ones.
    /// `dataDirectory`: an existing data directory to serve (default: a fresh temporary one).
    init(workers: Int = 0, dataDirectory: URL? = nil, configure: (inout ServerConfiguration) -> Void = { _ in },
         kinds: (JobKindRegistry) -> Void = { _ in }) throws {
        registry = TestKinds.registry(kinds)
        let dir = dataDirectory
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("orchard-server-\(UUID().uuidString)", isDirectory: true)
        var storeConfig = StoreConfiguration(dataDirectory: dir)
        storeConfig.settings.retryBaseSeconds = 0.05
        var c = ServerConfiguration()
        c.workers.count = workers
        c.workers.pollInterval = .milliseconds(20)
        c.workers.controlInterval = .milliseconds(50)
        c.workers.reapInterval = .milliseconds(200)
        c.eventPollInterval = .milliseconds(20)
        c.keepAliveInterval = .milliseconds(100)
        configure(&c)
        config = c
        store = try OrchardStore(configuration: storeConfig)
        key = try store.createAPIKey(tenant: "acme")
        otherKey = try store.createAPIKey(tenant: "globex")
    }

    func app() -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return OrchardApplication.make(store: store, registry: registry, config: config, logger: logger, holdServicesUntilListening: false)
    }

    func auth(_ key: String? = nil, _ extra: HTTPFields = [:]) -> HTTPFields {
        var h = extra
        h[.authorization] = "Bearer \(key ?? self.key)"
        return h
    }
}

func json(_ buffer: ByteBuffer) -> JSONValue {
    (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))) ?? .null
}

func body(_ value: JSONValue) -> ByteBuffer { ByteBuffer(bytes: value.canonicalData()) }

/// Polls until `condition` holds (jobs run on worker threads in the background).
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return false
}
