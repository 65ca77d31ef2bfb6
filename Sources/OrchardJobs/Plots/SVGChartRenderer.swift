import Foundation

/// Renders a `LineChart` to a self-contained SVG document (no scripts, no external resources):
/// title, axes with ticks and labels, grid, legend, lines or stacked areas, optional log-y.
public enum SVGChartRenderer {
    public static func render(_ chart: LineChart) throws -> String {
        guard !chart.series.isEmpty else { throw ChartError("no series to plot") }
        guard (120...8000).contains(chart.width), (100...8000).contains(chart.height) else {
            throw ChartError("size must be within 120×100 ... 8000×8000, got \(chart.width)×\(chart.height)")
        }
        for s in chart.series where s.x.count != s.y.count {
            throw ChartError("series '\(s.name)' has \(s.x.count) x values but \(s.y.count) y values")
        }
        if chart.stacked && chart.logY { throw ChartError("stacked areas cannot use a log y axis") }

        // Points that can be drawn; stacked charts get cumulative tops.
        var lines: [[(Double, Double)]] = []
        var bottoms: [[Double]] = []
        if chart.stacked {
            let xs = chart.series[0].x
            guard !xs.isEmpty, xs.allSatisfy({ $0.isFinite }) else { throw ChartError("stacked chart needs finite x values") }
            var running = [Double](repeating: 0, count: xs.count)
            for s in chart.series {
                guard s.x == xs else { throw ChartError("stacked series must share the same x values ('\(s.name)' differs)") }
                guard s.y.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                    throw ChartError("stacked series '\(s.name)' needs finite values ≥ 0")
                }
                bottoms.append(running)
                running = zip(running, s.y).map { $0 + $1 }
                lines.append(Array(zip(xs, running)))
            }
        } else {
            lines = chart.series.map { s in
                zip(s.x, s.y).filter { $0.0.isFinite && $0.1.isFinite && (!chart.logY || $0.1 > 0) }
            }
        }
        let all = lines.flatMap { $0 }
        guard !all.isEmpty else { throw ChartError("no finite data to plot\(chart.logY ? " (log axis needs y > 0)" : "")") }

        let xAxis = AxisTicks.linear(lo: all.map(\.0).min()!, hi: all.map(\.0).max()!, target: 6)
        let yLo = chart.stacked ? 0 : all.map(\.1).min()!, yHi = all.map(\.1).max()!
        let yAxis = chart.logY ? AxisTicks.logarithmic(lo: yLo, hi: yHi) : AxisTicks.linear(lo: yLo, hi: yHi, target: 5)

        // Layout.
        let w = Double(chart.width), h = Double(chart.height)
        let legendWidth = Swift.min(180.0, 24 + 7 * Double(chart.series.map { $0.name.count }.max() ?? 0))
        let left = 64.0, right = w - legendWidth - 12, top = 36.0, bottom = h - 48
        func px(_ x: Double) -> Double { left + (x - xAxis.lo) / (xAxis.hi - xAxis.lo) * (right - left) }
        func py(_ y: Double) -> Double {
            if chart.logY {
                let a = Foundation.log10(yAxis.lo), b = Foundation.log10(yAxis.hi)
                return bottom - (Foundation.log10(y) - a) / (b - a) * (bottom - top)
            }
            return bottom - (y - yAxis.lo) / (yAxis.hi - yAxis.lo) * (bottom - top)
        }
        let c = SVGText.coordinate, e = SVGText.escape

        var svg = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        svg += #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(chart.width)" height="\#(chart.height)" viewBox="0 0 \#(chart.width) \#(chart.height)" font-family="sans-serif" font-size="12">"# + "\n"
        svg += "<title>\(e(chart.title))</title>\n"
        svg += #"<rect x="0" y="0" width="\#(chart.width)" height="\#(chart.height)" fill="white"/>"# + "\n"
        svg += #"<text x="\#(c(w / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\#(e(chart.title))</text>"# + "\n"

        // Grid and tick labels.
        svg += #"<g stroke="rgb(229,229,229)" stroke-width="1">"# + "\n"
        for t in xAxis.ticks { svg += #"<line x1="\#(c(px(t)))" y1="\#(c(top))" x2="\#(c(px(t)))" y2="\#(c(bottom))"/>"# + "\n" }
        for t in yAxis.ticks { svg += #"<line x1="\#(c(left))" y1="\#(c(py(t)))" x2="\#(c(right))" y2="\#(c(py(t)))"/>"# + "\n" }
        svg += "</g>\n<g fill=\"rgb(51,51,51)\">\n"
        for t in xAxis.ticks {
            svg += #"<text x="\#(c(px(t)))" y="\#(c(bottom + 16))" text-anchor="middle">\#(e(SVGText.tickLabel(t)))</text>"# + "\n"
        }
        for t in yAxis.ticks {
            svg += #"<text x="\#(c(left - 6))" y="\#(c(py(t) + 4))" text-anchor="end">\#(e(SVGText.tickLabel(t)))</text>"# + "\n"
        }
        svg += "</g>\n"
        svg += #"<text x="\#(c((left + right) / 2))" y="\#(c(h - 12))" text-anchor="middle">\#(e(chart.xLabel))</text>"# + "\n"
        svg += #"<text x="16" y="\#(c((top + bottom) / 2))" text-anchor="middle" transform="rotate(-90 16 \#(c((top + bottom) / 2)))">\#(e(chart.yLabel))</text>"# + "\n"

        // Data.
        for (i, pts) in lines.enumerated() where !pts.isEmpty {
            let color = ChartPalette.color(i)
            if chart.stacked {
                let upper = pts.map { "\(c(px($0.0))),\(c(py($0.1)))" }
                let lower = zip(pts, bottoms[i]).reversed().map { "\(c(px($0.0.0))),\(c(py($0.1)))" }
                svg += #"<polygon points="\#((upper + lower).joined(separator: " "))" fill="\#(color)" fill-opacity="0.85" stroke="\#(color)" stroke-width="0.5"><title>\#(e(chart.series[i].name))</title></polygon>"# + "\n"
            } else if pts.count == 1 {
                svg += #"<circle cx="\#(c(px(pts[0].0)))" cy="\#(c(py(pts[0].1)))" r="3" fill="\#(color)"/>"# + "\n"
            } else {
                let p = pts.map { "\(c(px($0.0))),\(c(py($0.1)))" }.joined(separator: " ")
                svg += #"<polyline points="\#(p)" fill="none" stroke="\#(color)" stroke-width="1.8" stroke-linejoin="round"><title>\#(e(chart.series[i].name))</title></polyline>"# + "\n"
            }
        }

        // Axes on top of the data.
        svg += #"<path d="M\#(c(left)),\#(c(top)) L\#(c(left)),\#(c(bottom)) L\#(c(right)),\#(c(bottom))" fill="none" stroke="rgb(51,51,51)" stroke-width="1"/>"# + "\n"

        // Legend (stacked: top series first, matching the picture).
        let order = chart.stacked ? Array(chart.series.indices.reversed()) : Array(chart.series.indices)
        for (row, i) in order.enumerated() {
            let y = top + 6 + Double(row) * 18
            svg += #"<rect x="\#(c(right + 14))" y="\#(c(y))" width="12" height="12" fill="\#(ChartPalette.color(i))"/>"#
            svg += #"<text x="\#(c(right + 32))" y="\#(c(y + 10))">\#(e(chart.series[i].name))</text>"# + "\n"
        }
        svg += "</svg>\n"
        return svg
    }
}
