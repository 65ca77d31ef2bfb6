import Foundation
import Testing
@testable import OrchardJobs

@Suite struct JobPlotsTests {
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
        let loss = try JobPlots.svg(name: "loss", metrics: Self.events)
        #expect(loss.hasPrefix("<?xml") && loss.hasSuffix("</svg>\n"))
        for s in ["code train", "code held-out", "prose train", "mean held-out"] { #expect(loss.contains(s)) }
        let mixture = try JobPlots.svg(name: "mixture", metrics: Self.events)
        #expect(mixture.contains("code") && mixture.contains("prose") && mixture.contains("Mixture weights"))
        #expect(mixture != loss)
    }

    @Test func displacementPlotShowsBothResponsesAndTheMargin() throws {
        let dpo: [JSONValue] = (1...5).map { i in
            ["step": .number(Double(i)), "chosen_logprob_change": .number(-0.3 * Double(i)),
             "rejected_logprob_change": .number(-0.9 * Double(i)), "reward_margin": .number(0.06 * Double(i))]
        }
        let svg = try JobPlots.svg(name: "displacement", metrics: dpo)
        #expect(svg.contains("Likelihood displacement") && svg.contains("log π(y⁺|x)") && svg.contains("reward margin"))
        #expect(throws: JobPlots.PlotError.noData("displacement")) { try JobPlots.svg(name: "displacement", metrics: Self.events) }
        #expect(throws: JobPlots.PlotError.noData("mixture")) { try JobPlots.svg(name: "mixture", metrics: dpo) }
    }

    @Test func unknownNamesAndMissingDataAreErrors() {
        #expect(throws: JobPlots.PlotError.unknownPlot("x")) { try JobPlots.svg(name: "x", metrics: Self.events) }
        #expect(throws: JobPlots.PlotError.noData("mixture")) { try JobPlots.svg(name: "mixture", metrics: []) }
        #expect(throws: JobPlots.PlotError.noData("loss")) { try JobPlots.svg(name: "loss", metrics: [["step": 1]]) }
    }
}
