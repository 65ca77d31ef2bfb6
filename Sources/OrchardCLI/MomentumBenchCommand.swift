import ArgumentParser
import Foundation
import OrchardBenchmarks
import OrchardJobs

/// `orchard bench momentum --out DIR`: SGDM(γ, β) against SGD(γ/(1−β)) on a Gaussian-mixture MLP (algorithms spec
/// §5.5 / §6.5.4–5, `MomentumStudy`). Writes into DIR: momentum.json (config, every curve, the comparisons),
/// summary.md (the tables of docs/results.md), train-loss-eta-<η>.svg (mean training loss per epoch over seeds, SGD
/// vs SGDM, one chart per effective lr, log scale), test-accuracy.svg (final test accuracy against log10 η) and
/// full-batch-eta-<η>.svg (mean full-batch training loss per step, log scale).
struct MomentumBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "momentum",
                                                    abstract: "SGD with momentum vs plain SGD at the effective lr (docs/results.md).")

    @Option(help: "Output directory (created).") var out: String
    @Option(help: "Seeds 1...N (each sets the initialisation and the data order, shared by both optimizers; default 5).") var seeds: Int?
    @Option(help: "Epochs of the small-batch runs (default 20).") var epochs: Int?
    @Option(help: "Minibatch size of the small-batch runs (default 32).") var batch: Int?
    @Option(help: "Effective learning rates η, comma-separated (default 0.01,0.03,0.1,0.3,1,2); SGDM runs at η(1−β).") var lrs: String?
    @Option(help: "Effective learning rates of the full-batch runs, comma-separated (default 1,4,16,32; empty skips them).") var fullBatchLrs: String?
    @Option(help: "Steps of each full-batch run (default 200).") var fullBatchSteps: Int?
    @Option(help: "Momentum β (default 0.9).") var beta: Double?
    @Option(help: "Training runs in flight at once, one thread each (default 1).") var parallel: Int?

    func run() throws {
        func rates(_ s: String, _ name: String) throws -> [Double] {
            let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let values = parts.compactMap(Double.init)
            guard values.count == parts.count else { throw ValidationError("\(name): '\(s)' is not a list of numbers") }
            return values
        }
        var config = MomentumStudy.Config()
        if let seeds {
            guard seeds >= 1 else { throw ValidationError("--seeds must be >= 1") }
            config.seeds = (1...seeds).map(UInt64.init)
        }
        if let epochs { config.epochs = epochs }
        if let batch { config.batch = batch }
        if let beta { config.beta = beta }
        if let parallel { config.parallelRuns = parallel }
        if let lrs { config.effectiveRates = try rates(lrs, "--lrs") }
        if let fullBatchLrs { config.fullBatchRates = try rates(fullBatchLrs, "--full-batch-lrs") }
        if let fullBatchSteps { config.fullBatchSteps = fullBatchSteps }

        let dir = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let report = try MomentumStudy.run(config: config) { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(report).write(to: dir.appendingPathComponent("momentum.json"))
        try Data(MomentumStudy.markdownSummary(report).utf8).write(to: dir.appendingPathComponent("summary.md"))
        for (name, chart) in Self.charts(report) {
            try Data(SVGChartRenderer.render(chart).utf8).write(to: dir.appendingPathComponent(name))
        }
        print(String(format: "wrote %@ (%.0f s)", dir.path, report.wallSeconds))
    }

    /// Mean over seeds at each index (NaN where any seed is non-finite: a diverged seed breaks the line).
    static func seedMean(_ curves: [MomentumStudy.Curve], _ values: (MomentumStudy.Curve) -> [Double]) -> [Double] {
        let rows: [[Double]] = curves.map(values)
        let length = rows.map(\.count).min() ?? 0
        return (0..<length).map { (i: Int) -> Double in
            var sum = 0.0
            for row in rows { sum += row[i] }
            return sum / Double(rows.count)
        }
    }

    static func armSeries(_ runs: [String: [MomentumStudy.Curve]], label: (MomentumStudy.Arm) -> String,
                          values: @escaping (MomentumStudy.Curve) -> [Double]) -> [LineChart.Series] {
        MomentumStudy.Arm.allCases.map { arm in
            let y = seedMean(runs[arm.rawValue]!, values)
            return LineChart.Series(name: label(arm), x: y.indices.map(Double.init), y: y)
        }
    }

    static func charts(_ report: MomentumStudy.Report) -> [(String, LineChart)] {
        let c = report.config, n = c.seeds.count
        let tag = { (eta: Double) in String(format: "%g", eta) }
        func label(_ eta: Double) -> (MomentumStudy.Arm) -> String {
            { $0 == .sgd ? "SGD η=\(tag(eta))" : "SGDM γ=\(tag(eta * (1 - c.beta))) β=\(tag(c.beta))" }
        }
        var out = report.smallBatch.map { p in
            ("train-loss-eta-\(tag(p.effectiveRate)).svg",
             LineChart(title: "Training loss, effective lr \(tag(p.effectiveRate)), batch \(c.batch) (mean of \(n) seeds)",
                       xLabel: "epoch", yLabel: "train cross-entropy (nats, log)",
                       series: armSeries(p.runs, label: label(p.effectiveRate), values: \.trainLoss), logY: true))
        }
        let x = report.smallBatch.map { Foundation.log10($0.effectiveRate) }
        out.append(("test-accuracy.svg", LineChart(
            title: "Final test accuracy (epoch \(c.epochs), mean of \(n) seeds)", xLabel: "log10 effective lr η", yLabel: "test accuracy (%)",
            series: MomentumStudy.Arm.allCases.map { arm in
                LineChart.Series(name: arm == .sgd ? "SGD (η)" : "SGDM (η(1−β), β)", x: x,
                                 y: report.smallBatch.map { 100 * $0.comparison.finalTestAccuracy[arm.rawValue]!.mean })
            })))
        out += report.fullBatch.map { p in
            ("full-batch-eta-\(tag(p.effectiveRate)).svg",
             LineChart(title: "Full batch (B = \(c.trainExamples)), effective lr \(tag(p.effectiveRate)) (mean of \(n) seeds)",
                       xLabel: "step", yLabel: "train cross-entropy (nats, log)",
                       series: armSeries(p.runs, label: label(p.effectiveRate), values: \.trainLoss), logY: true))
        }
        return out
    }
}
