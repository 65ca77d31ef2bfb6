import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import OrchardJobs
import OrchardQueue
import OrchardServer
import OrchardSlurm
import OrchardStore
import OrchardTensor
import OrchardWorkerCLI

/// `orchard serve`: HTTP API + in-process worker pool + reaper. `--port 0` picks a free port; the
/// first log line is `orchard listening on http://HOST:PORT` (`https://` with `--tls-cert`/`--tls-key`).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API with its worker pool.")

    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "Port to bind (0 picks a free one).") var port: Int = 8080
    @Option(help: "Largest dataset upload in MiB.") var maxDatasetMb: Int = 512
    @Option(help: "trace | debug | info | notice | warning | error | critical") var logLevel: String?
    @OptionGroup(title: "Limits for keys that set none of their own (default: none)") var limits: LimitOptions
    @OptionGroup var tlsOptions: TLSOptions
    @Option(help: "Delete runner events (metrics, …; not the job.* lifecycle) of jobs finished more than this many days ago.")
    var retainEventsDays: Int?
    @Option(help: "Delete jobs finished more than this many days ago that carry no data lineage and nothing refers to.")
    var retainJobsDays: Int?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var workerOptions: WorkerOptions
    @OptionGroup(title: "Slurm execution back end") var slurmOptions: SlurmOptions

    func run() async throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
        let tls = try tlsOptions.serverTLS()
        let logger = LogSetup.bootstrap(level: logLevel)
        var config = ServerConfiguration()
        config.host = host
        config.port = port
        config.tls = tls
        let storeConfig = try storeOptions.storeConfiguration()
        config.maxDatasetBytes = maxDatasetMb << 20
        config.defaultLimits = try limits.limits()
        for (flag, days) in [("--retain-events-days", retainEventsDays), ("--retain-jobs-days", retainJobsDays)] {
            if let days, days < 1 { throw ValidationError("\(flag) must be at least 1") }
        }
        config.retention = RetentionPolicy(eventsDays: retainEventsDays, jobsDays: retainJobsDays)
        config.uploadSpoolDirectory = storeConfig.dataDirectory.appendingPathComponent("uploads", isDirectory: true)
        try workerOptions.apply(to: &config.workers, drainTimeout: &config.drainTimeout)
        config.backends = try slurmOptions.backends()
        let slurm = try slurmOptions.configuration(store: storeOptions, workers: workerOptions, threadsPerJob: config.workers.threadsPerJob)
        let store = try storeOptions.openStore(logger: logger)
        let registry = KindCatalog.registry()
        let host = host, dataPath = storeConfig.dataDirectory.path, workers = config.workers.count
        let scheme = tls == nil ? "http" : "https"
        var listeningMetadata: Logger.Metadata = [
            "data_dir": "\(dataPath)", "workers": "\(workers)", "job_types": "\(registry.types.joined(separator: ","))",
        ]
        if let url = try storeOptions.location.postgresURL() {
            listeningMetadata["database"] = "\(url)"
            listeningMetadata["checkpoint_dir"] = "\(storeOptions.location.checkpointDirectory.path)"
        }
        if let tls { listeningMetadata["tls_cert"] = "\(tls.certificateChainPath)" }
        if let slurm { listeningMetadata["slurm_dir"] = "\(slurm.0.scriptDirectory.path)"; listeningMetadata["default_backend"] = "\(config.backends.defaultBackend)" }
        let app = OrchardApplication.make(store: store, registry: registry, config: config, logger: logger, extraServices: { gate in
            slurm.map { [SlurmDispatcher(store: store, configuration: $0.0, slurm: $0.1, logger: logger, startGate: gate)] } ?? []
        }) { [listeningMetadata] port in
            logger.info("orchard listening on \(scheme)://\(host):\(port)", metadata: listeningMetadata)
            logger.info("OpenBLAS kernel \(BLASRuntime.coreName)", metadata: [
                "config": "\(BLASRuntime.configuration)", "gemm_kernel": "\(GEMMKernel.preferred.rawValue)",
            ])
        }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}

/// `orchard migrate`: applies pending migrations and lists the applied ones.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database migrations.")
    @OptionGroup var location: DatabaseOptions

    func run() async throws {
        for name in try location.migrate() { print(name) }
    }
}

/// `orchard backup --data-dir DIR --out FILE`: an online, consistent copy of the database (the server may keep running).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database consistently while the server runs (SQLite backup API); then copy DIR/checkpoints (docs/operations.md).")
    @Option(help: "Data directory.") var dataDir: String = "./.orchard"
    @Option(help: "The backup file (replaced atomically).") var out: String

    func run() async throws {
        do {
            let r = try StoreBackup.run(dataDirectory: URL(fileURLWithPath: dataDir, isDirectory: true), destination: URL(fileURLWithPath: out))
            print("backed up \(r.jobs) jobs, \(r.bytes) bytes, schema \(r.migrations.last ?? "empty"), in \(String(format: "%.2f", r.seconds)) s -> \(out)")
        } catch let e as StoreBackup.BackupError {
            throw ValidationError(e.description)
        }
    }
}

/// `orchard keys create --tenant NAME`: prints the new key alone on the last stdout line.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an API key for a tenant.")
        @Option(help: "Tenant the key acts for.") var tenant: String
        @OptionGroup var location: DatabaseOptions
        @OptionGroup(title: "This key's limits (default: the server's)") var limits: LimitOptions

        func run() async throws {
            let store = try location.openStore()
            do {
                let key = try store.createAPIKey(tenant: tenant, limits: try limits.limits())
                print("created an API key for tenant \(tenant); it is shown once:")
                print(key)
            } catch let e as StoreError {
                throw ValidationError(e.description)
            }
        }
    }
}

/// The three per-key limits as flags: on `serve` they are the defaults for keys without their own, on `keys create`
/// the new key's own values (docs/operations.md, "Limits").
struct LimitOptions: ParsableArguments {
    @Option(help: "Sustained requests per second per key (429 with Retry-After beyond it; burst: one second's worth).")
    var requestsPerSecond: Double?
    @Option(help: "Unfinished jobs (queued, running, paused) a tenant may have; a submission beyond it is 429.")
    var maxQueuedJobs: Int?
    @Option(help: "Dataset storage per tenant in MiB (bytes as uploaded); an upload beyond it is 413.")
    var maxDatasetStorageMb: Int?

    func limits() throws -> TenantLimits {
        let l = TenantLimits(requestsPerSecond: requestsPerSecond, maxQueuedJobs: maxQueuedJobs,
                             maxDatasetBytes: maxDatasetStorageMb.map { Int64($0) << 20 })
        do { try l.validate() } catch let e as StoreError { throw ValidationError(e.description) }
        return l
    }
}
