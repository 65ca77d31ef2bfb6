import Foundation

/// The engine's own GEMM for a layer's weight: C (m×n) = A (m×k) · B (k×n) [+ C], row-major, where B is a weight
/// packed once per call into 16-column panels that all threads then share.
///
/// Why it exists: the projections run as claimed row tiles (ComputeThreads.parallelTiles), and every tile given to
/// OpenBLAS packs the whole weight again, eleven times per projection on two threads; for beta = 0 OpenBLAS also
/// zeroes C in a separate pass. Here the weight is packed once and shared, each tile packs only its own rows of A
/// (into its worker's scratch), and C is written straight from the registers. On the dev box's AVX2 cores this
/// ran 7-11 % faster than OpenBLAS's Zen kernel on the step's tile sequence of a projection, and a training step
/// 2-3 % faster (docs/performance.md, session 5).
/// OpenBLAS stays in charge of the weight gradients (K = all rows: its packing is amortised there), attention's
/// small products and every build without FMA (see GEMMKernel.preferred).
///
/// Each C element is one sum over k in ascending order, split at fixed `depthBlock` boundaries, whatever the row
/// tile, the thread or the edge path that computes it: results do not depend on how rows are divided.
public final class PackedGEMM {
    /// Rows of A packed at a time: 96 rows × 1,024 deep stays in L2 while the 16-column B panels stream from L1.
    public static let rowBlock = 96
    /// Longest stretch of k summed in registers before C is reloaded; the model's products have k ≤ 1,024.
    public static let depthBlock = 1024
    /// Micro-tile: 6 rows × 16 columns = twelve 8-wide accumulators.
    static let microRows = 6, panelWidth = 16

    let packedB: UnsafeMutablePointer<Float>
    public let packedCapacity: Int
    let aScratch: UnsafeMutablePointer<Float>
    public let workers: Int
    static let aScratchPerWorker = (rowBlock + microRows) * depthBlock
    // Shape of the B currently packed.
    private(set) var n = 0, k = 0

    /// A workspace for products whose packed B holds up to `packedCapacity(n:k:)` floats, run by up to `workers` threads.
    public init(capacity: Int, workers: Int) {
        precondition(capacity >= 0 && workers >= 1)
        packedCapacity = capacity
        self.workers = workers
        packedB = .allocate(capacity: Swift.max(1, capacity))
        packedB.initialize(repeating: 0, count: Swift.max(1, capacity))
        aScratch = .allocate(capacity: workers * Self.aScratchPerWorker)
        aScratch.initialize(repeating: 0, count: workers * Self.aScratchPerWorker)
    }

    deinit { packedB.deallocate(); aScratch.deallocate() }

    /// Floats a packed k×n matrix takes: n rounded up to whole 16-column panels (the padding is zero).
    public static func packedCapacity(n: Int, k: Int) -> Int { (n + panelWidth - 1) / panelWidth * panelWidth * k }

    /// Floats a Linear layer (out, in) needs packed: its weightᵀ for the forward, its weight for the input gradient.
    public static func linearCapacity(outChannels: Int, inChannels: Int) -> Int {
        Swift.max(packedCapacity(n: outChannels, k: inChannels), packedCapacity(n: inChannels, k: outChannels))
    }

    /// Packs B = weightᵀ for a weight stored (n, k) row-major, as nn.Linear's (out, in): out = inp · weightᵀ.
    public func packTransposed(weight: UnsafePointer<Float>, n: Int, k: Int, threads: ComputeThreads) {
        packPanels(n: n, k: k, threads: threads) { panel, col, width in
            for j in 0..<Self.panelWidth {
                if j < width {
                    let row = weight + (col + j) * k
                    for kk in 0..<k { panel[kk * Self.panelWidth + j] = row[kk] }
                } else {
                    for kk in 0..<k { panel[kk * Self.panelWidth + j] = 0 }
                }
            }
        }
    }

    /// Packs B = weight for a weight stored (k, n) row-major: dinp = dout · weight.
    public func pack(weight: UnsafePointer<Float>, k: Int, n: Int, threads: ComputeThreads) {
        packPanels(n: n, k: k, threads: threads) { panel, col, width in
            for kk in 0..<k {
                let dst = panel + kk * Self.panelWidth
                dst.update(from: weight + kk * n + col, count: width)
                if width < Self.panelWidth { (dst + width).update(repeating: 0, count: Self.panelWidth - width) }
            }
        }
    }

    /// Runs `fill(panel, firstColumn, width)` for every 16-column panel of a k×n B, panels split over the threads;
    /// columns from `width` to 16 are padding that `fill` must zero.
    private func packPanels(n: Int, k: Int, threads: ComputeThreads,
                            _ fill: (_ panel: UnsafeMutablePointer<Float>, _ column: Int, _ width: Int) -> Void) {
        precondition(n >= 1 && k >= 1 && Self.packedCapacity(n: n, k: k) <= packedCapacity,
                     "packed GEMM workspace holds \(packedCapacity) floats, \(n)×\(k) needs \(Self.packedCapacity(n: n, k: k))")
        self.n = n; self.k = k
        let panels = (n + Self.panelWidth - 1) / Self.panelWidth
        threads.parallelChunks(panels) { range in
            for p in range {
                let column = p * Self.panelWidth
                fill(packedB + p * k * Self.panelWidth, column, Swift.min(Self.panelWidth, n - column))
            }
        }
    }

    /// Rows `rows` of C (ldc apart) = rows of A (lda apart) · the packed B, or C + that when `accumulate`.
    /// Called from a thread's own tile; `worker` picks its A scratch, so tiles of different workers may run at once.
    public func multiply(rows: Range<Int>, worker: Int, a: UnsafePointer<Float>, lda: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        precondition(worker >= 0 && worker < workers, "worker \(worker) of a \(workers)-worker packed GEMM workspace")
        let n = self.n, k = self.k
        let scratch = aScratch + worker * Self.aScratchPerWorker
        var m0 = rows.lowerBound
        while m0 < rows.upperBound {
            let mb = Swift.min(Self.rowBlock, rows.upperBound - m0)
            var k0 = 0
            while k0 < k {
                let kc = Swift.min(Self.depthBlock, k - k0)
                Self.packRows(a + m0 * lda + k0, lda: lda, m: mb, k: kc, into: scratch)
                let load = accumulate || k0 > 0
                var n0 = 0
                while n0 < n {
                    let panel = UnsafePointer(packedB) + n0 * k + k0 * Self.panelWidth
                    let width = Swift.min(Self.panelWidth, n - n0)
                    var i0 = 0
                    while i0 < mb {
                        let height = Swift.min(Self.microRows, mb - i0)
                        let cTile = c + (m0 + i0) * ldc + n0
                        if height == Self.microRows && width == Self.panelWidth {
                            Self.kernel(kc: kc, a: scratch + i0 * kc, b: panel, c: cTile, ldc: ldc, load: load)
                        } else {
                            Self.edgeKernel(kc: kc, a: scratch + i0 * kc, b: panel, c: cTile, ldc: ldc, load: load,
                                            height: height, width: width)
                        }
                        i0 += Self.microRows
                    }
                    n0 += Self.panelWidth
                }
                k0 += kc
            }
            m0 += mb
        }
    }

    /// Copies m rows × k of A into 6-row micro-panels, [panel][k][6]; a last partial panel is padded with zero rows.
    @inline(__always)
    static func packRows(_ a: UnsafePointer<Float>, lda: Int, m: Int, k: Int, into p: UnsafeMutablePointer<Float>) {
        var i0 = 0
        while i0 + microRows <= m {
            let panel = p + i0 * k
            let r0 = a + i0 * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
            for kk in 0..<k {
                let q = panel + kk * microRows
                q[0] = r0[kk]; q[1] = r1[kk]; q[2] = r2[kk]; q[3] = r3[kk]; q[4] = r4[kk]; q[5] = r5[kk]
            }
            i0 += microRows
        }
        if i0 < m {
            let panel = p + i0 * k, height = m - i0
            for kk in 0..<k {
                for r in 0..<microRows { panel[kk * microRows + r] = r < height ? a[(i0 + r) * lda + kk] : 0 }
            }
        }
    }

    /// C[0..<6][0..<16] (ldc apart) = (load ? C : 0) + Σ_k a[k][r]·b[k][j], with a and b packed.
    @inline(__always)
    static func kernel(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                       ldc: Int, load: Bool) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        if load {
            c00 = load8(c); c01 = load8(c + 8); c10 = load8(c + ldc); c11 = load8(c + ldc + 8)
            c20 = load8(c + 2 * ldc); c21 = load8(c + 2 * ldc + 8); c30 = load8(c + 3 * ldc); c31 = load8(c + 3 * ldc + 8)
            c40 = load8(c + 4 * ldc); c41 = load8(c + 4 * ldc + 8); c50 = load8(c + 5 * ldc); c51 = load8(c + 5 * ldc + 8)
        }
        var ap = a, bp = b
        for _ in 0..<kc {
            let b0 = load8(bp), b1 = load8(bp + 8)
            var x = SIMD8<Float>(repeating: ap[0]); multiplyAdd(&c00, x, b0); multiplyAdd(&c01, x, b1)
            x = SIMD8<Float>(repeating: ap[1]); multiplyAdd(&c10, x, b0); multiplyAdd(&c11, x, b1)
            x = SIMD8<Float>(repeating: ap[2]); multiplyAdd(&c20, x, b0); multiplyAdd(&c21, x, b1)
            x = SIMD8<Float>(repeating: ap[3]); multiplyAdd(&c30, x, b0); multiplyAdd(&c31, x, b1)
            x = SIMD8<Float>(repeating: ap[4]); multiplyAdd(&c40, x, b0); multiplyAdd(&c41, x, b1)
            x = SIMD8<Float>(repeating: ap[5]); multiplyAdd(&c50, x, b0); multiplyAdd(&c51, x, b1)
            ap += microRows; bp += panelWidth
        }
        store8(c00, c); store8(c01, c + 8); store8(c10, c + ldc); store8(c11, c + ldc + 8)
        store8(c20, c + 2 * ldc); store8(c21, c + 2 * ldc + 8); store8(c30, c + 3 * ldc); store8(c31, c + 3 * ldc + 8)
        store8(c40, c + 4 * ldc); store8(c41, c + 4 * ldc + 8); store8(c50, c + 5 * ldc); store8(c51, c + 5 * ldc + 8)
    }

    /// The same for a micro-tile cut by the edge of C (height < 6 rows or width < 16 columns): the full tile is
    /// computed in a local buffer (A's padding rows and B's padding columns are zero) and only C's part is copied,
    /// so every element gets exactly the sum the full kernel would give it.
    @inline(never)
    static func edgeKernel(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                           ldc: Int, load: Bool, height: Int, width: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: microRows * panelWidth) { tile in
            let t = tile.baseAddress!
            t.update(repeating: 0, count: microRows * panelWidth)
            if load { for r in 0..<height { (t + r * panelWidth).update(from: c + r * ldc, count: width) } }
            kernel(kc: kc, a: a, b: b, c: t, ldc: panelWidth, load: load)
            for r in 0..<height { (c + r * ldc).update(from: t + r * panelWidth, count: width) }
        }
    }
}

/// acc + x·y: one fused multiply-add where the build targets a CPU with FMA (ORCHARD_NATIVE_FMA, set with
/// ORCHARD_TARGET_CPU), else a multiply and an add: without the instruction LLVM would call libm's fmaf per lane.
@_transparent
func multiplyAdd(_ acc: inout SIMD8<Float>, _ x: SIMD8<Float>, _ y: SIMD8<Float>) {
    #if ORCHARD_NATIVE_FMA
    acc.addProduct(x, y)
    #else
    acc += x * y
    #endif
}

/// Which GEMM computes a model's projections (forward and input gradients; weight gradients always use OpenBLAS).
public enum GEMMKernel: String, Sendable, CaseIterable {
    /// OpenBLAS for every product (sgemm per row tile).
    case openBLAS = "openblas"
    /// The engine's PackedGEMM: each weight packed once per product and shared by the threads.
    case packed

    /// `ORCHARD_GEMM=openblas|packed` when set (benchmarks compare both in one binary); else `packed` in builds for a
    /// CPU with FMA whose OpenBLAS kernel is AVX2 (the 8-wide kernel here was 7-11 % faster than OpenBLAS's Zen
    /// kernel), `openBLAS` otherwise: without FMA the kernel does two roundings and half the work per instruction,
    /// and on AVX-512 CPUs OpenBLAS's 16-wide kernels are twice as wide as this one.
    public static let preferred: GEMMKernel = {
        if let name = getenv("ORCHARD_GEMM").map({ String(cString: $0) }), !name.isEmpty {
            if let kernel = GEMMKernel(rawValue: name) { return kernel }
            FileHandle.standardError.write(Data("orchard: ignoring ORCHARD_GEMM=\(name) (known: \(allCases.map(\.rawValue).joined(separator: ", ")))\n".utf8))
        }
        #if ORCHARD_NATIVE_FMA
        return BLASRuntime.hasAVX512Kernel(coreName: BLASRuntime.coreName) ? .openBLAS : .packed
        #else
        return .openBLAS
        #endif
    }()
}
