import Foundation
import Testing
import OrchardBenchmarks
import OrchardTensor

/// The momentum study's plumbing on a tiny configuration (the experiment itself is `orchard bench momentum`).
@Suite struct MomentumStudyTests {
    static func tinyConfig() -> MomentumStudy.Config {
        var c = MomentumStudy.Config()
        c.dimension = 8; c.hidden = 16; c.classes = 3; c.classSpread = 1
        c.trainExamples = 256; c.testExamples = 128
        c.seeds = [1, 2]; c.epochs = 3; c.batch = 16
        c.effectiveRates = [0.01, 3]; c.fullBatchRates = [1]; c.fullBatchSteps = 5; c.sharpnessIterations = 4
        return c
    }

    @Test func bothArmsShareInitialisationAndReportEveryEpoch() throws {
        let c = Self.tinyConfig()
        let r = try MomentumStudy.run(config: c)
        #expect(r.smallBatch.map(\.effectiveRate) == c.effectiveRates)
        for p in r.smallBatch {
            let sgd = try #require(p.runs["sgd"]), sgdm = try #require(p.runs["sgdm"])
            #expect(sgd.map(\.seed) == c.seeds && sgdm.map(\.seed) == c.seeds)
            for (a, b) in zip(sgd, sgdm) {
                #expect(a.trainLoss.count == c.epochs + 1 && b.testAccuracy.count == c.epochs + 1)
                #expect(a.trainLoss[0] == b.trainLoss[0])           // same initialisation
                #expect(a.trainLoss[1] != b.trainLoss[1])           // different optimizers
            }
            #expect(p.learningRates["sgdm"]! == p.effectiveRate * (1 - c.beta))
        }
        // Training moves the loss; the comparison's bookkeeping is consistent.
        let small = r.smallBatch[0], k = small.comparison
        #expect(small.runs["sgd"]!.allSatisfy { $0.trainLoss[c.epochs] < $0.trainLoss[0] })
        #expect(k.maxGap > 0 && (1...c.epochs).contains(k.epochOfMaxGap))
        #expect(k.maxGapOverTwoPooledStd >= k.maxGap / k.twoPooledStdAtMaxGap * (1 - 1e-12))
        #expect(r.sharpnessAtInit.count == 2 && r.sharpnessAtInit.allSatisfy { $0 > 0 })
        let fb = try #require(r.fullBatch.first)
        #expect(fb.runs["sgdm"]!.allSatisfy { $0.trainLoss.count == c.fullBatchSteps + 1 })
        #expect(MomentumStudy.markdownSummary(r).contains("| 0.01 | sgdm |"))
    }

    @Test func dataOrderIsAPermutationFixedBySeedAndEpoch() {
        let a = MomentumStudy.permutation(100, seed: 3, epoch: 1)
        #expect(a.sorted() == Array(0..<100))
        #expect(a == MomentumStudy.permutation(100, seed: 3, epoch: 1))
        #expect(a != MomentumStudy.permutation(100, seed: 3, epoch: 2))
        #expect(a != MomentumStudy.permutation(100, seed: 4, epoch: 1))
    }

    @Test func bayesAccuracyOfSeparatedClassesIsNearOne() {
        var c = Self.tinyConfig()
        c.classSpread = 10
        #expect(MomentumStudy.Dataset(config: c).bayesTestAccuracy > 0.99)
        c.classSpread = 0.01
        #expect(MomentumStudy.Dataset(config: c).bayesTestAccuracy < 0.6)
    }
}
