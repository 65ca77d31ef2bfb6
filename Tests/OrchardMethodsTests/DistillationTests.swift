import Foundation
import Testing
import OrchardModels
import OrchardTensor
@testable import OrchardMethods

/// The progressive-distillation checks of spec algorithms-1 §6.4 (1–4) that hold without training.
@Suite struct DistillationTests {
    /// §6.4.1: balanced labels, class 1 iff χ_S(x) = −1; a random support is k distinct coordinates.
    @Test func sparseParityLabelsAreBalancedAndFollowTheCharacter() throws {
        let task = try SparseParity(n: 20, k: 3)
        #expect(task.support == [0, 1, 2])
        var rng = SeededRandom(seed: 1)
        let (x, y) = task.sample(count: 100_000, random: &rng)
        let mean = Double(y.reduce(0) { $0 + Int($1) }) / 100_000
        #expect(abs(mean - 0.5) < 0.01, "label mean \(mean)")
        #expect(x.allSatisfy { $0 == 1 || $0 == -1 })
        x.withUnsafeBufferPointer { p in
            for e in 0..<1000 {
                let chi = p[e * 20] * p[e * 20 + 1] * p[e * 20 + 2]
                #expect((y[e] == 1) == (chi == -1))
            }
        }
        let random = try SparseParity(n: 50, k: 6, supportSeed: 9)
        #expect(Set(random.support).count == 6 && random.support.allSatisfy { (0..<50).contains($0) } && random.support != Array(0..<6))
        #expect(throws: SparseParity.TaskError.self) { try SparseParity(n: 4, k: 5) }
    }

    /// §6.4.2: for the exact predictor p₁ = 1[χ_S = −1], |corr(S)| ≈ 0.5 and every degree-1 correlation is at the noise floor.
    @Test func fourierProbeSeesTheParityAndNoSingleCoordinate() throws {
        let task = try SparseParity(n: 16, k: 4, supportSeed: 3)
        var rng = SeededRandom(seed: 2)
        let N = 20_000
        let (x, y) = task.sample(count: N, random: &rng)
        let p1 = y.map { Float($0) }
        let probe = FourierProbe.degreeOne(task: task, inputs: x, p1: p1)
        let floor = 0.5 / Double(N).squareRoot()
        #expect(abs(probe.full_support - 0.5) < 4 * floor, "\(probe)")
        for i in 0..<task.n { #expect(FourierProbe.correlation(subset: [i], inputs: x, n: task.n, p1: p1) < 4 * floor) }
        // A predictor leaning on one in-support coordinate shows it (the signal an intermediate teacher gives).
        let leaning = (0..<N).map { e in Float(0.5 - 0.2 * Double(x[e * task.n + task.support[0]])) }
        #expect(FourierProbe.correlation(subset: [task.support[0]], inputs: x, n: task.n, p1: leaning) > 0.19)
    }

    /// §6.4.3: τ → 0 with κ = 0 is CE on the teacher's argmax; a one-hot teacher with κ = 1 is plain CE; τ = 1 gives
    /// KL(p_T ‖ p_S) + H(p_T), so a student equal to the teacher has KL = 0 (issue 16 item 6).
    @Test func distillationLossLimitsAndTheKLIdentity() {
        var rng = SeededRandom(seed: 4)
        let rows = 7, classes = 5
        let zT = (0..<(rows * classes)).map { _ in rng.nextNormal() * 2 }, zS = (0..<(rows * classes)).map { _ in rng.nextNormal() }
        let labels = (0..<rows).map { _ in Int32(rng.nextInt(below: classes)) }
        func ce(_ q: [Float]) -> Double { DistillationLoss.crossEntropy(logits: zS, targets: q.map(Double.init), rows: rows, classes: classes) }
        func onehot(_ ids: [Int32]) -> [Float] {
            var q = [Float](repeating: 0, count: rows * classes)
            for (r, c) in ids.enumerated() { q[r * classes + Int(c)] = 1 }
            return q
        }
        let argmax = (0..<rows).map { r in Int32((0..<classes).max { zT[r * classes + $0] < zT[r * classes + $1] }!) }
        let cold = zT.withUnsafeBufferPointer { DistillationLoss(temperature: 1e-20, hardLabelWeight: 0).targets(teacherLogits: $0, rows: rows, classes: classes, labels: nil) }
        #expect(cold == onehot(argmax))
        let hard = zT.withUnsafeBufferPointer { DistillationLoss(temperature: 1, hardLabelWeight: 1).targets(teacherLogits: $0, rows: rows, classes: classes, labels: labels) }
        #expect(hard == onehot(labels))
        let loss = DistillationLoss(temperature: 1, hardLabelWeight: 0)
        let pT = zT.withUnsafeBufferPointer { loss.teacherDistribution(logits: $0, rows: rows, classes: classes) }
        let pS = zS.withUnsafeBufferPointer { loss.teacherDistribution(logits: $0, rows: rows, classes: classes) }
        let soft = zT.withUnsafeBufferPointer { loss.targets(teacherLogits: $0, rows: rows, classes: classes, labels: nil) }
        let identity = DistillationLoss.kl(pT, pS, rows: rows, classes: classes) + DistillationLoss.entropy(pT, rows: rows)
        #expect(abs(ce(soft) - identity) < 1e-5, "\(ce(soft)) vs \(identity)")
        #expect(abs(DistillationLoss.kl(pT, pT, rows: rows, classes: classes)) < 1e-12)
        // κ mixes the two cross-entropies linearly.
        let mixed = zT.withUnsafeBufferPointer { DistillationLoss(temperature: 1, hardLabelWeight: 0.3).targets(teacherLogits: $0, rows: rows, classes: classes, labels: labels) }
        #expect(abs(ce(mixed) - (0.3 * ce(onehot(labels)) + 0.7 * ce(soft))) < 1e-5)
        // The temperature scales the teacher only: τ = 2 flattens p_T.
        let warm = zT.withUnsafeBufferPointer { DistillationLoss(temperature: 2).teacherDistribution(logits: $0, rows: rows, classes: classes) }
        #expect(DistillationLoss.entropy(warm, rows: rows) > DistillationLoss.entropy(pT, rows: rows))
    }

    /// §6.4.4: with checkpoints every Δ and r = 1, step t uses the smallest saved s ≥ t (the last past the end);
    /// one-shot always the final; 2-shot switches exactly at s_mid; r scales the pace; a list of the final is one-shot.
    @Test func teacherSchedules() {
        let saved = Array(stride(from: 100, through: 1000, by: 100))
        let progressive = TeacherSchedule.progressive(multiplier: 1)
        #expect(progressive.teacherStep(studentStep: 0, saved: saved) == 100)
        #expect(progressive.teacherStep(studentStep: 100, saved: saved) == 100)
        #expect(progressive.teacherStep(studentStep: 101, saved: saved) == 200)
        #expect(progressive.teacherStep(studentStep: 999, saved: saved) == 1000)
        #expect(progressive.teacherStep(studentStep: 5000, saved: saved) == 1000)
        #expect(TeacherSchedule.progressive(multiplier: 2).teacherStep(studentStep: 101, saved: saved) == 300)
        for t in [0, 1, 499, 10_000] {
            #expect(TeacherSchedule.oneShot.teacherStep(studentStep: t, saved: saved) == 1000)
            #expect(TeacherSchedule.steps([1000]).teacherStep(studentStep: t, saved: saved) == 1000)
            #expect(TeacherSchedule.labels.teacherStep(studentStep: t, saved: saved) == nil)
        }
        let twoShot = TeacherSchedule.steps([400, 1000])
        #expect(twoShot.teacherStep(studentStep: 400, saved: saved) == 400)
        #expect(twoShot.teacherStep(studentStep: 401, saved: saved) == 1000)
    }

    /// Spec §6.4 / issue 16 item 6: with τ = 1 and a student equal to its teacher, the distillation loss is the
    /// teacher's entropy, so KL(p_T ‖ p_S) = loss − H(p_T) = 0, and its gradient vanishes.
    @Test func studentEqualToTeacherHasZeroKLAndZeroGradient() throws {
        let teacher = try MLPClassifier(inputSize: 8, hiddenSizes: [32], classes: 2, maxBatch: 64, seed: 11, activation: .relu, initialization: .uniform)
        let student = try MLPClassifier(inputSize: 8, hiddenSizes: [32], classes: 2, maxBatch: 64, seed: 12, activation: .relu, initialization: .uniform)
        try student.load(namedParameters: teacher.namedParameters())
        var rng = SeededRandom(seed: 3)
        let (x, y) = try SparseParity(n: 8, k: 2).sample(count: 64, random: &rng)
        try teacher.forward(inputs: x, batch: 64)
        let loss = DistillationLoss(temperature: 1, hardLabelWeight: 0)
        let z = teacher.lastLogits()
        let q = z.withUnsafeBufferPointer { loss.targets(teacherLogits: $0, rows: 64, classes: 2, labels: nil) }
        let pT = z.withUnsafeBufferPointer { loss.teacherDistribution(logits: $0, rows: 64, classes: 2) }
        student.zeroGradients()
        try student.forward(inputs: x, labels: y, batch: 64)
        let value = try student.setSoftTargets(q)
        try student.backward()
        #expect(abs(value - DistillationLoss.entropy(pT, rows: 64)) < 1e-6, "KL = \(value - DistillationLoss.entropy(pT, rows: 64))")
        #expect(student.gradients.array.allSatisfy { abs($0) < 1e-6 })
        // A different student has KL > 0 and a gradient.
        let other = try MLPClassifier(inputSize: 8, hiddenSizes: [32], classes: 2, maxBatch: 64, seed: 12, activation: .relu, initialization: .uniform)
        try other.forward(inputs: x, labels: y, batch: 64)
        #expect(try other.setSoftTargets(q) - DistillationLoss.entropy(pT, rows: 64) > 1e-4)
    }
}
