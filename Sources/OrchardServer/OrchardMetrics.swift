import CoreMetrics
import Foundation
import Metrics
import OrchardStore
import Prometheus

/// Process-wide Prometheus metrics. swift-metrics is bootstrapped once per process (Hummingbird's
/// `MetricsMiddleware` records HTTP latencies through it); queue metrics are registered directly.
public final class OrchardMetrics: Sendable {
    public static let shared = OrchardMetrics()

    public let registry: PrometheusCollectorRegistry
    let retries: Prometheus.Counter
    let leaseExpiries: Prometheus.Counter
    let jobDuration: Prometheus.ValueHistogram
    let claims: Prometheus.Counter

    private init() {
        registry = PrometheusMetricsFactory.defaultRegistry
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        retries = registry.makeCounter(name: "orchard_job_retries_total", help: "Transient job failures scheduled for retry")
        leaseExpiries = registry.makeCounter(name: "orchard_lease_expiries_total", help: "Leases reclaimed by the reaper")
        claims = registry.makeCounter(name: "orchard_job_claims_total", help: "Jobs claimed by workers")
        jobDuration = registry.makeValueHistogram(name: "orchard_job_duration_seconds",
                                                  buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400, 86400],
                                                  help: "Wall time from first start to finish of finished jobs")
    }

    func finished(status: JobStatus) -> Prometheus.Counter {
        registry.makeCounter(name: "orchard_jobs_finished_total", labels: [("status", status.rawValue)],
                             help: "Jobs that reached a terminal state")
    }

    /// Refreshes the queue-depth gauges and renders the exposition text.
    func render(store: OrchardStore) throws -> String {
        let depth = try store.queueDepth()
        for (status, n) in depth {
            registry.makeGauge(name: "orchard_queue_depth", labels: [("status", status.rawValue)], help: "Jobs per status").set(Double(n))
        }
        return registry.emitToString()
    }
}
