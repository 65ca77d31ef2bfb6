import Foundation
import OrchardBenchmarks
import OrchardCorpus
import OrchardMethods
import OrchardTensor

// Topic-model unlearning benchmark and reproductions (docs/performance.md, docs/results.md).
//   orchard-topic-bench bench    [--corpus FILE.jsonl] [--sizes 1000,5000,20000] [--topics 20] [--vocab 2000] [--forget 10] [--repeats 2]
//   orchard-topic-bench recovery [--corpus FILE.jsonl | --synthetic] [--deletions 0,10,50,100,200] [--topics 20] [--vocab 2000]
//   orchard-topic-bench head     --pretraining FILE.jsonl --downstream FILE.jsonl [--deletions ...] [--topics 20]
//   orchard-topic-bench capacity --pretraining FILE.jsonl --downstream FILE.jsonl [--budgets 0.01,0.1,0.5] [--epsilons 0.5,0.9]
//   orchard-topic-bench certified --table epsilon  [--documents 20000] [--epsilons 0.25,0.5,1,2,4,8] [--forget 16] [--trials 10] [--draws 20]
//   orchard-topic-bench certified --table capacity [--sizes 5000,20000,80000] [--epsilons 1,8] [--max-forget 1024] [--trials 10]
//                                                  [--adversarial 4] [--budgets 0.01,0.02,0.05,0.1] [--draws 20]
//     (synthetic LDA with known A*: [--vocab 500] [--topics 10] [--alpha 0.1] [--anchor-mass 0.05] [--beta 1] [--length 100] [--solver-tolerance 1e-7]; --delta 1e-5, --seed 1)
// Without --corpus, documents are sampled from a topic model fitted on /var/lib/dpkg/status (stated in the output).

struct Options {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    init(_ args: ArraySlice<String>) {
        var i = args.startIndex
        while i < args.endIndex {
            let a = args[i]
            if a.hasPrefix("--"), i + 1 < args.endIndex, !args[i + 1].hasPrefix("--") { values[String(a.dropFirst(2))] = args[i + 1]; i += 2 }
            else { flags.insert(String(a.dropFirst(2))); i += 1 }
        }
    }
    func int(_ k: String, _ d: Int) throws -> Int {
        guard let v = values[k] else { return d }
        guard let x = Int(v) else { throw TopicModelError.invalidConfiguration("--\(k) must be an integer") }
        return x
    }
    func double(_ k: String, _ d: Double) throws -> Double {
        guard let v = values[k] else { return d }
        guard let x = Double(v) else { throw TopicModelError.invalidConfiguration("--\(k) must be a number") }
        return x
    }
    func ints(_ k: String, _ d: [Int]) throws -> [Int] {
        guard let v = values[k] else { return d }
        let xs = v.split(separator: ",").compactMap { Int($0) }
        guard !xs.isEmpty else { throw TopicModelError.invalidConfiguration("--\(k) must be a comma-separated list of integers") }
        return xs
    }
    func doubles(_ k: String, _ d: [Double]) throws -> [Double] {
        guard let v = values[k] else { return d }
        let xs = v.split(separator: ",").compactMap { Double($0) }
        guard !xs.isEmpty else { throw TopicModelError.invalidConfiguration("--\(k) must be a comma-separated list of numbers") }
        return xs
    }
}

func shuffled(_ docs: [Document], seed: UInt64) -> [Document] {
    var g = SeededRandom(seed: seed)
    return SensitivityCalibration.randomSubset(of: docs, size: docs.count, using: &g)
}

func loadCorpus(_ o: Options, key: String = "corpus", size: Int) throws -> [Document] {
    if let path = o.values[key] {
        let docs = shuffled(try TopicCorpusFile.load(path: path), seed: 1)
        print("corpus: \(path) (\(docs.count) documents, seeded shuffle 1)")
        return docs
    }
    print("corpus: synthetic, \(size) documents sampled from a 16-topic model fitted on /var/lib/dpkg/status (seed 7)")
    return try TopicUnlearningBenchmark.dpkgLikeCorpus(documentCount: size)
}

func run() throws {
    let args = CommandLine.arguments
    guard args.count >= 2 else {
        print("usage: orchard-topic-bench bench|recovery|head|capacity|certified [options] (see Sources/orchard-topic-bench/main.swift)")
        exit(2)
    }
    let o = Options(args.dropFirst(2))
    let seed = UInt64(try o.int("seed", 1))
    var config = TopicModelConfig(topicCount: try o.int("topics", 20), minDocumentFrequency: try o.int("min-df", 5),
                                  maxVocabularySize: try o.int("vocab", 2000))
    config.recoveryObjective = o.flags.contains("kl") ? .kl : .l2
    print("OpenBLAS core: \(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "default detection")")
    switch args[1] {
    case "bench":
        let sizes = try o.ints("sizes", [1000, 5000, 20000])
        let corpus = try loadCorpus(o, size: sizes.max()!)
        print(TopicUnlearningBenchmark.markdownHeader)
        _ = try TopicUnlearningBenchmark.run(corpus: corpus, sizes: sizes, config: config, forgetCount: try o.int("forget", 10),
                                             repeats: try o.int("repeats", 2), seed: seed) { print($0) }
    case "recovery":
        let deletions = try o.ints("deletions", [0, 10, 50, 100, 200])
        if o.flags.contains("synthetic") {
            let n = try o.int("vocab", 500), r = try o.int("topics", 10), m = try o.int("documents", 20000)
            let corpus = SyntheticTopicCorpus(vocabularySize: n, topicCount: r, alpha: 0.1, anchorMass: 0.05, beta: 1,
                                              documentCount: m, documentLength: 100, seed: seed)
            print("corpus: synthetic LDA (n = \(n), r = \(r), α = 0.1, anchor mass 0.05, length 100, seed \(seed))")
            let synthConfig = TopicModelConfig(topicCount: r, tokenizer: SyntheticTopicCorpus.tokenizer, minDocumentFrequency: 1, maxVocabularySize: n)
            print(try TopicReproductions.recoveryVersusDeletions(corpus: corpus.documents, config: synthConfig, deletions: deletions,
                                                                 epsilon: try o.double("epsilon", 0.5), delta: try o.double("delta", 1e-5),
                                                                 trials: try o.int("trials", 5), seed: seed, truth: corpus.topicWord,
                                                                 vocabulary: corpus.vocabulary))
        } else {
            let corpus = Array(try loadCorpus(o, size: 20000).prefix(try o.int("documents", 20000)))
            print(try TopicReproductions.recoveryVersusDeletions(corpus: corpus, config: config, deletions: deletions,
                                                                 epsilon: try o.double("epsilon", 0.5), delta: try o.double("delta", 1e-5),
                                                                 trials: try o.int("trials", 5), seed: seed))
        }
    case "head", "capacity":
        let (pre, train, test) = try downstreamSplit(o)
        let headConfig = TopicHeadConfig(l2: try o.double("l2", 1e-3))
        if args[1] == "head" {
            print(try TopicReproductions.headAccuracyVersusDeletions(pretraining: pre, train: train, test: test, config: config, headConfig: headConfig,
                                                                     deletions: try o.ints("deletions", [0, 10, 50, 100, 200]),
                                                                     epsilon: try o.double("epsilon", 0.5), delta: try o.double("delta", 1e-5),
                                                                     trials: try o.int("trials", 3), draws: try o.int("draws", 5), seed: seed))
        } else {
            print(try TopicReproductions.capacityBaseVersusHead(pretraining: pre, train: train, config: config, headConfig: headConfig,
                                                                epsilons: try o.doubles("epsilons", [0.5, 0.9]),
                                                                budgets: try o.doubles("budgets", [0.01, 0.1, 0.5]),
                                                                delta: try o.double("delta", 1e-5), trials: try o.int("trials", 3), seed: seed) { print($0) })
        }
    case "certified":
        let synthetic = TopicCertifiedTables.Synthetic(vocabularySize: try o.int("vocab", 500), topicCount: try o.int("topics", 10),
                                                       alpha: try o.double("alpha", 0.1), anchorMass: try o.double("anchor-mass", 0.05),
                                                       beta: try o.double("beta", 1), documentLength: try o.int("length", 100), seed: seed,
                                                       solverTolerance: try o.double("solver-tolerance", 1e-7))
        let delta = try o.double("delta", 1e-5)
        let clock = ContinuousClock(), started = clock.now
        let log: (String) -> Void = { FileHandle.standardError.write(Data("[\(String(format: "%.1f", (clock.now - started).seconds)) s] \($0)\n".utf8)) }
        switch o.values["table"] {
        case "epsilon":
            print(try TopicCertifiedTables.utilityVersusEpsilon(synthetic: synthetic, documentCount: try o.int("documents", 20000),
                                                                epsilons: try o.doubles("epsilons", [0.25, 0.5, 1, 2, 4, 8]), delta: delta,
                                                                forgetSize: try o.int("forget", 16), trials: try o.int("trials", 10),
                                                                draws: try o.int("draws", 20), seed: seed, log: log))
        case "capacity":
            print(try TopicCertifiedTables.capacityVersusCorpusSize(synthetic: synthetic, sizes: try o.ints("sizes", [5000, 20000, 80000]),
                                                                    epsilons: try o.doubles("epsilons", [1, 8]), delta: delta,
                                                                    maxForgetSize: try o.int("max-forget", 1024), trials: try o.int("trials", 10),
                                                                    adversarialSets: try o.int("adversarial", 4),
                                                                    budgets: try o.doubles("budgets", [0.01, 0.02, 0.05, 0.1]),
                                                                    draws: try o.int("draws", 20), seed: seed, log: log))
        default:
            throw TopicModelError.invalidConfiguration("certified needs --table epsilon or --table capacity")
        }
        print("wall time: \(String(format: "%.1f", (clock.now - started).seconds)) s")
    default:
        throw TopicModelError.invalidConfiguration("unknown command \(args[1])")
    }
}

/// Pre-training corpus minus the downstream documents; downstream split 50/50 into train and test (seeded).
func downstreamSplit(_ o: Options) throws -> ([Document], [Document], [Document]) {
    if let pPath = o.values["pretraining"], let dPath = o.values["downstream"] {
        let downstream = shuffled(try TopicCorpusFile.load(path: dPath), seed: 2)
        let ids = Set(downstream.map(\.id))
        let pre = try TopicCorpusFile.load(path: pPath).filter { !ids.contains($0.id) }
        let half = downstream.count / 2
        print("pre-training: \(pPath) minus downstream documents (\(pre.count)); downstream: \(dPath) (\(half) train / \(downstream.count - half) test, seeded shuffle 2)")
        return (pre, Array(downstream.prefix(half)), Array(downstream.suffix(from: half)))
    }
    let all = try TopicUnlearningBenchmark.dpkgLikeCorpus(documentCount: try o.int("documents", 12000))
    print("corpus: synthetic dpkg-like documents labelled by their dominant topic (seed 7): first 2/3 pre-training, rest downstream")
    let cut = all.count * 2 / 3, mid = cut + (all.count - cut) / 2
    return (Array(all[..<cut]), Array(all[cut..<mid]), Array(all[mid...]))
}

do { try run() } catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
