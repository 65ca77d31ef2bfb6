import Foundation
import OrchardQueue

/// The HTTP server's settings and its worker runtime's (flags; see Deploy/orchard.env.example). The store is
/// configured by whoever opens it (the CLI: SQLite in a data directory).
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// HTTPS with this certificate and key; nil serves plain HTTP (behind a TLS-terminating proxy, or on loopback).
    public var tls: ServerTLS? = nil
    public var workers: WorkerConfiguration = .init()
    /// Largest accepted dataset upload.
    public var maxDatasetBytes: Int = 512 << 20
    /// Where uploads spool their validated records until they are stored (`orchard serve`: `DATA_DIR/uploads`, emptied
    /// at start-up); nil: a shared directory under the system's temporary directory, never emptied by the server.
    public var uploadSpoolDirectory: URL?
    /// What the server deletes on its own (old events and jobs, orphaned checkpoint directories).
    public var retention = RetentionPolicy()
    /// Limits for keys that set none of their own (`orchard serve --requests-per-second …`); nil fields: no limit.
    public var defaultLimits = TenantLimits()
    /// Server-sent events: how often the stream looks for new events, and the keep-alive period.
    public var eventPollInterval: Duration = .milliseconds(200)
    public var keepAliveInterval: Duration = .seconds(15)
    /// Longest a SIGTERM waits for running jobs to checkpoint before it releases their leases.
    public var drainTimeout: Duration = .seconds(25)
    /// The execution back ends a job may name (`"backend"`), and the one a job that names none gets.
    public var backends = JobBackends()

    public init() {}
}

/// Which execution back ends this server accepts (`local` always; `slurm` with `orchard serve --slurm`).
public struct JobBackends: Sendable {
    public var available: [String] = [ExecutionBackendName.local]
    public var defaultBackend: String = ExecutionBackendName.local
    public init() {}
    public init(available: [String], defaultBackend: String) { self.available = available; self.defaultBackend = defaultBackend }
}
