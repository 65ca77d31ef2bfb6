import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import OrchardJobs

/// Parses SVG with Foundation's XMLParser and records elements and text, so tests check what a browser would see.
final class SVGProbe: NSObject, XMLParserDelegate {
    var elements: [String: Int] = [:]
    var texts: [String] = []
    var attributes: [[String: String]] = []
    private var current = ""

    static func parse(_ svg: String) throws -> SVGProbe {
        let probe = SVGProbe()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = probe
        guard parser.parse() else {
            throw ChartError("XML parse failed: \(parser.parserError.map { "\($0)" } ?? "unknown")")
        }
        return probe
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
        self.attributes.append(attributes)
        current = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(current) }
        current = ""
    }
}

@Suite struct PlotSVGTests {
    static let losses = LineChart(
        title: "Held-out loss <per domain> & \"mean\"", xLabel: "tokens", yLabel: "loss (nats)",
        series: [
            .init(name: "prose", x: [0, 100, 200, 300], y: [5.5, 3.1, 2.4, 2.1]),
            .init(name: "code's", x: [0, 100, 200, 300], y: [5.4, 2.8, .nan, 1.7]),
        ])

    @Test func lineChartIsWellFormedXMLWithEscapedText() throws {
        let svg = try SVGChartRenderer.render(Self.losses)
        let probe = try SVGProbe.parse(svg)
        #expect(probe.elements["svg"] == 1)
        #expect(probe.elements["polyline"] == 2)
        #expect(probe.elements["script"] == nil)
        #expect(probe.texts.contains("Held-out loss <per domain> & \"mean\""))
        #expect(probe.texts.contains("code's"))
        #expect(probe.texts.contains("tokens") && probe.texts.contains("loss (nats)"))
        // Ticks: at least three numeric labels on each axis.
        #expect(probe.texts.filter { Double($0) != nil }.count >= 6)
        // The NaN point is dropped, not written.
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    @Test func logAxisUsesDecadeTicksAndDropsNonPositivePoints() throws {
        var chart = Self.losses
        chart.logY = true
        chart.series.append(.init(name: "zero", x: [0, 1], y: [0, -1]))
        let probe = try SVGProbe.parse(try SVGChartRenderer.render(chart))
        #expect(probe.texts.contains("1") && probe.texts.contains("10"))
        #expect(probe.elements["polyline"] == 2)
    }

    @Test func stackedMixtureWeightsFillTheUnitInterval() throws {
        let steps: [Double] = [0, 50, 100, 150]
        let weights = [[0.4, 0.3, 0.3], [0.45, 0.35, 0.2], [0.5, 0.4, 0.1], [0.55, 0.4, 0.05]]
        let chart = LineChart.mixtureWeights(domains: ["prose", "code", "noise"], steps: steps, weights: weights)
        let svg = try SVGChartRenderer.render(chart)
        let probe = try SVGProbe.parse(svg)
        #expect(probe.elements["polygon"] == 3)
        #expect(probe.texts.contains("weight") && probe.texts.contains("noise"))
        // The top of the last band is at y = 1 everywhere: the top polygon's upper edge is flat.
        let top = try #require(probe.attributes.last { $0["points"] != nil }?["points"])
        let ys = top.split(separator: " ").prefix(4).map { $0.split(separator: ",")[1] }
        #expect(Set(ys).count == 1)
    }

    @Test func perDomainLossChartAddsTheUniformMean() throws {
        let chart = LineChart.perDomainLoss(title: "held-out", domains: ["a", "b"], x: [0, 10, 20],
                                            losses: [[3, 5], [2, .nan], [1, 3]])
        #expect(chart.series.count == 3)
        #expect(chart.series[2].y[0] == 4 && chart.series[2].y[1].isNaN && chart.series[2].y[2] == 2)
        let probe = try SVGProbe.parse(try SVGChartRenderer.render(chart))
        #expect(probe.elements["polyline"] == 3 && probe.texts.contains("mean (uniform)"))
    }

    @Test func badChartsFailClearly() {
        #expect(throws: ChartError.self) { try SVGChartRenderer.render(LineChart(title: "", xLabel: "", yLabel: "", series: [])) }
        #expect(throws: ChartError.self) {
            try SVGChartRenderer.render(LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", x: [1, 2], y: [1])]))
        }
        #expect(throws: ChartError.self) {
            try SVGChartRenderer.render(LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", x: [1], y: [.nan])]))
        }
        #expect(throws: ChartError.self) {
            try SVGChartRenderer.render(LineChart(title: "t", xLabel: "x", yLabel: "y",
                series: [.init(name: "a", x: [1, 2], y: [1, 1]), .init(name: "b", x: [1, 3], y: [1, 1])], stacked: true))
        }
    }

    @Test func escapingAndTicks() {
        #expect(SVGText.escape("a<b>&\"c'\u{1}") == "a&lt;b&gt;&amp;&quot;c&apos;")
        let t = AxisTicks.linear(lo: 0.13, hi: 0.92)
        #expect(t.ticks.first! <= 0.13 && t.ticks.last! >= 0.92 && t.ticks.count <= 12)
        #expect(AxisTicks.linear(lo: 0, hi: 1.0000000002).ticks.last == 1)
        #expect(AxisTicks.logarithmic(lo: 0.5, hi: 40).ticks == [0.1, 1, 10, 100])
        #expect(SVGText.tickLabel(2_000_000) == "2e6" && SVGText.tickLabel(0.25) == "0.25")
    }

    @Test func flatAndSinglePointSeriesStillRender() throws {
        let chart = LineChart(title: "flat", xLabel: "x", yLabel: "y",
                              series: [.init(name: "one", x: [3], y: [2]), .init(name: "flat", x: [1, 2], y: [2, 2])])
        let probe = try SVGProbe.parse(try SVGChartRenderer.render(chart))
        #expect(probe.elements["circle"] == 1 && probe.elements["polyline"] == 1)
    }
}
