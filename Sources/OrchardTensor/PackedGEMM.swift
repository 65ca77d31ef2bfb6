import Foundation

/// The engine's own GEMM for a layer's weight: C (m×n) = A (m×k) · B (k×n) [+ C], row-major, where B is a weight
/// packed once per call into panels (16 or 32 columns wide, see MicroTile) that all threads then share.
///
/// Why it exists: the projections run as claimed row tiles (ComputeThreads.parallelTiles), and every tile given to
/// OpenBLAS packs the whole weight again (eleven tiles per projection for 2,048 rows on two threads), and C must be
/// filled first (zeroed for beta = 0, or set to bias and residual). Here the weight is packed once and shared, each
/// tile packs only its own rows of A (into its worker's scratch), and the accumulators start at the addend (Addend),
/// so C is written once, straight from the registers. Measured effect per kernel and machine: docs/performance.md,
/// "Kernels".
/// Causal attention runs its per-head products here too (one workspace per thread, narrowed by `depth`, `columns`
/// and `transposedA`), instead of OpenBLAS calls that each zero C and pack both operands.
/// OpenBLAS stays in charge of the weight gradients (K = all rows: its packing is amortised there) and every build
/// without FMA (see GEMMKernel.preferred).
///
/// Each C element is one multiply-add chain over k in ascending order, whatever the row tile, the thread, the edge
/// path or the micro-tile shape that computes it: results do not depend on how rows are divided, and an AVX-512
/// build gives the same bits as an AVX2 one.
public final class PackedGEMM {
    /// The block of C one kernel call keeps in vector registers, and how deep it sums before C is reloaded.
    public enum MicroTile: String, Sendable, CaseIterable {
        /// 6 rows × 16 columns: twelve 8-wide accumulators, 2 loads and 6 broadcasts per k (AVX2's 16 registers).
        case avx2
        /// 12 rows × 32 columns: twenty-four 16-wide accumulators, 2 loads and 12 broadcasts per k (AVX-512's 32
        /// registers; BLIS's skx sgemm kernel has the same shape). Its depth block keeps a 32-column B panel in L1.
        case avx512

        public var rows: Int { self == .avx2 ? 6 : 12 }
        public var width: Int { self == .avx2 ? 16 : 32 }
        /// Longest stretch of k summed in registers before C is stored and reloaded. Storing and reloading a float
        /// is exact, so the block changes speed, not results.
        public var depthBlock: Int { self == .avx2 ? 1024 : 256 }

        /// The build's: `avx512` where the engine is compiled for an AVX-512 CPU (ORCHARD_AVX512, set by
        /// Package.swift from ORCHARD_TARGET_CPU), else `avx2`. Elsewhere the other tile still computes the same
        /// bits, only slower (its vectors are split or spilled).
        public static let native: MicroTile = {
            #if ORCHARD_AVX512
            return .avx512
            #else
            return .avx2
            #endif
        }()
    }

    /// Rows of A packed at a time: 96 rows × 1,024 deep stays in L2 while the B panels stream from L1 (a whole
    /// number of micro-tiles of either shape).
    public static let rowBlock = 96
    static let maxDepthBlock = MicroTile.allCases.map(\.depthBlock).max()!
    static let aScratchPerWorker = (rowBlock + MicroTile.allCases.map(\.rows).max()!) * maxDepthBlock

    public let tile: MicroTile
    let packedB: UnsafeMutablePointer<Float>
    public let packedCapacity: Int
    let aScratch: UnsafeMutablePointer<Float>
    public let workers: Int
    // Shape of the B currently packed.
    private(set) var n = 0, k = 0

    /// A workspace for products whose packed B holds up to `packedCapacity(n:k:tile:)` floats, run by up to
    /// `workers` threads with micro-tile `tile`.
    public init(capacity: Int, workers: Int, tile: MicroTile = .native) {
        precondition(capacity >= 0 && workers >= 1)
        packedCapacity = capacity
        self.workers = workers
        self.tile = tile
        packedB = .allocate(capacity: Swift.max(1, capacity))
        packedB.initialize(repeating: 0, count: Swift.max(1, capacity))
        aScratch = .allocate(capacity: workers * Self.aScratchPerWorker)
        aScratch.initialize(repeating: 0, count: workers * Self.aScratchPerWorker)
    }

    deinit { packedB.deallocate(); aScratch.deallocate() }

    /// Floats a packed k×n matrix takes: n rounded up to whole panels of the tile's width (the padding is zero).
    public static func packedCapacity(n: Int, k: Int, tile: MicroTile = .native) -> Int {
        (n + tile.width - 1) / tile.width * tile.width * k
    }

    /// Floats a Linear layer (out, in) needs packed: its weightᵀ for the forward, its weight for the input gradient.
    public static func linearCapacity(outChannels: Int, inChannels: Int, tile: MicroTile = .native) -> Int {
        Swift.max(packedCapacity(n: outChannels, k: inChannels, tile: tile),
                  packedCapacity(n: inChannels, k: outChannels, tile: tile))
    }

    /// Packs B = weightᵀ for a weight stored (n, k) row-major, as nn.Linear's (out, in): out = inp · weightᵀ.
    /// `ld` is the weight's row stride (k when nil; attention's keys sit 3C apart in the fused qkv rows).
    public func packTransposed(weight: UnsafePointer<Float>, n: Int, k: Int, ld: Int? = nil, threads: ComputeThreads) {
        let panelWidth = tile.width, ld = ld ?? k
        packPanels(n: n, k: k, threads: threads) { panel, col, width in
            // k outermost: each step reads one float from each of `width` rows, so the rows' cache misses overlap
            // (row by row, a strided source such as attention's keys would wait on one miss at a time).
            for kk in 0..<k {
                let dst = panel + kk * panelWidth, src = weight + col * ld + kk
                for j in 0..<width { dst[j] = src[j * ld] }
                for j in width..<panelWidth { dst[j] = 0 }
            }
        }
    }

    /// Packs B = weight for a weight stored (k, n) row-major, rows `ld` apart (n when nil): dinp = dout · weight.
    public func pack(weight: UnsafePointer<Float>, k: Int, n: Int, ld: Int? = nil, threads: ComputeThreads) {
        let panelWidth = tile.width, ld = ld ?? n
        packPanels(n: n, k: k, threads: threads) { panel, col, width in
            for kk in 0..<k {
                let dst = panel + kk * panelWidth, src = weight + kk * ld + col
                if width == panelWidth {
                    // Whole panel rows as vectors: a memmove call per 16 or 32 floats costs more than the copy.
                    var j = 0
                    while j < panelWidth { store16(load16(src + j), dst + j); j += 16 }
                } else {
                    for j in 0..<width { dst[j] = src[j] }
                    for j in width..<panelWidth { dst[j] = 0 }
                }
            }
        }
    }

    /// Runs `fill(panel, firstColumn, width)` for every panel of a k×n B, panels split over the threads; columns
    /// from `width` to the tile's width are padding that `fill` must zero.
    private func packPanels(n: Int, k: Int, threads: ComputeThreads,
                            _ fill: (_ panel: UnsafeMutablePointer<Float>, _ column: Int, _ width: Int) -> Void) {
        let needed = Self.packedCapacity(n: n, k: k, tile: tile)
        precondition(n >= 1 && k >= 1 && needed <= packedCapacity,
                     "packed GEMM workspace holds \(packedCapacity) floats, \(n)×\(k) needs \(needed)")
        self.n = n; self.k = k
        let panelWidth = tile.width, panels = (n + panelWidth - 1) / panelWidth
        threads.parallelChunks(panels) { range in
            for p in range {
                let column = p * panelWidth
                fill(packedB + p * k * panelWidth, column, Swift.min(panelWidth, n - column))
            }
        }
    }

    /// What a product is added to.
    public enum Addend {
        /// Nothing: C = A·B.
        case none
        /// C's own contents: C += A·B.
        case output
        /// A bias row (n floats) under every row: C = bias + A·B.
        case bias(UnsafePointer<Float>)
        /// A residual laid out like C (ldc apart; it may be C itself) and an optional bias row:
        /// C = (residual + bias) + A·B, the same bits as adding them in a pass before the product.
        case residual(UnsafePointer<Float>, bias: UnsafePointer<Float>?)
    }

    /// Rows `rows` of C (ldc apart) = rows of A (lda apart) · the packed B + `addend`. The addend is folded into
    /// the accumulators' start, so C is written once instead of being filled in a pass of its own first.
    /// Called from a thread's own tile; `worker` picks its A scratch, so tiles of different workers may run at once.
    ///
    /// For products with structure (causal attention), three options narrow the product:
    /// - `depth`: only k in this range is summed (A's columns and B's rows there; all of k when nil). The sum still
    ///   starts at the addend and runs in ascending k.
    /// - `columns`: at least C's columns 0..<columns are computed (all n when nil); the last panel they touch is
    ///   computed whole, so columns up to the next multiple of the tile's width (at most n) may be written too.
    /// - `transposedA`: A is given by columns: its element (i, kk) is at a[kk·lda + i] (a transposed matrix).
    public func multiply(rows: Range<Int>, worker: Int, a: UnsafePointer<Float>, lda: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, addend: Addend,
                         depth: Range<Int>? = nil, columns: Int? = nil, transposedA: Bool = false) {
        precondition(worker >= 0 && worker < workers, "worker \(worker) of a \(workers)-worker packed GEMM workspace")
        let depth = depth ?? 0..<k, columns = columns ?? n
        precondition(depth.lowerBound >= 0 && depth.upperBound <= k && columns >= 0 && columns <= n,
                     "depth \(depth) or columns \(columns) outside the packed \(k)×\(n)")
        let scratch = aScratch + worker * Self.aScratchPerWorker
        switch tile {
        case .avx2:
            multiply(Tile6x16.self, rows: rows, scratch: scratch, a: a, lda: lda, c: c, ldc: ldc, addend: addend,
                     depth: depth, columns: columns, transposedA: transposedA)
        case .avx512:
            multiply(Tile12x32.self, rows: rows, scratch: scratch, a: a, lda: lda, c: c, ldc: ldc, addend: addend,
                     depth: depth, columns: columns, transposedA: transposedA)
        }
    }

    /// The blocked loop for one micro-tile shape (specialised per shape, so its sizes are constants).
    @inline(__always)
    private func multiply<T: MicroKernel>(_: T.Type, rows: Range<Int>, scratch: UnsafeMutablePointer<Float>,
                                          a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                          addend: Addend, depth: Range<Int>, columns: Int, transposedA: Bool) {
        let n = self.n, k = self.k
        var m0 = rows.lowerBound
        while m0 < rows.upperBound {
            let mb = Swift.min(Self.rowBlock, rows.upperBound - m0)
            var k0 = depth.lowerBound
            repeat {   // at least once: an empty depth range still writes the addend
                let kc = Swift.min(T.depthBlock, depth.upperBound - k0)
                if transposedA {
                    T.packColumns(a + k0 * lda + m0, lda: lda, m: mb, k: kc, into: scratch)
                } else {
                    T.packRows(a + m0 * lda + k0, lda: lda, m: mb, k: kc, into: scratch)
                }
                var n0 = 0
                while n0 < columns {
                    let panel = UnsafePointer(packedB) + n0 * k + k0 * T.width
                    let width = Swift.min(T.width, n - n0)
                    var i0 = 0
                    while i0 < mb {
                        let height = Swift.min(T.rows, mb - i0)
                        let cTile = c + (m0 + i0) * ldc + n0
                        // After the first depth block the sum so far is in C.
                        let start = k0 > depth.lowerBound ? TileStart(rows: cTile, stride: ldc, bias: nil)
                            : TileStart(addend, row: m0 + i0, column: n0, c: cTile, ldc: ldc)
                        if height == T.rows && width == T.width {
                            T.kernel(kc: kc, a: scratch + i0 * kc, b: panel, c: cTile, ldc: ldc, start: start)
                        } else {
                            edgeKernel(T.self, kc: kc, a: scratch + i0 * kc, b: panel, c: cTile, ldc: ldc, start: start,
                                       height: height, width: width)
                        }
                        i0 += T.rows
                    }
                    n0 += T.width
                }
                k0 += kc
            } while k0 < depth.upperBound
            m0 += mb
        }
    }

    /// The same for a micro-tile cut by the edge of C (fewer rows or columns than the tile): the full tile is
    /// computed in a local buffer (A's padding rows and B's padding columns are zero) and only C's part is copied,
    /// so every element gets exactly the sum the full kernel would give it.
    @inline(never)
    private func edgeKernel<T: MicroKernel>(_: T.Type, kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                            c: UnsafeMutablePointer<Float>, ldc: Int, start: TileStart,
                                            height: Int, width: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: T.rows * T.width) { tile in
            let t = tile.baseAddress!
            t.update(repeating: 0, count: T.rows * T.width)
            for r in 0..<height {
                for j in 0..<width { t[r * T.width + j] = start.value(row: r, column: j) }
            }
            T.kernel(kc: kc, a: a, b: b, c: t, ldc: T.width, start: TileStart(rows: t, stride: T.width, bias: nil))
            for r in 0..<height { (c + r * ldc).update(from: t + r * T.width, count: width) }
        }
    }
}

/// Where a micro-tile's accumulators start: rows (`stride` apart) plus a bias row, either of them, or zero.
struct TileStart {
    var rows: UnsafePointer<Float>?
    var stride: Int
    var bias: UnsafePointer<Float>?

    init(rows: UnsafePointer<Float>?, stride: Int, bias: UnsafePointer<Float>?) {
        self.rows = rows; self.stride = stride; self.bias = bias
    }

    /// The start of the micro-tile at (row, column) of C for a product's addend.
    @inline(__always)
    init(_ addend: PackedGEMM.Addend, row: Int, column: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        switch addend {
        case .none: self.init(rows: nil, stride: 0, bias: nil)
        case .output: self.init(rows: c, stride: ldc, bias: nil)
        case .bias(let bias): self.init(rows: nil, stride: 0, bias: bias + column)
        case .residual(let residual, let bias):
            self.init(rows: residual + row * ldc + column, stride: ldc, bias: bias.map { $0 + column })
        }
    }

    /// Element (r, j): rows[r][j] + bias[j] (one rounding, as a separate pass would do), rows[r][j], bias[j] or 0.
    @inline(__always)
    func value(row r: Int, column j: Int) -> Float {
        if let rows {
            if let bias { return rows[r * stride + j] + bias[j] }
            return rows[r * stride + j]
        }
        return bias?[j] ?? 0
    }

    @inline(__always)
    func vector8(row r: Int, column j: Int) -> SIMD8<Float> { vector(row: r, column: j) }

    @inline(__always)
    func vector16(row r: Int, column j: Int) -> SIMD16<Float> { vector(row: r, column: j) }

    /// `value(row:column:)` for the vector of columns j ..< j + V.scalarCount.
    @inline(__always)
    private func vector<V: SIMD>(row r: Int, column j: Int) -> V where V.Scalar == Float {
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
        if let rows {
            if let bias { return load(rows + r * stride + j) + load(bias + j) }
            return load(rows + r * stride + j)
        }
        if let bias { return load(bias + j) }
        return V()
    }
}

/// One micro-tile shape: its kernel (C[0..<rows][0..<width], ldc apart, = start + Σ_k a[k][r]·b[k][j] with a
/// packed [k][rows] and b packed [k][width]) and the packing of A that feeds it. Every C element is one
/// multiply-add chain in ascending k (fused where the build has FMA, see multiplyAdd), so both shapes give the
/// same bits.
protocol MicroKernel {
    static var rows: Int { get }
    static var width: Int { get }
    static var depthBlock: Int { get }
    static func kernel(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                       ldc: Int, start: TileStart)
    /// Copies m rows × k of A into micro-panels of `rows` rows, [panel][k][rows]; a last partial panel is padded
    /// with zero rows.
    static func packRows(_ a: UnsafePointer<Float>, lda: Int, m: Int, k: Int, into p: UnsafeMutablePointer<Float>)
}

extension MicroKernel {
    /// packRows for a transposed A: row i of A is column i of `a` (element (i, kk) at a[kk·lda + i]), so each
    /// micro-panel step copies `rows` consecutive floats.
    @inline(__always)
    static func packColumns(_ a: UnsafePointer<Float>, lda: Int, m: Int, k: Int, into p: UnsafeMutablePointer<Float>) {
        var i0 = 0
        while i0 < m {
            let height = Swift.min(rows, m - i0), panel = p + i0 * k
            for kk in 0..<k {
                let q = panel + kk * rows, src = a + kk * lda + i0
                if height == rows {
                    for r in 0..<rows { q[r] = src[r] }
                } else {
                    for r in 0..<rows { q[r] = r < height ? src[r] : 0 }
                }
            }
            i0 += rows
        }
    }

    /// Rows of a last partial micro-panel, zero-padded to `rows` (at most once per row block).
    @inline(__always)
    static func packPartialPanel(_ a: UnsafePointer<Float>, lda: Int, height: Int, k: Int,
                                 into panel: UnsafeMutablePointer<Float>) {
        for kk in 0..<k {
            for r in 0..<rows { panel[kk * rows + r] = r < height ? a[r * lda + kk] : 0 }
        }
    }
}

/// 6 × 16: twelve SIMD8 accumulators; the inner loop is 2 loads, 6 broadcasts, 12 FMAs.
enum Tile6x16: MicroKernel {
    static var rows: Int { 6 }
    static var width: Int { 16 }
    static var depthBlock: Int { PackedGEMM.MicroTile.avx2.depthBlock }

    @inline(__always)
    static func packRows(_ a: UnsafePointer<Float>, lda: Int, m: Int, k: Int, into p: UnsafeMutablePointer<Float>) {
        var i0 = 0
        while i0 + 6 <= m {
            let panel = p + i0 * k
            let r0 = a + i0 * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
            for kk in 0..<k {
                let q = panel + kk * 6
                q[0] = r0[kk]; q[1] = r1[kk]; q[2] = r2[kk]; q[3] = r3[kk]; q[4] = r4[kk]; q[5] = r5[kk]
            }
            i0 += 6
        }
        if i0 < m { packPartialPanel(a + i0 * lda, lda: lda, height: m - i0, k: k, into: p + i0 * k) }
    }

    @inline(__always)
    static func kernel(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                       ldc: Int, start s: TileStart) {
        var c00 = s.vector8(row: 0, column: 0), c01 = s.vector8(row: 0, column: 8)
        var c10 = s.vector8(row: 1, column: 0), c11 = s.vector8(row: 1, column: 8)
        var c20 = s.vector8(row: 2, column: 0), c21 = s.vector8(row: 2, column: 8)
        var c30 = s.vector8(row: 3, column: 0), c31 = s.vector8(row: 3, column: 8)
        var c40 = s.vector8(row: 4, column: 0), c41 = s.vector8(row: 4, column: 8)
        var c50 = s.vector8(row: 5, column: 0), c51 = s.vector8(row: 5, column: 8)
        var ap = a, bp = b
        for _ in 0..<kc {
            let b0 = load8(bp), b1 = load8(bp + 8)
            var x = SIMD8<Float>(repeating: ap[0]); multiplyAdd(&c00, x, b0); multiplyAdd(&c01, x, b1)
            x = SIMD8<Float>(repeating: ap[1]); multiplyAdd(&c10, x, b0); multiplyAdd(&c11, x, b1)
            x = SIMD8<Float>(repeating: ap[2]); multiplyAdd(&c20, x, b0); multiplyAdd(&c21, x, b1)
            x = SIMD8<Float>(repeating: ap[3]); multiplyAdd(&c30, x, b0); multiplyAdd(&c31, x, b1)
            x = SIMD8<Float>(repeating: ap[4]); multiplyAdd(&c40, x, b0); multiplyAdd(&c41, x, b1)
            x = SIMD8<Float>(repeating: ap[5]); multiplyAdd(&c50, x, b0); multiplyAdd(&c51, x, b1)
            ap += 6; bp += 16
        }
        store8(c00, c); store8(c01, c + 8); store8(c10, c + ldc); store8(c11, c + ldc + 8)
        store8(c20, c + 2 * ldc); store8(c21, c + 2 * ldc + 8); store8(c30, c + 3 * ldc); store8(c31, c + 3 * ldc + 8)
        store8(c40, c + 4 * ldc); store8(c41, c + 4 * ldc + 8); store8(c50, c + 5 * ldc); store8(c51, c + 5 * ldc + 8)
    }
}

/// 12 × 32: twenty-four SIMD16 accumulators (a zmm register each on AVX-512); the inner loop is 2 loads,
/// 12 broadcasts, 24 FMAs.
enum Tile12x32: MicroKernel {
    static var rows: Int { 12 }
    static var width: Int { 32 }
    static var depthBlock: Int { PackedGEMM.MicroTile.avx512.depthBlock }

    @inline(__always)
    static func packRows(_ a: UnsafePointer<Float>, lda: Int, m: Int, k: Int, into p: UnsafeMutablePointer<Float>) {
        var i0 = 0
        while i0 + 12 <= m {
            let panel = p + i0 * k
            let r0 = a + i0 * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
            let r6 = r5 + lda, r7 = r6 + lda, r8 = r7 + lda, r9 = r8 + lda, r10 = r9 + lda, r11 = r10 + lda
            for kk in 0..<k {
                let q = panel + kk * 12
                q[0] = r0[kk]; q[1] = r1[kk]; q[2] = r2[kk]; q[3] = r3[kk]; q[4] = r4[kk]; q[5] = r5[kk]
                q[6] = r6[kk]; q[7] = r7[kk]; q[8] = r8[kk]; q[9] = r9[kk]; q[10] = r10[kk]; q[11] = r11[kk]
            }
            i0 += 12
        }
        if i0 < m { packPartialPanel(a + i0 * lda, lda: lda, height: m - i0, k: k, into: p + i0 * k) }
    }

    @inline(__always)
    static func kernel(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                       ldc: Int, start s: TileStart) {
        var c00 = s.vector16(row: 0, column: 0), c01 = s.vector16(row: 0, column: 16)
        var c10 = s.vector16(row: 1, column: 0), c11 = s.vector16(row: 1, column: 16)
        var c20 = s.vector16(row: 2, column: 0), c21 = s.vector16(row: 2, column: 16)
        var c30 = s.vector16(row: 3, column: 0), c31 = s.vector16(row: 3, column: 16)
        var c40 = s.vector16(row: 4, column: 0), c41 = s.vector16(row: 4, column: 16)
        var c50 = s.vector16(row: 5, column: 0), c51 = s.vector16(row: 5, column: 16)
        var c60 = s.vector16(row: 6, column: 0), c61 = s.vector16(row: 6, column: 16)
        var c70 = s.vector16(row: 7, column: 0), c71 = s.vector16(row: 7, column: 16)
        var c80 = s.vector16(row: 8, column: 0), c81 = s.vector16(row: 8, column: 16)
        var c90 = s.vector16(row: 9, column: 0), c91 = s.vector16(row: 9, column: 16)
        var ca0 = s.vector16(row: 10, column: 0), ca1 = s.vector16(row: 10, column: 16)
        var cb0 = s.vector16(row: 11, column: 0), cb1 = s.vector16(row: 11, column: 16)
        var ap = a, bp = b
        for _ in 0..<kc {
            let b0 = load16(bp), b1 = load16(bp + 16)
            var x = SIMD16<Float>(repeating: ap[0]); multiplyAdd(&c00, x, b0); multiplyAdd(&c01, x, b1)
            x = SIMD16<Float>(repeating: ap[1]); multiplyAdd(&c10, x, b0); multiplyAdd(&c11, x, b1)
            x = SIMD16<Float>(repeating: ap[2]); multiplyAdd(&c20, x, b0); multiplyAdd(&c21, x, b1)
            x = SIMD16<Float>(repeating: ap[3]); multiplyAdd(&c30, x, b0); multiplyAdd(&c31, x, b1)
            x = SIMD16<Float>(repeating: ap[4]); multiplyAdd(&c40, x, b0); multiplyAdd(&c41, x, b1)
            x = SIMD16<Float>(repeating: ap[5]); multiplyAdd(&c50, x, b0); multiplyAdd(&c51, x, b1)
            x = SIMD16<Float>(repeating: ap[6]); multiplyAdd(&c60, x, b0); multiplyAdd(&c61, x, b1)
            x = SIMD16<Float>(repeating: ap[7]); multiplyAdd(&c70, x, b0); multiplyAdd(&c71, x, b1)
            x = SIMD16<Float>(repeating: ap[8]); multiplyAdd(&c80, x, b0); multiplyAdd(&c81, x, b1)
            x = SIMD16<Float>(repeating: ap[9]); multiplyAdd(&c90, x, b0); multiplyAdd(&c91, x, b1)
            x = SIMD16<Float>(repeating: ap[10]); multiplyAdd(&ca0, x, b0); multiplyAdd(&ca1, x, b1)
            x = SIMD16<Float>(repeating: ap[11]); multiplyAdd(&cb0, x, b0); multiplyAdd(&cb1, x, b1)
            ap += 12; bp += 32
        }
        store16(c00, c); store16(c01, c + 16); store16(c10, c + ldc); store16(c11, c + ldc + 16)
        store16(c20, c + 2 * ldc); store16(c21, c + 2 * ldc + 16); store16(c30, c + 3 * ldc); store16(c31, c + 3 * ldc + 16)
        store16(c40, c + 4 * ldc); store16(c41, c + 4 * ldc + 16); store16(c50, c + 5 * ldc); store16(c51, c + 5 * ldc + 16)
        store16(c60, c + 6 * ldc); store16(c61, c + 6 * ldc + 16); store16(c70, c + 7 * ldc); store16(c71, c + 7 * ldc + 16)
        store16(c80, c + 8 * ldc); store16(c81, c + 8 * ldc + 16); store16(c90, c + 9 * ldc); store16(c91, c + 9 * ldc + 16)
        store16(ca0, c + 10 * ldc); store16(ca1, c + 10 * ldc + 16); store16(cb0, c + 11 * ldc); store16(cb1, c + 11 * ldc + 16)
    }
}

/// acc + x·y: one fused multiply-add where the build targets a CPU with FMA (ORCHARD_NATIVE_FMA, set with
/// ORCHARD_TARGET_CPU), else a multiply and an add: without the instruction LLVM would call libm's fmaf per lane.
@_transparent
func multiplyAdd<V: SIMD>(_ acc: inout V, _ x: V, _ y: V) where V.Scalar: FloatingPoint {
    #if ORCHARD_NATIVE_FMA
    acc.addProduct(x, y)
    #else
    acc += x * y
    #endif
}

/// Which GEMM computes a model's projections (forward and input gradients; weight gradients always use OpenBLAS)
/// and its attention products.
public enum GEMMKernel: String, Sendable, CaseIterable {
    /// OpenBLAS for every product (sgemm per row tile).
    case openBLAS = "openblas"
    /// The engine's PackedGEMM: each weight packed once per product and shared by the threads.
    case packed

    /// `ORCHARD_GEMM=openblas|packed` when set (benchmarks compare both in one binary); else `packed` in builds for a
    /// CPU with FMA whose OpenBLAS kernel is not AVX-512, `openBLAS` otherwise. Without FMA the kernel does two
    /// roundings and half the work per instruction. Where OpenBLAS runs 16-wide AVX-512 kernels it stays the default:
    /// the 6×16 tile is slower than them there, and the 12×32 tile of AVX-512 builds runs only with
    /// `ORCHARD_GEMM=packed` until it has been measured against them (docs/performance.md, "Kernels").
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
