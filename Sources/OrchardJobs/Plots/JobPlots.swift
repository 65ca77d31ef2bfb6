import Foundation

/// The plots of a job, built from its `metrics` events (`GET /v1/jobs/{id}/plots/{name}.svg`): for pretrain,
/// `loss` (train and held-out loss per domain over steps) and `mixture` (weights over time, stacked area); for dpo,
/// `displacement` (mean log-prob change of the chosen and rejected responses from the reference, and the reward
/// margin, over steps). A plot a job has no data for is `noData`.
public enum JobPlots {
    public static let names = ["loss", "mixture", "displacement"]

    public enum PlotError: Error, Equatable, CustomStringConvertible {
        case unknownPlot(String)
        case noData(String)
        public var description: String {
            switch self {
            case .unknownPlot(let n): return "no plot named '\(n)' (plots: \(JobPlots.names.joined(separator: ", ")))"
            case .noData(let n): return "the job has no metrics events for plot '\(n)' yet"
            }
        }
    }

    /// SVG for `name` from the `data` of the job's metrics events, in order.
    public static func svg(name: String, metrics events: [JSONValue]) throws -> String {
        guard names.contains(name) else { throw PlotError.unknownPlot(name) }
        let rows = events.compactMap { e -> (step: Double, data: [String: JSONValue])? in
            guard let s = e["step"]?.doubleValue, let o = e.objectValue else { return nil }
            return (s, o)
        }
        func domains(_ key: String) -> [String] {
            Array(Set(rows.flatMap { $0.data[key]?.objectValue?.keys.map { $0 } ?? [] })).sorted()
        }
        func series(_ key: String, _ names: [String]) -> (x: [Double], y: [[Double]]) {
            let r = rows.filter { $0.data[key]?.objectValue != nil }
            return (r.map(\.step), r.map { row in names.map { row.data[key]?[$0]?.doubleValue ?? .nan } })
        }
        switch name {
        case "displacement":
            let keys = [("chosen_logprob_change", "log π(y⁺|x) − log π_ref(y⁺|x)"), ("rejected_logprob_change", "log π(y⁻|x) − log π_ref(y⁻|x)"),
                        ("reward_margin", "reward margin β·D")]
            let chart: [LineChart.Series] = keys.compactMap { key, label in
                let r = rows.compactMap { row in row.data[key]?.doubleValue.map { (row.step, $0) } }
                return r.isEmpty ? nil : .init(name: label, x: r.map(\.0), y: r.map(\.1))
            }
            guard !chart.isEmpty else { throw PlotError.noData(name) }
            return try SVGChartRenderer.render(LineChart(title: "Likelihood displacement", xLabel: "step", yLabel: "nats", series: chart))
        case "mixture":
            let d = domains("weights")
            let s = series("weights", d)
            guard !d.isEmpty, !s.x.isEmpty else { throw PlotError.noData(name) }
            return try SVGChartRenderer.render(LineChart.mixtureWeights(title: "Mixture weights", domains: d, steps: s.x, weights: s.y))
        default:
            let d = Array(Set(domains("train_loss_by_domain") + domains("heldout_loss_by_domain"))).sorted()
            guard !d.isEmpty else { throw PlotError.noData(name) }
            let train = series("train_loss_by_domain", d), held = series("heldout_loss_by_domain", d)
            var chartSeries: [LineChart.Series] = []
            for (k, dom) in d.enumerated() {
                if !train.x.isEmpty { chartSeries.append(.init(name: "\(dom) train", x: train.x, y: train.y.map { $0[k] })) }
                if !held.x.isEmpty { chartSeries.append(.init(name: "\(dom) held-out", x: held.x, y: held.y.map { $0[k] })) }
            }
            let meanHeld = rows.compactMap { r in r.data["heldout_loss"]?.doubleValue.map { (r.step, $0) } }
            if !meanHeld.isEmpty { chartSeries.append(.init(name: "mean held-out", x: meanHeld.map(\.0), y: meanHeld.map(\.1))) }
            return try SVGChartRenderer.render(LineChart(title: "Loss per domain (train and held-out)", xLabel: "step",
                                                         yLabel: "loss (nats/token)", series: chartSeries))
        }
    }
}
