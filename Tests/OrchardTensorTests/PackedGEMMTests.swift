import Foundation
import Testing
@testable import OrchardTensor

/// The engine's packed GEMM, with each micro-tile (6×16 for AVX2, 12×32 for AVX-512: on a CPU without AVX-512 its
/// 16-wide vectors are split, but it computes the same sums), against a Float64 reference on shapes that hit every
/// edge: rows that are not whole micro-tiles, columns that are not whole panels, k longer than a depth block (256
/// or 1,024), strided A and C, overwrite and accumulate. Tolerance per element: k·ε·Σ|a·b| + ε·|c₀| (the bound of a recursive sum);
/// observed errors are far below it, and a wrong index or a dropped panel is off by the size of the entries.
@Suite struct PackedGEMMTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (5, 3, 7), (6, 16, 4), (13, 40, 37), (97, 33, 300), (100, 48, 1030),
    ]

    /// C (m×n, ldc) = A (m×k, lda) · B (+ C) with B given as a (k, n) matrix; `transposedWeight` packs it from a
    /// stored (n, k) weight instead, as Linear's forward does.
    static func run(m: Int, n: Int, k: Int, transposedWeight: Bool, accumulate: Bool, tiles: [Int], threads: Int = 1,
                    microTile: PackedGEMM.MicroTile, seed: UInt64) -> (c: [Float], reference: [Double], bound: [Double]) {
        let lda = k + 3, ldc = n + 5
        let a = randomFloats(m * lda, seed: seed), b = randomFloats(k * n, seed: seed + 1)
        let c0 = randomFloats(m * ldc, seed: seed + 2)
        let weight = transposedWeight ? (0..<(n * k)).map { b[($0 % k) * n + $0 / k] } : b   // (n, k): weight[j][kk] = b[kk][j]
        let gemm = PackedGEMM(capacity: PackedGEMM.packedCapacity(n: n, k: k, tile: microTile) + 7, workers: threads,
                              tile: microTile)
        var c = c0
        weight.withUnsafeBufferPointer { w in
            if transposedWeight {
                gemm.packTransposed(weight: w.baseAddress!, n: n, k: k, threads: .single)
            } else {
                gemm.pack(weight: w.baseAddress!, k: k, n: n, threads: .single)
            }
        }
        a.withUnsafeBufferPointer { ap in
            c.withUnsafeMutableBufferPointer { cp in
                var start = 0
                for (i, size) in tiles.enumerated() {
                    let rows = start..<min(m, start + size)
                    gemm.multiply(rows: rows, worker: i % threads, a: ap.baseAddress!, lda: lda, c: cp.baseAddress!, ldc: ldc,
                                  addend: accumulate ? .output : .none)
                    start = rows.upperBound
                }
                precondition(start == m, "tiles must cover the rows")
            }
        }
        var reference = [Double](repeating: 0, count: m * ldc), bound = reference
        let eps = Double(Float.ulpOfOne)
        for i in 0..<m { for j in 0..<n {
            var s = accumulate ? Double(c0[i * ldc + j]) : 0, magnitude = 0.0
            for kk in 0..<k { let p = Double(a[i * lda + kk]) * Double(b[kk * n + j]); s += p; magnitude += abs(p) }
            reference[i * ldc + j] = s
            bound[i * ldc + j] = Double(k) * eps * magnitude + eps * abs(s) + 1e-30
        } }
        // Columns between n and ldc belong to no product: they must keep their old values.
        for i in 0..<m { for j in n..<ldc { reference[i * ldc + j] = Double(c0[i * ldc + j]) } }
        return (c, reference, bound)
    }

    @Test(arguments: PackedGEMM.MicroTile.allCases, [(false, false), (false, true), (true, false), (true, true)])
    func matchesFloat64Reference(microTile: PackedGEMM.MicroTile, options: (transposedWeight: Bool, accumulate: Bool)) {
        for (index, shape) in Self.shapes.enumerated() {
            let r = Self.run(m: shape.m, n: shape.n, k: shape.k, transposedWeight: options.transposedWeight,
                             accumulate: options.accumulate, tiles: [shape.m], microTile: microTile, seed: UInt64(10 * index + 1))
            var worst = 0.0
            for (i, value) in r.c.enumerated() {
                worst = max(worst, abs(Double(value) - r.reference[i]) / r.bound[i])
            }
            #expect(worst <= 1, "shape \(shape): error is \(worst) × the bound")
        }
    }

    /// How the rows are cut into tiles, and which worker's scratch a tile uses, must not change a single bit:
    /// the training loop's claimed tiles depend on the thread count.
    @Test(arguments: PackedGEMM.MicroTile.allCases)
    func resultsDoNotDependOnTheRowTiles(microTile: PackedGEMM.MicroTile) {
        let m = 203, n = 40, k = 1030
        let whole = Self.run(m: m, n: n, k: k, transposedWeight: true, accumulate: true, tiles: [m], microTile: microTile,
                             seed: 77).c
        let tiled = Self.run(m: m, n: n, k: k, transposedWeight: true, accumulate: true,
                             tiles: [7, 1, 96, 50, 49], threads: 3, microTile: microTile, seed: 77).c
        #expect(whole == tiled)
    }

    /// The AVX-512 tile (12×32, 16-wide, depth blocks of 256) and the AVX2 tile (6×16, 8-wide, 1,024) give every
    /// element the same chain of multiply-adds, so the same bits: a model trained on one CPU kind trains the same
    /// on the other, and this machine checks the tile it cannot run at full width.
    @Test(arguments: [false, true], [false, true])
    func bothMicroTilesGiveTheSameBits(transposedWeight: Bool, accumulate: Bool) {
        for (index, shape) in (Self.shapes + [(203, 70, 1030)]).enumerated() {
            let results = PackedGEMM.MicroTile.allCases.map { microTile in
                Self.run(m: shape.m, n: shape.n, k: shape.k, transposedWeight: transposedWeight, accumulate: accumulate,
                         tiles: [shape.m], microTile: microTile, seed: UInt64(10 * index + 3)).c
            }
            let differing = zip(results[0], results[1]).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "shape \(shape): \(differing) of \(results[0].count) elements differ")
        }
    }

    /// A bias, a residual (separate or C itself) or both, folded into the accumulators' start, give the same bits
    /// as filling C with them in a pass of its own and then accumulating onto it (the OpenBLAS path's way).
    @Test(arguments: PackedGEMM.MicroTile.allCases)
    func addendsEqualAPassBeforeTheProduct(microTile: PackedGEMM.MicroTile) {
        let m = 50, n = 70, k = 300, lda = k + 1, ldc = n + 3   // partial micro-tiles and panels; k > 256
        let a = randomFloats(m * lda, seed: 21), w = randomFloats(n * k, seed: 22)
        let bias = randomFloats(n, seed: 23), residual = randomFloats(m * ldc, seed: 24)
        let gemm = PackedGEMM(capacity: PackedGEMM.packedCapacity(n: n, k: k, tile: microTile), workers: 1, tile: microTile)
        w.withUnsafeBufferPointer { gemm.packTransposed(weight: $0.baseAddress!, n: n, k: k, threads: .single) }
        func product(_ initial: [Float], _ addend: (UnsafeMutablePointer<Float>) -> PackedGEMM.Addend) -> [Float] {
            var c = initial
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { cp in
                    // Two tiles, so that rows start inside the matrix too.
                    for rows in [0..<19, 19..<m] {
                        gemm.multiply(rows: rows, worker: 0, a: ap.baseAddress!, lda: lda, c: cp.baseAddress!, ldc: ldc,
                                      addend: addend(cp.baseAddress!))
                    }
                }
            }
            return c
        }
        let garbage = randomFloats(m * ldc, seed: 25)
        var withBias = garbage, withResidual = garbage, withBoth = garbage
        for i in 0..<m { for j in 0..<n {
            withBias[i * ldc + j] = bias[j]
            withResidual[i * ldc + j] = residual[i * ldc + j]
            withBoth[i * ldc + j] = residual[i * ldc + j] + bias[j]
        } }
        let expected = [product(withBias) { _ in .output }, product(withResidual) { _ in .output },
                        product(withBoth) { _ in .output }]
        bias.withUnsafeBufferPointer { b in
            residual.withUnsafeBufferPointer { r in
                let cases: [(String, [Float], [Float])] = [
                    ("bias", product(garbage) { _ in .bias(b.baseAddress!) }, expected[0]),
                    ("residual", product(garbage) { _ in .residual(r.baseAddress!, bias: nil) }, expected[1]),
                    ("residual + bias", product(garbage) { _ in .residual(r.baseAddress!, bias: b.baseAddress!) }, expected[2]),
                    ("residual in C + bias", product(residual) { .residual(UnsafePointer($0), bias: b.baseAddress!) }, expected[2]),
                ]
                for (name, got, want) in cases {
                    // Columns past n keep what was there (garbage, or the residual when C is the residual).
                    var want = want
                    for i in 0..<m { for j in n..<ldc { want[i * ldc + j] = got[i * ldc + j] } }
                    let differing = zip(got, want).filter { $0.bitPattern != $1.bitPattern }.count
                    #expect(differing == 0, "\(name): \(differing) elements differ")
                }
            }
        }
    }

    /// The narrowed products of causal attention: a depth range (a prefix, a suffix, one crossing a depth block),
    /// a column limit (whole panels past it may be written, nothing beyond), a transposed A, and B packed from rows
    /// with a stride (ld). Elements outside the computed panels keep their old values; an empty depth range leaves
    /// the addend.
    @Test(arguments: PackedGEMM.MicroTile.allCases, [false, true])
    func depthRangeColumnLimitAndTransposedA(microTile: PackedGEMM.MicroTile, transposedA: Bool) {
        let m = 29, n = 70, k = 1100, ldb = n + 9, lda = (transposedA ? m : k) + 2, ldc = n + 4
        let a = randomFloats((transposedA ? k : m) * lda, seed: 41), storedB = randomFloats(k * ldb, seed: 42)
        let c0 = randomFloats(m * ldc, seed: 43)
        func aAt(_ i: Int, _ kk: Int) -> Float { transposedA ? a[kk * lda + i] : a[i * lda + kk] }
        let gemm = PackedGEMM(capacity: PackedGEMM.packedCapacity(n: n, k: k, tile: microTile), workers: 1, tile: microTile)
        storedB.withUnsafeBufferPointer { gemm.pack(weight: $0.baseAddress!, k: k, n: n, ld: ldb, threads: .single) }
        let eps = Double(Float.ulpOfOne), width = microTile.width
        for (depth, columns) in [(0..<37, 70), (0..<1100, 17), (1000..<1100, 33), (5..<1080, 64), (200..<1030, 1), (9..<9, 40)] {
            var c = c0
            a.withUnsafeBufferPointer { ap in
                c.withUnsafeMutableBufferPointer { cp in
                    for rows in [0..<13, 13..<m] {
                        gemm.multiply(rows: rows, worker: 0, a: ap.baseAddress!, lda: lda, c: cp.baseAddress!, ldc: ldc,
                                      addend: .output, depth: depth, columns: columns, transposedA: transposedA)
                    }
                }
            }
            let computed = min(n, (columns + width - 1) / width * width)   // whole panels up to the limit
            var worst = 0.0, untouched = true
            for i in 0..<m { for j in 0..<ldc {
                let got = c[i * ldc + j]
                guard j < computed else { untouched = untouched && got == c0[i * ldc + j]; continue }
                var sum = Double(c0[i * ldc + j]), magnitude = 0.0
                for kk in depth { let p = Double(aAt(i, kk)) * Double(storedB[kk * ldb + j]); sum += p; magnitude += abs(p) }
                let bound = Double(depth.count) * eps * magnitude + eps * abs(sum) + 1e-30
                worst = max(worst, abs(Double(got) - sum) / bound)
            } }
            #expect(worst <= 1, "depth \(depth), columns \(columns): error is \(worst) × the bound")
            #expect(untouched, "depth \(depth), columns \(columns): wrote past the panels of the column limit")
        }
    }

    /// Threads pack disjoint panels of the weight; the packed matrix is the same as one thread's.
    @Test(arguments: PackedGEMM.MicroTile.allCases)
    func packingOnTwoThreadsEqualsOneThread(microTile: PackedGEMM.MicroTile) throws {
        let n = 70, k = 33, width = microTile.width
        let w = randomFloats(n * k, seed: 5)
        for transposed in [false, true] {
            var packs: [[Float]] = []
            for threads in [ComputeThreads.single, try ComputeThreads(2)] {
                let gemm = PackedGEMM(capacity: PackedGEMM.packedCapacity(n: n, k: k, tile: microTile),
                                      workers: threads.count, tile: microTile)
                w.withUnsafeBufferPointer { p in
                    if transposed { gemm.packTransposed(weight: p.baseAddress!, n: n, k: k, threads: threads) }
                    else { gemm.pack(weight: p.baseAddress!, k: k, n: n, threads: threads) }
                }
                packs.append(Array(UnsafeBufferPointer(start: gemm.packedB, count: gemm.packedCapacity)))
            }
            #expect(packs[0] == packs[1])
            // The padding columns of the last panel (70 = 4·16 + 6 = 2·32 + 6) are zero, and the others are B's.
            let full = n / width, lastPanel = packs[0][(full * width * k)...]
            for kk in 0..<k {
                #expect(lastPanel.dropFirst(kk * width + 6).prefix(width - 6).allSatisfy { $0 == 0 })
                let column = full * width + 5   // B[kk][column] = weightᵀ or weight
                #expect(lastPanel[lastPanel.startIndex + kk * width + 5] == (transposed ? w[column * k + kk] : w[kk * n + column]))
            }
        }
    }

    @Test func capacityCountsWholePanels() {
        #expect(PackedGEMM.packedCapacity(n: 16, k: 3, tile: .avx2) == 48)
        #expect(PackedGEMM.packedCapacity(n: 17, k: 3, tile: .avx2) == 96)
        #expect(PackedGEMM.packedCapacity(n: 1, k: 1024, tile: .avx2) == 16 * 1024)
        #expect(PackedGEMM.packedCapacity(n: 17, k: 3, tile: .avx512) == 96)
        #expect(PackedGEMM.packedCapacity(n: 33, k: 3, tile: .avx512) == 192)
        // A Linear (out 17, in 3): weightᵀ is 2 panels × 3 deep (96), weight 1 panel × 17 deep (272).
        #expect(PackedGEMM.linearCapacity(outChannels: 17, inChannels: 3, tile: .avx2) == 272)
        #expect(PackedGEMM.linearCapacity(outChannels: 17, inChannels: 3, tile: .avx512) == 544)
    }

    @Test func kernelNamesAndAVX512Cores() {
        #expect(GEMMKernel(rawValue: "openblas") == .openBLAS && GEMMKernel(rawValue: "packed") == .packed)
        #expect(BLASRuntime.hasAVX512Kernel(coreName: "SkylakeX") && BLASRuntime.hasAVX512Kernel(coreName: "sapphirerapids"))
        #expect(!BLASRuntime.hasAVX512Kernel(coreName: "Zen") && !BLASRuntime.hasAVX512Kernel(coreName: "Haswell"))
    }
}
