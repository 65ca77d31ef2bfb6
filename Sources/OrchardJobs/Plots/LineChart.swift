import Foundation

/// A chart to render: named series of (x, y) points plus presentation options.
public struct LineChart: Sendable, Hashable {
    public struct Series: Sendable, Hashable {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        public init(name: String, x: [Double], y: [Double]) { self.name = name; self.x = x; self.y = y }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Logarithmic y axis (points with y ≤ 0 are left out).
    public var logY: Bool = false
    /// Stacked areas (e.g. mixture weights over time): series must share the same x values, y ≥ 0.
    public var stacked: Bool = false
    public var width: Int = 720
    public var height: Int = 420

    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                logY: Bool = false, stacked: Bool = false, width: Int = 720, height: Int = 420) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.logY = logY; self.stacked = stacked; self.width = width; self.height = height
    }

    /// Mixture weights over time as a stacked-area chart: `weights[t][k]` at `steps[t]`.
    public static func mixtureWeights(title: String = "Mixture weights", domains: [String], steps: [Double],
                                      weights: [[Double]]) -> LineChart {
        let series = domains.enumerated().map { k, name in
            Series(name: name, x: steps, y: weights.map { k < $0.count ? $0[k] : 0 })
        }
        return LineChart(title: title, xLabel: "step", yLabel: "weight", series: series, stacked: true)
    }
}

extension LineChart {
    /// Per-domain loss curves (plus their uniform mean when `includeMean`): `losses[t][k]` at `x[t]`
    /// (NaN = not measured at that point; the line skips it).
    public static func perDomainLoss(title: String, xLabel: String = "step", domains: [String], x: [Double],
                                     losses: [[Double]], includeMean: Bool = true, logY: Bool = false) -> LineChart {
        var series = domains.enumerated().map { k, name in
            Series(name: name, x: x, y: losses.map { k < $0.count ? $0[k] : .nan })
        }
        if includeMean && domains.count > 1 {
            series.append(Series(name: "mean (uniform)", x: x, y: losses.map { row in
                let v = row.prefix(domains.count)
                return v.count == domains.count && v.allSatisfy({ $0.isFinite }) ? v.reduce(0, +) / Double(v.count) : .nan
            }))
        }
        return LineChart(title: title, xLabel: xLabel, yLabel: "loss (nats)", series: series, logY: logY)
    }
}

public struct ChartError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = "chart: " + d }
}
