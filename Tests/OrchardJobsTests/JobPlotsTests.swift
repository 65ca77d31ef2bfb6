import Foundation
import Testing
@testable import OrchardJobs

@Suite struct PretrainPlotsTests {
    static let events: [JSONValue] = (1...6).map { i in
        var o: [String: JSONValue] = [
            "step": .number(Double(i * 5)),
            "train_loss_by_domain": ["code": .number(3 - 0.1 * Double(i)), "prose": .number(3.5 - 0.2 * Double(i))],
            "weights": ["code": .number(0.3 + 0.02 * Double(i)), "prose": .number(0.7 - 0.02 * Double(i))],
        ]
        if i % 2 == 0 {
            o["heldout_loss_by_domain"] = ["code": .number(3.1 - 0.1 * Double(i)), "prose": .null]
            o["heldout_loss"] = .number(3.1 - 0.1 * Double(i))
        }
        return .object(o)
    }

    @Test func lossAndMixturePlotsNameEveryDomain() throws {
        let loss = try PretrainPlots.svg(name: "loss", metrics: Self.events)
        #expect(loss.hasPrefix("<?xml") && loss.hasSuffix("</svg>\n"))
        for s in ["code train", "code held-out", "prose train", "mean held-out"] { #expect(loss.contains(s)) }
        let mixture = try PretrainPlots.svg(name: "mixture", metrics: Self.events)
        #expect(mixture.contains("code") && mixture.contains("prose") && mixture.contains("Mixture weights"))
        #expect(mixture != loss)
    }

    @Test func unknownNamesAndMissingDataAreErrors() {
        #expect(throws: PretrainPlots.PlotError.unknownPlot("x")) { try PretrainPlots.svg(name: "x", metrics: Self.events) }
        #expect(throws: PretrainPlots.PlotError.noData("mixture")) { try PretrainPlots.svg(name: "mixture", metrics: []) }
        #expect(throws: PretrainPlots.PlotError.noData("loss")) { try PretrainPlots.svg(name: "loss", metrics: [["step": 1]]) }
    }
}
