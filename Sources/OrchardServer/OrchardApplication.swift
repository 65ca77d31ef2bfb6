import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import OrchardJobs
import OrchardQueue
import ServiceLifecycle

/// Assembles the service: the HTTP router plus the worker pool and reaper as lifecycle services.
public enum OrchardApplication {
    /// Every route of docs/openapi.yaml.
    public static func router(store: any QueueStore, registry: JobKindRegistry, config: ServerConfiguration) -> Router<OrchardRequestContext> {
        _ = OrchardMetrics.shared
        let router = Router(context: OrchardRequestContext.self)
        // Metrics outside the error envelope: they record the status the client gets (a 409 from the store is a 409,
        // not the 500 an unconverted error would count as).
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: NoSniffMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(routes: DocumentedRoutes.shared))
        OperationalRoutes(store: store).register(on: router)
        DashboardRoutes().register(on: router)
        let v1 = router.group("v1").add(middleware: AuthMiddleware(store: store, defaults: config.defaultLimits))
        JobRoutes(store: store, registry: registry, backends: config.backends).register(on: v1)
        EventRoutes(store: store, pollInterval: config.eventPollInterval, keepAliveInterval: config.keepAliveInterval).register(on: v1)
        CheckpointRoutes(store: store).register(on: v1)
        PlotRoutes(store: store).register(on: v1)
        DatasetRoutes(store: store, maxUploadBytes: config.maxDatasetBytes, spoolDirectory: config.uploadSpoolDirectory).register(on: v1)
        DeletionRoutes(store: store, registry: registry).register(on: v1)
        return router
    }

    /// The HTTP application (HTTPS when `config.tls` is set) with `WorkerPool` (when `workers.count > 0`) and `Reaper` attached.
    /// `extraServices`: more lifecycle services (an execution back end's dispatcher), started with the others.
    /// `holdServicesUntilListening`: the worker pool and reaper start only once the server listens
    /// (so the "listening" line is logged first); tests that drive the router without a socket pass false.
    public static func make(store: any QueueStore, registry: JobKindRegistry, config: ServerConfiguration, logger: Logger,
                            holdServicesUntilListening: Bool = true,
                            extraServices: (StartGate) -> [any Service] = { _ in [] },
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let gate = StartGate(open: !holdServicesUntilListening)
        // Spools of uploads that a crash interrupted: nothing refers to them.
        if let spools = config.uploadSpoolDirectory,
           let leftovers = try? FileManager.default.contentsOfDirectory(at: spools, includingPropertiesForKeys: nil) {
            for file in leftovers where file.pathExtension == "spool" { try? FileManager.default.removeItem(at: file) }
        }
        var services: [any Service] = [Reaper(store: store, interval: config.workers.reapInterval, logger: logger, startGate: gate)]
        services.append(DeletionCoordinatorService(store: store, registry: registry, interval: config.workers.pollInterval * 2,
                                                   logger: logger, startGate: gate))
        services.append(RetentionService(store: store, policy: config.retention, logger: logger, startGate: gate))
        if config.workers.count > 0 {
            services.append(WorkerPool(store: store, registry: registry, config: config.workers,
                                       drainTimeout: config.drainTimeout, logger: logger, startGate: gate))
        }
        // Services of execution back ends (the Slurm dispatcher), held by the same gate.
        services += extraServices(gate)
        // Hummingbird logs its own start-up at info ("Server started and listening on …"), before `onServerRunning`;
        // below debug it logs at notice and above, so the first line at the default level is the caller's listening line.
        // Parse errors (oversized headers, not HTTP) are answered in the error envelope, with or without TLS.
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [HTTPParseErrorResponder()])
        var frameworkLogger = logger
        if frameworkLogger.logLevel > .debug { frameworkLogger.logLevel = max(frameworkLogger.logLevel, .notice) }
        return Application(
            router: router(store: store, registry: registry, config: config),
            server: config.tls?.serverBuilder(http1: http1) ?? .http1(configuration: http1),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "orchard"),
            services: services,
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? config.port)
                gate.open()
            },
            logger: frameworkLogger)
    }
}
