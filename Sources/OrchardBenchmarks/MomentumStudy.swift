import Foundation
import OrchardModels
import OrchardTensor

/// The CPU-scale check of Wang et al. 2023, "The Marginal Value of Momentum for Small Learning Rate SGD" (algorithms
/// spec §5.5, checks §6.5.4–5): practical SGDM(γ = η(1−β), β) with m₀ = 0 against plain SGD at the effective lr η on
/// the same MLP, data and data order.
///
/// Task: a 10-class Gaussian mixture in d = 64 (class means N(0, s²I), s = `classSpread`; an example of class c is
/// mean_c + N(0, I), c uniform), `trainExamples` for training and `testExamples` held out, both fixed by `dataSeed`.
/// Model: MLPClassifier d → hidden → classes (GELU), initialised from the run seed. Per seed, both arms start from the
/// same parameters and see the same minibatches: epoch e visits the training set in the order of a Fisher–Yates
/// permutation drawn from SeededRandom(seed, stream: [e]), in ⌊N/B⌋ minibatches of B (the remainder is skipped).
///
/// Small-lr part: for each effective lr η, SGD(η) and SGDM(η(1−β), β), each evaluated at epochs 0…E (0 = the
/// initialisation): mean cross-entropy over the whole training set, and cross-entropy and accuracy on the test set.
/// Full-batch part: B = N, `fullBatchSteps` steps of GD(η) and heavy-ball(η(1−β), β) per lr, the training loss
/// before every step and after the last; plus the top Hessian eigenvalue of the training loss at the initialisation
/// (power iteration on finite-difference Hessian-vector products), whose 2/λ is GD's stability limit on the local
/// quadratic and 2(1+β)/((1−β)λ) heavy-ball's at the same effective lr.
public enum MomentumStudy {
    public struct Config: Codable, Sendable, Hashable {
        public var dimension = 64
        public var classes = 10
        public var hidden = 128
        public var trainExamples = 20_000
        public var testExamples = 5_000
        /// Standard deviation s of each coordinate of a class mean (the noise around it has unit variance).
        public var classSpread = 0.3
        public var dataSeed: UInt64 = 2024
        public var seeds: [UInt64] = [1, 2, 3, 4, 5]
        public var epochs = 20
        public var batch = 32
        public var beta = 0.9
        /// Effective learning rates η of the small-batch part: SGD runs at η, SGDM at γ = η(1−β).
        public var effectiveRates: [Double] = [0.01, 0.03, 0.1, 0.3, 1, 2]
        /// Effective learning rates of the full-batch part (empty: skipped).
        public var fullBatchRates: [Double] = [1, 4, 16, 32]
        public var fullBatchSteps = 200
        /// Power-iteration steps of the sharpness estimate (0: skipped).
        public var sharpnessIterations = 20
        /// Training runs (one seed, one arm, one lr) in flight at once, each on one thread.
        public var parallelRuns = 1

        public init() {}

        func validate() throws {
            guard dimension >= 1, classes >= 2, hidden >= 1, trainExamples >= batch, testExamples >= 1, batch >= 1,
                  epochs >= 1, !seeds.isEmpty, beta > 0, beta < 1, parallelRuns >= 1, fullBatchSteps >= 1,
                  sharpnessIterations >= 0, classSpread > 0,
                  (effectiveRates + fullBatchRates).allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw EngineError.invalidArgument("momentum study: sizes, epochs and rates must be positive, seeds non-empty, 0 < β < 1")
            }
        }
    }

    public enum Arm: String, Codable, Sendable, CaseIterable {
        /// SGD at the effective lr η (no momentum).
        case sgd
        /// Practical heavy-ball SGDM at γ = η(1−β), m₀ = 0 (`SGD.MomentumForm.zeroStart`).
        case sgdm

        func optimizer(parameterCount: Int, beta: Double) throws -> SGD {
            self == .sgd ? try SGD(parameterCount: parameterCount)
                         : try SGD(parameterCount: parameterCount, momentum: Float(beta), form: .zeroStart)
        }

        /// The lr this arm runs at for effective lr η: η (SGD) or η(1−β) (SGDM); the optimizer gets it rounded to Float.
        public func learningRate(effective eta: Double, beta: Double) -> Double { self == .sgd ? eta : eta * (1 - beta) }
    }

    /// One seed's curves; non-finite values (a diverged run) encode as null.
    public struct Curve: Encodable, Sendable {
        public var seed: UInt64
        /// Index i = after epoch i (small batch) or before step i (full batch; the last entry after the last step).
        public var trainLoss: [Double]
        public var testLoss: [Double]
        public var testAccuracy: [Double]

        enum CodingKeys: String, CodingKey { case seed, trainLoss = "train_loss", testLoss = "test_loss", testAccuracy = "test_accuracy" }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(seed, forKey: .seed)
            for (key, values) in [(CodingKeys.trainLoss, trainLoss), (.testLoss, testLoss), (.testAccuracy, testAccuracy)] where !values.isEmpty {
                try c.encode(values.map { $0.isFinite ? $0 : nil }, forKey: key)
            }
        }
    }

    /// §6.5.4 for one effective lr, over epochs 1…E: gap(e) = |mean_SGD(e) − mean_SGDM(e)| of the training loss against
    /// 2 × pooled std(e) = 2·√((s²_SGD + s²_SGDM)/2) (sample std over seeds); paired = per-seed SGD − SGDM.
    public struct Comparison: Codable, Sendable {
        public var maxGap: Double
        public var epochOfMaxGap: Int
        /// Max over epochs of gap / (2 × pooled std); ≤ 1 is the spec's "within seed noise".
        /// 2 × pooled std at `epochOfMaxGap`.
        public var twoPooledStdAtMaxGap: Double
        public var maxGapOverTwoPooledStd: Double
        public var epochsOverTwoPooledStd: Int
        public var finalTrainLoss: [String: MeanStd]
        public var finalTestAccuracy: [String: MeanStd]
        /// Per-seed (SGD − SGDM) of the final test accuracy, in accuracy points (×100).
        public var finalTestAccuracyPairedDifference: MeanStd
        /// Per-seed (SGD − SGDM) of the final training loss.
        public var finalTrainLossPairedDifference: MeanStd
        public var divergedRuns: [String: Int]

        enum CodingKeys: String, CodingKey {
            case maxGap = "max_gap", epochOfMaxGap = "epoch_of_max_gap", twoPooledStdAtMaxGap = "two_pooled_std_at_max_gap"
            case maxGapOverTwoPooledStd = "max_gap_over_two_pooled_std"
            case epochsOverTwoPooledStd = "epochs_over_two_pooled_std", finalTrainLoss = "final_train_loss"
            case finalTestAccuracy = "final_test_accuracy", finalTestAccuracyPairedDifference = "final_test_accuracy_paired_difference_points"
            case finalTrainLossPairedDifference = "final_train_loss_paired_difference", divergedRuns = "diverged_runs"
        }
    }

    public struct MeanStd: Codable, Sendable {
        public var mean: Double
        public var std: Double
    }

    public struct RatePoint: Encodable, Sendable {
        public var effectiveRate: Double
        public var learningRates: [String: Double]
        public var runs: [String: [Curve]]
        public var comparison: Comparison

        enum CodingKeys: String, CodingKey { case effectiveRate = "effective_lr", learningRates = "lr", runs, comparison }
    }

    /// Full-batch summary per arm: loss after the last step, the lowest loss, how many steps raised the loss, and the
    /// test accuracy after the last step.
    public struct FullBatchArm: Codable, Sendable {
        public var finalLoss: MeanStd
        public var minLoss: MeanStd
        public var lossIncreases: MeanStd
        public var finalTestAccuracy: MeanStd
        public var divergedRuns: Int

        enum CodingKeys: String, CodingKey {
            case finalLoss = "final_loss", minLoss = "min_loss", lossIncreases = "loss_increases"
            case finalTestAccuracy = "final_test_accuracy", divergedRuns = "diverged_runs"
        }
    }

    public struct FullBatchPoint: Encodable, Sendable {
        public var effectiveRate: Double
        public var learningRates: [String: Double]
        public var runs: [String: [Curve]]
        public var summary: [String: FullBatchArm]

        enum CodingKeys: String, CodingKey { case effectiveRate = "effective_lr", learningRates = "lr", runs, summary }
    }

    public struct Report: Encodable, Sendable {
        public var config: Config
        public var bayesTestAccuracy: Double
        /// Top Hessian eigenvalue of the full training loss at each seed's initialisation.
        public var sharpnessAtInit: [Double]
        public var smallBatch: [RatePoint]
        public var fullBatch: [FullBatchPoint]
        public var wallSeconds: Double

        enum CodingKeys: String, CodingKey {
            case config, bayesTestAccuracy = "bayes_test_accuracy", sharpnessAtInit = "sharpness_at_init"
            case smallBatch = "small_batch", fullBatch = "full_batch", wallSeconds = "wall_seconds"
        }
    }

    /// Features (count × d, row-major), labels, and the class means that generated them.
    public struct Dataset: Sendable {
        public var dimension: Int
        public var means: [Double]
        public var trainX: [Float], trainY: [Int32]
        public var testX: [Float], testY: [Int32]

        public init(config: Config) {
            let d = config.dimension
            var rng = SeededRandom(seed: config.dataSeed, stream: [0])
            let mu = (0..<(config.classes * d)).map { _ in rng.nextGaussian() * config.classSpread }
            func draw(_ count: Int, stream: UInt64) -> ([Float], [Int32]) {
                var r = SeededRandom(seed: config.dataSeed, stream: [stream])
                var x = [Float](), y = [Int32]()
                x.reserveCapacity(count * d)
                for _ in 0..<count {
                    let c = r.nextInt(below: config.classes)
                    y.append(Int32(c))
                    for j in 0..<d { x.append(Float(mu[c * d + j] + r.nextGaussian())) }
                }
                return (x, y)
            }
            dimension = d; means = mu
            (trainX, trainY) = draw(config.trainExamples, stream: 1)
            (testX, testY) = draw(config.testExamples, stream: 2)
        }

        /// Accuracy of the Bayes classifier (nearest class mean: equal priors, identity covariance) on the test set.
        public var bayesTestAccuracy: Double {
            let classes = means.count / dimension
            var correct = 0
            for i in 0..<testY.count {
                var best = 0, bestDistance = Double.infinity
                for c in 0..<classes {
                    var s = 0.0
                    for j in 0..<dimension { let v = Double(testX[i * dimension + j]) - means[c * dimension + j]; s += v * v }
                    if s < bestDistance { bestDistance = s; best = c }
                }
                if best == Int(testY[i]) { correct += 1 }
            }
            return Double(correct) / Double(testY.count)
        }

        func rows(_ x: [Float], _ range: Range<Int>) -> [Float] { Array(x[(range.lowerBound * dimension)..<(range.upperBound * dimension)]) }
    }

    static let evaluationChunk = 1000

    public static func run(config: Config, progress: (String) -> Void = { _ in }) throws -> Report {
        try config.validate()
        let start = DispatchTime.now().uptimeNanoseconds
        let data = Dataset(config: config)
        let bayes = data.bayesTestAccuracy
        progress(String(format: "data: %d train, %d test, Bayes test accuracy %.4f", data.trainY.count, data.testY.count, bayes))

        let sharpness = config.sharpnessIterations > 0 && !config.fullBatchRates.isEmpty
            ? try parallelMap(config.seeds, width: config.parallelRuns) { try topHessianEigenvalue(data: data, config: config, seed: $0) }
            : []
        if !sharpness.isEmpty {
            progress("sharpness at init (top Hessian eigenvalue) per seed: " + sharpness.map { String(format: "%.3f", $0) }.joined(separator: ", "))
        }

        var small = [RatePoint]()
        for eta in config.effectiveRates {
            let runs = try runArms(config: config) { arm, seed in
                try trainSmallBatch(data: data, config: config, arm: arm, effectiveRate: eta, seed: seed)
            }
            let point = RatePoint(effectiveRate: eta, learningRates: learningRates(eta, config), runs: runs,
                                  comparison: compare(sgd: runs[Arm.sgd.rawValue]!, sgdm: runs[Arm.sgdm.rawValue]!))
            progress(summaryLine(point))
            small.append(point)
        }

        var full = [FullBatchPoint]()
        for eta in config.fullBatchRates {
            let runs = try runArms(config: config) { arm, seed in
                try trainFullBatch(data: data, config: config, arm: arm, effectiveRate: eta, seed: seed)
            }
            let point = FullBatchPoint(effectiveRate: eta, learningRates: learningRates(eta, config), runs: runs,
                                       summary: runs.mapValues(summarizeFullBatch))
            progress(fullBatchLine(point))
            full.append(point)
        }
        return Report(config: config, bayesTestAccuracy: bayes, sharpnessAtInit: sharpness, smallBatch: small, fullBatch: full,
                      wallSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    static func learningRates(_ eta: Double, _ config: Config) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: Arm.allCases.map { ($0.rawValue, $0.learningRate(effective: eta, beta: config.beta)) })
    }

    /// Every (arm, seed) run of one lr, `parallelRuns` at a time; keyed by arm, in seed order.
    static func runArms(config: Config, _ body: @escaping @Sendable (Arm, UInt64) throws -> Curve) throws -> [String: [Curve]] {
        let jobs = Arm.allCases.flatMap { arm in config.seeds.map { (arm, $0) } }
        let curves = try parallelMap(jobs, width: config.parallelRuns) { try body($0.0, $0.1) }
        return Dictionary(grouping: zip(jobs, curves), by: { $0.0.0.rawValue }).mapValues { $0.map(\.1) }
    }

    /// body over items, at most `width` at once (each on its own thread); results in item order.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], width: Int, _ body: @escaping @Sendable (T) throws -> R) throws -> [R] {
        let results = ResultSlots<R>(items.count)
        let lanes = Swift.min(width, items.count)
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for i in stride(from: lane, to: items.count, by: lanes) {
                let r = Result { try body(items[i]) }
                results.lock.withLock { results.values[i] = r }
            }
        }
        return try results.values.map { try $0!.get() }
    }

    static func makeModel(config: Config, maxBatch: Int, seed: UInt64) throws -> MLPClassifier {
        try MLPClassifier(inputSize: config.dimension, hiddenSizes: [config.hidden], classes: config.classes,
                          maxBatch: maxBatch, threads: .single, seed: seed)
    }

    /// (mean cross-entropy, accuracy) of the model over a data set, in chunks of `evaluationChunk`.
    static func evaluate(_ model: MLPClassifier, x: [Float], y: [Int32], data: Dataset) throws -> (loss: Double, accuracy: Double) {
        var loss = 0.0, correct = 0
        for lo in stride(from: 0, to: y.count, by: evaluationChunk) {
            let hi = Swift.min(lo + evaluationChunk, y.count), labels = Array(y[lo..<hi])
            let l = try model.forward(inputs: data.rows(x, lo..<hi), labels: labels, batch: hi - lo)!
            loss += Double(l) * Double(hi - lo)
            correct += zip(model.predictions(), labels).filter { $0 == $1 }.count
        }
        return (loss / Double(y.count), Double(correct) / Double(y.count))
    }

    /// One small-batch run: E epochs of ⌊N/B⌋ steps, evaluated before the first and after every epoch. A non-finite
    /// minibatch loss ends the run; the remaining evaluations are NaN.
    static func trainSmallBatch(data: Dataset, config: Config, arm: Arm, effectiveRate eta: Double, seed: UInt64) throws -> Curve {
        let model = try makeModel(config: config, maxBatch: Swift.max(config.batch, evaluationChunk), seed: seed)
        let opt = try arm.optimizer(parameterCount: model.parameters.count, beta: config.beta)
        let lr = Float(arm.learningRate(effective: eta, beta: config.beta))
        let n = data.trainY.count, b = config.batch, d = config.dimension
        var curve = Curve(seed: seed, trainLoss: [], testLoss: [], testAccuracy: [])
        func record() throws {
            let train = try evaluate(model, x: data.trainX, y: data.trainY, data: data)
            let test = try evaluate(model, x: data.testX, y: data.testY, data: data)
            curve.trainLoss.append(train.loss); curve.testLoss.append(test.loss); curve.testAccuracy.append(test.accuracy)
        }
        try record()
        var inputs = [Float](), labels = [Int32]()
        inputs.reserveCapacity(b * d); labels.reserveCapacity(b)
        epochs: for epoch in 1...config.epochs {
            let order = permutation(n, seed: seed, epoch: epoch)
            for step in 0..<(n / b) {
                inputs.removeAll(keepingCapacity: true); labels.removeAll(keepingCapacity: true)
                for i in order[(step * b)..<((step + 1) * b)] {
                    inputs.append(contentsOf: data.trainX[(i * d)..<((i + 1) * d)]); labels.append(data.trainY[i])
                }
                model.zeroGradients()
                guard let loss = try model.forward(inputs: inputs, labels: labels, batch: b), loss.isFinite else {
                    for _ in epoch...config.epochs { curve.trainLoss.append(.nan); curve.testLoss.append(.nan); curve.testAccuracy.append(.nan) }
                    break epochs
                }
                try model.backward()
                opt.step(parameters: model.parameters.pointer, gradients: model.gradients.pointer, learningRate: lr, threads: .single)
            }
            try record()
        }
        return curve
    }

    /// The visiting order of epoch e for a seed: Fisher–Yates with SeededRandom(seed, stream: [e]); the same for every arm.
    public static func permutation(_ n: Int, seed: UInt64, epoch: Int) -> [Int] {
        var rng = SeededRandom(seed: seed, stream: [UInt64(epoch)])
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.nextInt(below: i + 1)) }
        return order
    }

    /// One full-batch run: the training loss before each of `fullBatchSteps` steps and after the last (NaN once it is
    /// non-finite); test loss and accuracy after the last step.
    static func trainFullBatch(data: Dataset, config: Config, arm: Arm, effectiveRate eta: Double, seed: UInt64) throws -> Curve {
        let n = data.trainY.count
        let model = try makeModel(config: config, maxBatch: n, seed: seed)
        let opt = try arm.optimizer(parameterCount: model.parameters.count, beta: config.beta)
        let lr = Float(arm.learningRate(effective: eta, beta: config.beta))
        var losses = [Double]()
        for step in 0...config.fullBatchSteps {
            model.zeroGradients()
            let loss = Double(try model.forward(inputs: data.trainX, labels: data.trainY, batch: n)!)
            losses.append(loss.isFinite ? loss : .nan)
            guard loss.isFinite else {
                losses += Array(repeating: .nan, count: config.fullBatchSteps - step)
                break
            }
            if step == config.fullBatchSteps { break }
            try model.backward()
            opt.step(parameters: model.parameters.pointer, gradients: model.gradients.pointer, learningRate: lr, threads: .single)
        }
        let test = try evaluate(model, x: data.testX, y: data.testY, data: data)
        return Curve(seed: seed, trainLoss: losses, testLoss: [test.loss], testAccuracy: [test.accuracy])
    }

    /// Top eigenvalue of the Hessian of the full training loss at a seed's initialisation: power iteration with
    /// H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε, ‖v‖ = 1, ε = 1e-3; λ = v·Hv at the last iteration.
    static func topHessianEigenvalue(data: Dataset, config: Config, seed: UInt64) throws -> Double {
        let n = data.trainY.count
        let model = try makeModel(config: config, maxBatch: n, seed: seed)
        let theta = model.parameters.array, count = theta.count
        let eps = 1e-3
        func gradient(_ sign: Double, _ v: [Double]) throws -> [Double] {
            try model.parameters.copy(from: (0..<count).map { Float(Double(theta[$0]) + sign * eps * v[$0]) })
            model.zeroGradients()
            try model.forward(inputs: data.trainX, labels: data.trainY, batch: n)
            try model.backward()
            return model.gradients.array.map(Double.init)
        }
        var rng = SeededRandom(seed: seed, stream: [0x5348_4152_50])
        var v = (0..<count).map { _ in rng.nextGaussian() }
        var lambda = 0.0
        for _ in 0..<config.sharpnessIterations {
            let norm = v.map { $0 * $0 }.reduce(0, +).squareRoot()
            v = v.map { $0 / norm }
            let plus = try gradient(1, v), minus = try gradient(-1, v)
            let hv = (0..<count).map { (plus[$0] - minus[$0]) / (2 * eps) }
            lambda = zip(v, hv).map { $0 * $1 }.reduce(0, +)
            v = hv
        }
        return lambda
    }

    static func meanStd(_ xs: [Double]) -> MeanStd {
        let m = xs.reduce(0, +) / Double(xs.count)
        let s = xs.count > 1 ? (xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)).squareRoot() : 0
        return MeanStd(mean: m, std: s)
    }

    static func compare(sgd: [Curve], sgdm: [Curve]) -> Comparison {
        let epochs = sgd[0].trainLoss.count - 1
        var maxGap = 0.0, maxRatio = 0.0, epochOfMax = 1, over = 0, twoStdAtMax = 0.0
        for e in 1...epochs {
            let a = meanStd(sgd.map { $0.trainLoss[e] }), b = meanStd(sgdm.map { $0.trainLoss[e] })
            let gap = abs(a.mean - b.mean), pooled = ((a.std * a.std + b.std * b.std) / 2).squareRoot()
            let ratio = gap.isNaN ? .infinity : gap / (2 * pooled)
            if (gap > maxGap || gap.isNaN) && !maxGap.isNaN { maxGap = gap; epochOfMax = e; twoStdAtMax = 2 * pooled }
            maxRatio = Swift.max(maxRatio, ratio)
            if !(ratio <= 1) { over += 1 }
        }
        let arms = [Arm.sgd.rawValue: sgd, Arm.sgdm.rawValue: sgdm]
        return Comparison(
            maxGap: maxGap, epochOfMaxGap: epochOfMax, twoPooledStdAtMaxGap: twoStdAtMax, maxGapOverTwoPooledStd: maxRatio, epochsOverTwoPooledStd: over,
            finalTrainLoss: arms.mapValues { meanStd($0.map { $0.trainLoss[epochs] }) },
            finalTestAccuracy: arms.mapValues { meanStd($0.map { $0.testAccuracy[epochs] }) },
            finalTestAccuracyPairedDifference: meanStd(zip(sgd, sgdm).map { 100 * ($0.testAccuracy[epochs] - $1.testAccuracy[epochs]) }),
            finalTrainLossPairedDifference: meanStd(zip(sgd, sgdm).map { $0.trainLoss[epochs] - $1.trainLoss[epochs] }),
            divergedRuns: arms.mapValues { $0.filter { !$0.trainLoss[epochs].isFinite }.count })
    }

    /// A run counts as diverged when its loss became non-finite or ended above its initial value.
    static func summarizeFullBatch(_ curves: [Curve]) -> FullBatchArm {
        let finite = curves.map { $0.trainLoss.filter(\.isFinite) }
        return FullBatchArm(
            finalLoss: meanStd(curves.map { $0.trainLoss.last! }),
            minLoss: meanStd(finite.map { $0.min() ?? .nan }),
            lossIncreases: meanStd(finite.map { l in Double(zip(l, l.dropFirst()).filter { $1 > $0 }.count) }),
            finalTestAccuracy: meanStd(curves.map { $0.testAccuracy[0] }),
            divergedRuns: curves.filter { !($0.trainLoss.last! <= $0.trainLoss[0]) }.count)
    }

    public static func summaryLine(_ p: RatePoint) -> String {
        let c = p.comparison, s = Arm.sgd.rawValue, m = Arm.sgdm.rawValue
        return String(format: "η %.3g: max |Δ train loss| %.4f (epoch %d) = %.2f × 2σ_pooled, %d epochs over; final train loss SGD %.4f±%.4f SGDM %.4f±%.4f; test acc SGD %.2f±%.2f SGDM %.2f±%.2f %% (paired Δ %.2f±%.2f pt); diverged %d/%d",
                      p.effectiveRate, c.maxGap, c.epochOfMaxGap, c.maxGapOverTwoPooledStd, c.epochsOverTwoPooledStd,
                      c.finalTrainLoss[s]!.mean, c.finalTrainLoss[s]!.std, c.finalTrainLoss[m]!.mean, c.finalTrainLoss[m]!.std,
                      100 * c.finalTestAccuracy[s]!.mean, 100 * c.finalTestAccuracy[s]!.std,
                      100 * c.finalTestAccuracy[m]!.mean, 100 * c.finalTestAccuracy[m]!.std,
                      c.finalTestAccuracyPairedDifference.mean, c.finalTestAccuracyPairedDifference.std,
                      c.divergedRuns[s]!, c.divergedRuns[m]!)
    }

    public static func fullBatchLine(_ p: FullBatchPoint) -> String {
        "full batch η \(p.effectiveRate): " + Arm.allCases.map { arm in
            let a = p.summary[arm.rawValue]!
            return String(format: "%@ final %.4f±%.4f min %.4f, %.1f loss increases, diverged %d", arm.rawValue,
                          a.finalLoss.mean, a.finalLoss.std, a.minLoss.mean, a.lossIncreases.mean, a.divergedRuns)
        }.joined(separator: "; ")
    }

    /// The tables of docs/results.md: the small-batch comparison per effective lr, per-seed final test accuracies,
    /// and the full-batch contrast.
    public static func markdownSummary(_ r: Report) -> String {
        let c = r.config, s = Arm.sgd.rawValue, m = Arm.sgdm.rawValue, e = c.epochs
        let f3 = { (x: Double) in String(format: "%.3f", x) }, f4 = { (x: Double) in String(format: "%.4f", x) }
        let pm = { (v: MeanStd, scale: Double, digits: Int) in
            String(format: "%.\(digits)f ± %.\(digits)f", scale * v.mean, scale * v.std)
        }
        var out = "Bayes (nearest class mean) test accuracy: \(String(format: "%.2f", 100 * r.bayesTestAccuracy)) %. "
        out += "Seeds \(c.seeds.map(String.init).joined(separator: ", ")); batch \(c.batch), \(e) epochs, β = \(c.beta).\n\n"
        out += "| η | SGD lr | SGDM γ | max over epochs 1–\(e) of \\|Δ mean train loss\\| (epoch) | 2 × pooled std there | max of \\|Δ\\| / (2 × pooled std) | epochs over | final train loss SGD | final train loss SGDM | paired Δ (SGD − SGDM) | final test acc SGD (%) | final test acc SGDM (%) | paired Δ (pt) | diverged SGD / SGDM |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for p in r.smallBatch {
            let k = p.comparison
            out += "| \(p.effectiveRate) | \(p.learningRates[s]!) | \(String(format: "%g", p.learningRates[m]!)) | \(f4(k.maxGap)) (\(k.epochOfMaxGap)) | \(f4(k.twoPooledStdAtMaxGap)) | "
            out += "\(String(format: "%.2f", k.maxGapOverTwoPooledStd)) | \(k.epochsOverTwoPooledStd) of \(e) | \(pm(k.finalTrainLoss[s]!, 1, 4)) | "
            out += "\(pm(k.finalTrainLoss[m]!, 1, 4)) | \(pm(k.finalTrainLossPairedDifference, 1, 4)) | \(pm(k.finalTestAccuracy[s]!, 100, 2)) | "
            out += "\(pm(k.finalTestAccuracy[m]!, 100, 2)) | \(pm(k.finalTestAccuracyPairedDifference, 1, 2)) | \(k.divergedRuns[s]!) / \(k.divergedRuns[m]!) |\n"
        }
        out += "\nPer-seed final (epoch \(e)) test accuracy (%) and training loss:\n\n"
        out += "| η | optimizer | " + c.seeds.map { "seed \($0)" }.joined(separator: " | ") + " |\n"
        out += "|---|---|" + String(repeating: "---|", count: c.seeds.count) + "\n"
        for p in r.smallBatch {
            for arm in Arm.allCases {
                let cells = p.runs[arm.rawValue]!.map { String(format: "%.2f / %.4f", 100 * $0.testAccuracy[e], $0.trainLoss[e]) }
                out += "| \(p.effectiveRate) | \(arm.rawValue) | " + cells.joined(separator: " | ") + " |\n"
            }
        }
        guard !r.fullBatch.isEmpty else { return out }
        out += "\nFull batch (B = \(c.trainExamples)), \(c.fullBatchSteps) steps. Top Hessian eigenvalue λ of the training loss at "
        out += "initialisation per seed: \(r.sharpnessAtInit.map(f3).joined(separator: ", ")) (GD's quadratic limit 2/λ, heavy-ball's "
        out += "at the same effective lr 2(1+β)/((1−β)λ)).\n\n"
        out += "| η | optimizer | lr | final loss | min loss | steps that raised the loss | final test acc (%) | diverged (non-finite or above the initial loss) |\n"
        out += "|---|---|---|---|---|---|---|---|\n"
        for p in r.fullBatch {
            for arm in Arm.allCases {
                let a = p.summary[arm.rawValue]!
                out += "| \(p.effectiveRate) | \(arm.rawValue) | \(String(format: "%g", p.learningRates[arm.rawValue]!)) | \(pm(a.finalLoss, 1, 4)) | "
                out += "\(pm(a.minLoss, 1, 4)) | \(pm(a.lossIncreases, 1, 1)) | \(pm(a.finalTestAccuracy, 100, 2)) | \(a.divergedRuns) of \(c.seeds.count) |\n"
            }
        }
        return out
    }
}

/// One result slot per item of `MomentumStudy.parallelMap`, filled under a lock from its worker threads.
private final class ResultSlots<R>: @unchecked Sendable {
    var values: [Result<R, Error>?]
    let lock = NSLock()
    init(_ n: Int) { values = Array(repeating: nil, count: n) }
}
