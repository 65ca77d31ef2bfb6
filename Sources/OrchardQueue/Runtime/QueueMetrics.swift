import Foundation
import Prometheus

/// The worker runtime's Prometheus metrics, in the process-wide registry that `/metrics` renders.
public final class QueueMetrics: Sendable {
    public static let shared = QueueMetrics()

    public let registry: PrometheusCollectorRegistry
    let retries: Prometheus.Counter
    let leaseExpiries: Prometheus.Counter
    let jobDuration: Prometheus.ValueHistogram
    let claims: Prometheus.Counter

    private init() {
        registry = PrometheusMetricsFactory.defaultRegistry
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
}
