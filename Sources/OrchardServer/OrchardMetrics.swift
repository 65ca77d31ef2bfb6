import CoreMetrics
import Foundation
import Metrics
import OrchardQueue
import Prometheus

/// Process-wide Prometheus metrics. swift-metrics is bootstrapped once per process (Hummingbird's
/// `MetricsMiddleware` records HTTP latencies through it); the worker runtime registers its own (`QueueMetrics`).
public final class OrchardMetrics: Sendable {
    public static let shared = OrchardMetrics()

    public let registry: PrometheusCollectorRegistry

    private init() {
        registry = QueueMetrics.shared.registry
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// Refreshes the queue-depth gauges and renders the exposition text.
    func render(store: any QueueStore) throws -> String {
        let depth = try store.queueDepth()
        for (status, n) in depth {
            registry.makeGauge(name: "orchard_queue_depth", labels: [("status", status.rawValue)], help: "Unfinished jobs per status").set(Double(n))
        }
        return registry.emitToString()
    }
}
