/// Fully connected layer, weight stored (out, in) row-major like PyTorch's nn.Linear.
/// Large GEMMs are split by rows across the model's threads (OpenBLAS itself stays single-threaded). With a
/// `packed` workspace the forward and input-gradient products run on PackedGEMM: the weight is packed once per
/// call and shared, then the threads claim row tiles as with OpenBLAS. Weight gradients always use OpenBLAS.
public enum Linear {
    /// Smallest row tile the threads claim for out = inp · Wᵀ and dinp = dout · W on OpenBLAS. Every tile is a
    /// separate OpenBLAS call that packs the whole weight again, so tiles stay large enough for that to be cheap.
    static let rowTile = 64

    /// out (N, OC) = inp (N, C) · weightᵀ (C, OC) + bias (OC) [+ residual (N, OC)].
    /// A residual is added while the rows are initialised (residual + bias, then the GEMM accumulates onto
    /// it), which saves the separate read-modify-write pass of a residual connection; out may alias residual.
    /// The packed kernel starts its accumulators there instead of filling out first (the same bits).
    /// `beforeTile(rows)` runs on the thread of a row tile before its GEMM (to produce those rows of inp, e.g. a
    /// LayerNorm), `afterTile(rows)` after it (to consume those rows of out, e.g. GELU) while they are in cache,
    /// which also saves the separate parallel regions; both must touch only their rows.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               residual: UnsafePointer<Float>? = nil,
                               n: Int, inChannels c: Int, outChannels oc: Int, threads: ComputeThreads,
                               packed: PackedGEMM? = nil,
                               beforeTile: (_ rows: Range<Int>) -> Void = { _ in },
                               afterTile: (_ rows: Range<Int>) -> Void = { _ in }) {
        packed?.packTransposed(weight: weight, n: oc, k: c, threads: threads)
        let accumulate = bias != nil || residual != nil
        threads.parallelTiles(n, minimumTile: tileRows(packed), granule: tileGranule(packed)) { worker, rows in
            beforeTile(rows)
            if let packed {
                // The packed kernel starts its accumulators at residual + bias: C is written once.
                let addend: PackedGEMM.Addend = residual.map { .residual($0, bias: bias) } ?? bias.map { .bias($0) } ?? .none
                packed.multiply(rows: rows, worker: worker, a: inp, lda: c, c: out, ldc: oc, addend: addend)
            } else {
                let o = out + rows.lowerBound * oc
                switch (bias, residual) {
                case let (bias?, residual?):
                    for r in 0..<rows.count {
                        Elementwise.add(out: o + r * oc, residual + (rows.lowerBound + r) * oc, bias, count: oc)
                    }
                case let (bias?, nil):
                    for r in 0..<rows.count { (o + r * oc).update(from: bias, count: oc) }
                case let (nil, residual?):
                    if UnsafePointer(o) != residual + rows.lowerBound * oc {
                        o.update(from: residual + rows.lowerBound * oc, count: rows.count * oc)
                    }
                case (nil, nil):
                    break
                }
                sgemm(transB: true, m: rows.count, n: oc, k: c, a: inp + rows.lowerBound * c, lda: c,
                      b: weight, ldb: c, beta: accumulate ? 1 : 0, c: o, ldc: oc)
            }
            afterTile(rows)
        }
    }

    /// Row tiles for the packed kernel: whole micro-tiles (6 or 12 rows), and smaller than OpenBLAS's since a tile
    /// no longer packs the weight (only its own rows).
    static let packedRowTile = 48

    @inline(__always)
    static func tileRows(_ packed: PackedGEMM?) -> Int { packed == nil ? rowTile : packedRowTile }

    @inline(__always)
    static func tileGranule(_ packed: PackedGEMM?) -> Int { packed?.tile.rows ?? 16 }

    /// Given dout (N, OC): dinp (N, C) = dout · weight (overwritten, skipped when nil);
    /// dweight (OC, C) += doutᵀ · inp; dbias (OC) += column sums of dout.
    /// One parallel region: every thread first computes its static share of dweight (and dbias), then the threads
    /// claim row tiles of dinp, which absorbs the imbalance of the static shares. `afterTile(rows)` runs on the
    /// thread of a dinp tile right after it (e.g. the backward of the GELU or LayerNorm that fed this layer) and
    /// must touch only those rows, and nothing the weight gradient reads.
    public static func backward(dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
                                dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                                inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                n: Int, inChannels c: Int, outChannels oc: Int, threads: ComputeThreads,
                                packed: PackedGEMM? = nil,
                                afterTile: (_ rows: Range<Int>) -> Void = { _ in }) {
        let workers = threads.count
        // dweight = doutᵀ · inp is split statically along its larger side: every thread packs the whole operand of
        // the side that is not split (inp when splitting output channels, dout when splitting input channels), so
        // splitting the larger side duplicates the smaller operand (mlp.c_proj: dout, 4x smaller). Claimed tiles
        // would pack that K = N operand once per tile, so the shares stay static (docs/performance.md, session 4).
        func weightGradientShare(_ w: Int) {
            let outs = ComputeThreads.chunk(w, of: workers, oc)
            if oc >= c {
                // This thread owns a block of output channels: rows of dweight and entries of dbias.
                guard !outs.isEmpty else { return }
                sgemm(transA: true, m: outs.count, n: c, k: n, a: dout + outs.lowerBound, lda: oc,
                      b: inp, ldb: c, beta: 1, c: dweight + outs.lowerBound * c, ldc: c)
            } else {
                // This thread owns a block of input channels: columns of dweight (and still a block of dbias).
                let ins = ComputeThreads.chunk(w, of: workers, c)
                if !ins.isEmpty {
                    sgemm(transA: true, m: oc, n: ins.count, k: n, a: dout, lda: oc,
                          b: inp + ins.lowerBound, ldb: c, beta: 1, c: dweight + ins.lowerBound, ldc: c)
                }
            }
            if let dbias, !outs.isEmpty {
                columnSums(add: dbias + outs.lowerBound, rows: dout + outs.lowerBound, n: n, width: outs.count, stride: oc)
            }
        }
        if let dinp {
            packed?.pack(weight: weight, k: oc, n: c, threads: threads)
            threads.parallelTiles(n, minimumTile: tileRows(packed), granule: tileGranule(packed),
                                  eachWorkerFirst: weightGradientShare) { worker, rows in
                if let packed {
                    packed.multiply(rows: rows, worker: worker, a: dout, lda: oc, c: dinp, ldc: c, addend: .none)
                } else {
                    sgemm(m: rows.count, n: c, k: oc, a: dout + rows.lowerBound * oc, lda: oc,
                          b: weight, ldb: c, beta: 0, c: dinp + rows.lowerBound * c, ldc: c)
                }
                afterTile(rows)
            }
        } else {
            threads.parallelFor(workers) { _, w in weightGradientShare(w) }
        }
    }

    /// sums[j] += Σ_row rows[row·stride + j] for j < width. Columns go 64 at a time through four SIMD16
    /// accumulators, so each output is loaded and stored once instead of once per row.
    @inline(__always)
    static func columnSums(add sums: UnsafeMutablePointer<Float>, rows: UnsafePointer<Float>, n: Int, width: Int, stride: Int) {
        var j = 0
        while j + 64 <= width {
            var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
            for row in 0..<n {
                let d = rows + row * stride + j
                s0 += load16(d); s1 += load16(d + 16); s2 += load16(d + 32); s3 += load16(d + 48)
            }
            store16(load16(sums + j) + s0, sums + j); store16(load16(sums + j + 16) + s1, sums + j + 16)
            store16(load16(sums + j + 32) + s2, sums + j + 32); store16(load16(sums + j + 48) + s3, sums + j + 48)
            j += 64
        }
        while j < width {
            var s: Float = 0
            for row in 0..<n { s += rows[row * stride + j] }
            sums[j] += s
            j += 1
        }
    }
}
