import ArgumentParser
import Foundation
import Logging
import OrchardJobs
import OrchardQueue
import OrchardStore
import ServiceLifecycle

/// `orchard worker` (and the `orchard-worker` binary): the worker pool, the reaper and the deletion coordinator
/// without the HTTP API, against the same store (data directory, or PostgreSQL database and checkpoint directory). This module links no HTTP server.
public struct WorkerCommand: AsyncParsableCommand {
    public init() {}

    /// Entry point of the `orchard-worker` executable: `register` adds the job kinds it serves.
    public static func main(register: @escaping @Sendable (JobKindRegistry) -> Void) async {
        KindCatalog.install(register)
        await main()
    }
    public static let configuration = CommandConfiguration(commandName: "worker", abstract: "Run only the worker pool (no HTTP).")

    @Option(help: "trace | debug | info | notice | warning | error | critical") var logLevel: String?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var workerOptions: WorkerOptions

    @Option(help: "Run only this job, once, and exit (the worker an execution back end such as Slurm starts for the job).")
    var job: String?

    @Option(help: "With --job: the back end's id of the submission this worker runs for (Slurm: $SLURM_JOB_ID); the job is claimed only if that is its current submission.")
    var backendRef: String?

    public func run() async throws {
        let logger = LogSetup.bootstrap(level: logLevel)
        var workers = WorkerConfiguration(), drainTimeout: Duration = .seconds(25)
        try workerOptions.apply(to: &workers, drainTimeout: &drainTimeout)
        guard workers.count > 0 else { throw ValidationError("--workers must be at least 1") }
        if backendRef != nil && job == nil { throw ValidationError("--backend-ref needs --job") }
        if backendRef?.isEmpty == true { throw ValidationError("--backend-ref is empty (is $SLURM_JOB_ID set?)") }
        let store = try storeOptions.openStore(logger: logger)
        let registry = KindCatalog.registry()
        if let job {
            workers.count = 1
            workers.onlyJob = .init(jobID: job, backendRef: backendRef)
            logger.info("orchard worker started for one job", metadata: ["job_id": "\(job)", "backend_ref": "\(backendRef ?? "-")"])
            let pool = WorkerPool(store: store, registry: registry, config: workers, drainTimeout: drainTimeout, logger: logger)
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: pool, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            return
        }
        logger.info("orchard worker started", metadata: ["workers": "\(workers.count)", "job_types": "\(registry.types.joined(separator: ","))"])
        let group = ServiceGroup(configuration: .init(
            services: [
                WorkerPool(store: store, registry: registry, config: workers, drainTimeout: drainTimeout, logger: logger),
                Reaper(store: store, interval: workers.reapInterval, logger: logger),
                DeletionCoordinatorService(store: store, registry: registry, interval: workers.pollInterval * 2, logger: logger),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

