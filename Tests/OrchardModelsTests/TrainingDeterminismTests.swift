import Foundation
import Synchronization
import Testing
import OrchardTensor
@testable import OrchardModels

@Suite struct TrainingDeterminismTests {
    static let config = GPTConfig(vocabularySize: 64, contextLength: 16, layers: 2, channels: 32, heads: 2)
    static let corpus: [Int32] = {
        var rng = SeededRandom(seed: 4)
        return (0..<5000).map { i in Int32((i * 7 + rng.nextInt(below: 5)) % 64) }
    }()

    func makeTrainer(threads: Int) throws -> GPTTrainer {
        let m = try GPT(config: Self.config, maxBatch: 4, threads: try ComputeThreads(threads), seed: 123)
        return try GPTTrainer.adamW(model: m, learningRate: .cosine(rate: 3e-3, warmupSteps: 3, totalSteps: 20, minimumRate: 3e-4),
                                    seed: 77)
    }

    func run(_ trainer: GPTTrainer, steps: Int) throws -> [Float] {
        let sampler = try TokenWindowSampler(tokens: Self.corpus, batch: 4, length: 16)
        var inputs = [Int32](), targets = [Int32](), losses = [Float]()
        for _ in 0..<steps {
            sampler.sample(inputs: &inputs, targets: &targets, random: &trainer.random)
            losses.append(try trainer.trainStep(inputs: inputs, targets: targets).loss)
        }
        return losses
    }

    @Test(arguments: [1, 2]) func sameSeedSameLossCurveBitForBit(threads: Int) throws {
        let a = try run(try makeTrainer(threads: threads), steps: 12)
        let b = try run(try makeTrainer(threads: threads), steps: 12)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(a.last! < a.first!)
    }

    @Test(arguments: [1, 2]) func resumeEqualsUninterrupted(threads: Int) throws {
        let full = try makeTrainer(threads: threads)
        let uninterrupted = try run(full, steps: 16)

        let first = try makeTrainer(threads: threads)
        let head = try run(first, steps: 8)
        let snap = first.snapshot()
        // A fresh model with a different init seed proves every bit comes from the snapshot.
        let m = try GPT(config: Self.config, maxBatch: 4, threads: try ComputeThreads(threads), seed: 999)
        let resumed = try GPTTrainer.adamW(model: m, learningRate: .cosine(rate: 3e-3, warmupSteps: 3, totalSteps: 20, minimumRate: 3e-4),
                                           seed: 1)
        try resumed.restore(snap)
        #expect(resumed.step == 8)
        let tail = try run(resumed, steps: 8)
        #expect((head + tail).map(\.bitPattern) == uninterrupted.map(\.bitPattern))
        #expect(resumed.model.parameters.array.map(\.bitPattern) == full.model.parameters.array.map(\.bitPattern))
    }

    /// Same as above but the snapshot goes through safetensors files on disk (model.safetensors,
    /// optimizer.safetensors; step and RNG state as string metadata) before the restore.
    @Test func resumeThroughSafetensorsFilesEqualsUninterrupted() throws {
        let uninterrupted = try run(try makeTrainer(threads: 2), steps: 12)
        let first = try makeTrainer(threads: 2)
        let head = try run(first, steps: 6)
        let snap = first.snapshot()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let meta = ["step": String(snap.step), "rng": snap.randomState.map(String.init).joined(separator: ",")]
        try SafeTensors.write(snap.parameters, metadata: meta, to: dir.appendingPathComponent("model.safetensors"))
        try SafeTensors.write(snap.optimizer, metadata: [:], to: dir.appendingPathComponent("optimizer.safetensors"))

        let model = try SafeTensors.read(from: dir.appendingPathComponent("model.safetensors"))
        let opt = try SafeTensors.read(from: dir.appendingPathComponent("optimizer.safetensors"))
        let restored = TrainingSnapshot(parameters: model.tensors, optimizer: opt.tensors,
                                        step: try #require(Int(model.metadata["step"] ?? "")),
                                        randomState: (model.metadata["rng"] ?? "").split(separator: ",").compactMap { UInt64($0) })
        #expect(restored == snap)
        let resumed = try GPTTrainer.adamW(model: try GPT(config: Self.config, maxBatch: 4, threads: try ComputeThreads(2), seed: 5),
                                           learningRate: .cosine(rate: 3e-3, warmupSteps: 3, totalSteps: 20, minimumRate: 3e-4), seed: 1)
        try resumed.restore(restored)
        let tail = try run(resumed, steps: 6)
        #expect((head + tail).map(\.bitPattern) == uninterrupted.map(\.bitPattern))
    }

    /// With 1,024 rows per step the threads claim GEMM row tiles, attention heads and elementwise tiles as they
    /// become free (ComputeThreads.parallelTiles), so which thread computes what differs from run to run; the second
    /// run shares the cores with a spinning thread to make that likely. Losses and weights must still match bit for bit,
    /// with either GEMM kernel (the packed one also shares one packed weight between the threads).
    @Test(arguments: GEMMKernel.allCases) func bitIdenticalWhileThreadsClaimTilesDynamically(kernel: GEMMKernel) throws {
        let config = GPTConfig(vocabularySize: 64, contextLength: 64, layers: 2, channels: 32, heads: 2)
        func train() throws -> (losses: [Float], weights: [Float]) {
            let m = try GPT(config: config, maxBatch: 16, threads: try ComputeThreads(2), seed: 321, gemmKernel: kernel)
            let trainer = try GPTTrainer.adamW(model: m, learningRate: .constant(rate: 3e-3), seed: 9)
            let sampler = try TokenWindowSampler(tokens: Self.corpus, batch: 16, length: 64)
            var inputs = [Int32](), targets = [Int32](), losses = [Float]()
            for _ in 0..<5 {
                sampler.sample(inputs: &inputs, targets: &targets, random: &trainer.random)
                losses.append(try trainer.trainStep(inputs: inputs, targets: targets).loss)
            }
            return (losses, m.parameters.array)
        }
        let quiet = try train()
        final class StopFlag: Sendable { let stop = Atomic<Bool>(false) }
        let flag = StopFlag()
        let spinner = Thread { while !flag.stop.load(ordering: .relaxed) {} }
        spinner.start()
        defer { flag.stop.store(true, ordering: .relaxed) }
        let contended = try train()
        #expect(quiet.losses.map(\.bitPattern) == contended.losses.map(\.bitPattern))
        let differing = zip(quiet.weights, contended.weights).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(quiet.weights.count == contended.weights.count && differing == 0, "\(differing) weights differ")
        #expect(quiet.losses.last! < quiet.losses.first!)
    }

    @Test func restoreRejectsMismatchedState() throws {
        let t = try makeTrainer(threads: 1)
        var snap = t.snapshot()
        snap.parameters["wte"]!.shape = [1, 1]
        #expect(throws: ModelError.self) { try t.restore(snap) }
        var snap2 = t.snapshot()
        snap2.optimizer["m"] = nil
        #expect(throws: EngineError.self) { try t.restore(snap2) }
        var snap3 = t.snapshot()
        snap3.randomState = [0, 0, 0, 0]
        #expect(throws: EngineError.self) { try t.restore(snap3) }
    }

    @Test func badInputIsAnErrorNotACrash() throws {
        let m = try GPT(config: Self.config, maxBatch: 2, seed: 1)
        #expect(throws: ModelError.self) { try m.forward(inputs: [Int32](repeating: 0, count: 5)) }
        #expect(throws: ModelError.self) { try m.forward(inputs: [Int32](repeating: 64, count: 32), batch: 2, length: 16) }
        #expect(throws: ModelError.self) { try m.forward(inputs: [0, 1], targets: [0, 1], weights: [0, 0], batch: 1, length: 2) }
        #expect(throws: ModelError.self) { try m.backward() }
        #expect(throws: ModelError.self) { try GPT(config: GPTConfig(vocabularySize: 10, contextLength: 4, layers: 1, channels: 10, heads: 3), maxBatch: 1) }
    }
}
