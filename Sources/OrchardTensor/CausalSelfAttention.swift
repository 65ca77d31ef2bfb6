/// Causal multi-head self-attention core (after the fused qkv projection, before the output projection).
/// qkv (B, T, 3C) holds [q | k | v] per position, head h at columns h·hs..<(h+1)·hs of each part.
/// Work is split across threads by (batch, head), claimed as threads become free; each pair runs its products on
/// one thread, with OpenBLAS or, given one PackedGEMM workspace per worker (`gemms`), on the engine's micro-kernel.
/// The products skip the masked upper triangle: with OpenBLAS rows are taken in blocks of `causalBlock`, with the
/// packed kernel in micro-tiles (6 or 12 rows), and a block of query rows ending at r1 only meets keys 0..<r1 (and
/// the transposed products only rows ≥ the block's start). With T = 128 that is 5/8 of the full products' work
/// on OpenBLAS, 52-58 % on the AVX2 tile (scores are computed in whole 16-column panels); the skipped terms are
/// exact zeros.
/// Why the packed path: each OpenBLAS call here is small (32 rows × 64–128), and OpenBLAS zeroes C (beta = 0) and
/// packs both operands on every call, a fixed cost these products are too small to amortise; the packed path packs
/// one operand per product into the worker's workspace and writes C once. Measured effect: docs/performance.md.
public enum CausalSelfAttention {
    /// Rows per causal block: small enough to skip most of the triangle, large enough for BLAS to stay efficient.
    static let causalBlock = 32

    /// Calls body(r0, r1) for the row blocks of 0..<t, `size` rows each (the last may be shorter).
    @inline(__always)
    static func causalBlocks(_ t: Int, size: Int = causalBlock, _ body: (_ r0: Int, _ r1: Int) -> Void) {
        var r0 = 0
        while r0 < t {
            let r1 = Swift.min(t, r0 + size)
            body(r0, r1)
            r0 = r1
        }
    }

    /// Runs body(worker, bh, q) for every (batch, head) pair bh = b·heads + h, claimed by the threads as they become
    /// free; q is the pair's first query (its keys start at q + C, its values at q + 2C, rows 3C apart).
    @inline(__always)
    static func forEachPair(batch: Int, heads: Int, length t: Int, channels c: Int, qkv: UnsafePointer<Float>,
                            threads: ComputeThreads, _ body: (_ worker: Int, _ bh: Int, _ q: UnsafePointer<Float>) -> Void) {
        let hs = c / heads
        threads.parallelTiles(batch * heads, minimumTile: 1) { worker, pairs in
            for bh in pairs { body(worker, bh, qkv + (bh / heads) * t * 3 * c + (bh % heads) * hs) }
        }
    }

    /// Floats one worker's PackedGEMM needs for sequences up to `length` with `headSize` channels per head.
    public static func packedCapacity(length t: Int, headSize hs: Int, tile: PackedGEMM.MicroTile = .native) -> Int {
        Swift.max(PackedGEMM.packedCapacity(n: t, k: hs, tile: tile), PackedGEMM.packedCapacity(n: hs, k: t, tile: tile))
    }

    /// out (B, T, C); att (B, H, T, T) saves the probabilities (zero above the diagonal) for backward.
    /// `gemms`: one workspace per thread (capacity `packedCapacity`) to run the products on PackedGEMM.
    public static func forward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                               qkv: UnsafePointer<Float>, batch: Int, length t: Int, channels c: Int, heads: Int,
                               threads: ComputeThreads, gemms: [PackedGEMM]? = nil) {
        if let gemms {
            precondition(gemms.count >= threads.count, "\(gemms.count) attention workspaces for \(threads.count) threads")
            return packedForward(out: out, att: att, qkv: qkv, batch: batch, length: t, channels: c, heads: heads,
                                 threads: threads, gemms: gemms)
        }
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        forEachPair(batch: batch, heads: heads, length: t, channels: c, qkv: qkv, threads: threads) { _, bh, q in
            let k = q + c, v = q + 2 * c
            let a = att + bh * t * t
            causalBlocks(t) { r0, r1 in   // scores of rows r0..<r1 against keys 0..<r1
                sgemm(transB: true, m: r1 - r0, n: r1, k: hs, alpha: scale, a: q + r0 * c3, lda: c3, b: k, ldb: c3,
                      beta: 0, c: a + r0 * t, ldc: t)
            }
            softmaxForward(att: a, length: t, inputScale: 1)   // OpenBLAS applied the scale (alpha)
            let o = out + (bh / heads) * t * c + (bh % heads) * hs
            causalBlocks(t) { r0, r1 in   // out rows r0..<r1 = att[r0..<r1, 0..<r1] · v[0..<r1]
                sgemm(m: r1 - r0, n: hs, k: r1, a: a + r0 * t, lda: t, b: v, ldb: c3, beta: 0, c: o + r0 * c, ldc: c)
            }
        }
    }

    /// dqkv (B, T, 3C) is overwritten. scratch must hold threads.count · T · T floats.
    public static func backward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                batch: Int, length t: Int, channels c: Int, heads: Int, threads: ComputeThreads,
                                gemms: [PackedGEMM]? = nil) {
        if let gemms {
            precondition(gemms.count >= threads.count, "\(gemms.count) attention workspaces for \(threads.count) threads")
            return packedBackward(dqkv: dqkv, dout: dout, qkv: qkv, att: att, scratch: scratch, batch: batch, length: t,
                                  channels: c, heads: heads, threads: threads, gemms: gemms)
        }
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        forEachPair(batch: batch, heads: heads, length: t, channels: c, qkv: qkv, threads: threads) { worker, bh, q in
            let k = q + c, v = q + 2 * c
            let dq = dqkv + (q - qkv), dk = dq + c, dv = dq + 2 * c
            let a = att + bh * t * t, d = dout + (bh / heads) * t * c + (bh % heads) * hs
            let datt = scratch + worker * t * t
            causalBlocks(t) { r0, r1 in
                // datt rows r0..<r1 against keys 0..<r1 (softmax backward zero-fills the rest of each row).
                sgemm(transB: true, m: r1 - r0, n: r1, k: hs, a: d + r0 * c, lda: c, b: v, ldb: c3, beta: 0,
                      c: datt + r0 * t, ldc: t)
                // dv rows r0..<r1 = att[r0..<t, r0..<r1]ᵀ · dout[r0..<t]: queries before r0 never see these keys.
                sgemm(transA: true, m: r1 - r0, n: hs, k: t - r0, a: a + r0 * t + r0, lda: t, b: d + r0 * c, ldb: c,
                      beta: 0, c: dv + r0 * c3, ldc: c3)
            }
            softmaxBackward(datt: datt, att: a, length: t, scale: scale)
            causalBlocks(t) { r0, r1 in
                // dq rows r0..<r1 = dpre[r0..<r1, 0..<r1] · k[0..<r1]
                sgemm(m: r1 - r0, n: hs, k: r1, a: datt + r0 * t, lda: t, b: k, ldb: c3, beta: 0, c: dq + r0 * c3, ldc: c3)
                // dk rows r0..<r1 = dpre[r0..<t, r0..<r1]ᵀ · q[r0..<t]
                sgemm(transA: true, m: r1 - r0, n: hs, k: t - r0, a: datt + r0 * t + r0, lda: t, b: q + r0 * c3, ldb: c3,
                      beta: 0, c: dk + r0 * c3, ldc: c3)
            }
        }
    }

    /// In place over att (T, T): row i = softmax(inputScale · scores[i, 0...i]), zero above the diagonal (backward's
    /// products read those zeros).
    @inline(__always)
    static func softmaxForward(att: UnsafeMutablePointer<Float>, length t: Int, inputScale: Float) {
        for i in 0..<t {
            let row = att + i * t
            Softmax.row(out: row, inp: row, count: i + 1, inputScale: inputScale)
            if i + 1 < t { (row + i + 1).update(repeating: 0, count: t - i - 1) }
        }
    }

    /// In place over datt (T, T): dpre_ij = att_ij (datt_ij - Σ_k att_ik datt_ik) · scale for j ≤ i, zero above
    /// the diagonal (the products after it read those zeros).
    @inline(__always)
    static func softmaxBackward(datt: UnsafeMutablePointer<Float>, att: UnsafePointer<Float>, length t: Int, scale: Float) {
        for i in 0..<t {
            let ar = att + i * t, dr = datt + i * t, len = i + 1
            var acc = SIMD16<Float>(), tail: Float = 0, j = 0
            while j + 16 <= len { acc += load16(ar + j) * load16(dr + j); j += 16 }
            while j < len { tail += ar[j] * dr[j]; j += 1 }
            let s = acc.sum() + tail
            j = 0
            while j + 16 <= len { store16(load16(ar + j) * (load16(dr + j) - s) * scale, dr + j); j += 16 }
            while j < len { dr[j] = ar[j] * (dr[j] - s) * scale; j += 1 }
            if len < t { (dr + len).update(repeating: 0, count: t - len) }
        }
    }

    /// forward on PackedGEMM: per (batch, head), the worker's workspace packs one operand at a time and every
    /// micro-tile of rows i0..<i1 meets only keys 0..<i1. The scores are scaled inside the softmax.
    static func packedForward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                              qkv: UnsafePointer<Float>, batch: Int, length t: Int, channels c: Int, heads: Int,
                              threads: ComputeThreads, gemms: [PackedGEMM]) {
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        forEachPair(batch: batch, heads: heads, length: t, channels: c, qkv: qkv, threads: threads) { worker, bh, q in
            let g = gemms[worker], rows = g.tile.rows, k = q + c, v = q + 2 * c
            let a = att + bh * t * t
            g.packTransposed(weight: k, n: t, k: hs, ld: c3, threads: .single)   // B = kᵀ
            causalBlocks(t, size: rows) { i0, i1 in
                g.multiply(rows: i0..<i1, worker: 0, a: q, lda: c3, c: a, ldc: t, addend: .none, columns: i1)
            }
            softmaxForward(att: a, length: t, inputScale: scale)
            g.pack(weight: v, k: t, n: hs, ld: c3, threads: .single)
            let o = out + (bh / heads) * t * c + (bh % heads) * hs
            causalBlocks(t, size: rows) { i0, i1 in   // out rows i0..<i1 = att[i0..<i1, 0..<i1] · v[0..<i1]
                g.multiply(rows: i0..<i1, worker: 0, a: a, lda: t, c: o, ldc: c, addend: .none, depth: 0..<i1)
            }
        }
    }

    /// backward on PackedGEMM, the products in the order: datt = dout·vᵀ, dv = attᵀ·dout, softmax backward,
    /// dq = dpre·k, dk = dpreᵀ·q, each with the causal limits of the OpenBLAS path at micro-tile granularity.
    static func packedBackward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                               qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                               batch: Int, length t: Int, channels c: Int, heads: Int, threads: ComputeThreads,
                               gemms: [PackedGEMM]) {
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        forEachPair(batch: batch, heads: heads, length: t, channels: c, qkv: qkv, threads: threads) { worker, bh, q in
            let g = gemms[worker], rows = g.tile.rows, k = q + c, v = q + 2 * c
            let dq = dqkv + (q - qkv), dk = dq + c, dv = dq + 2 * c
            let a = att + bh * t * t, d = dout + (bh / heads) * t * c + (bh % heads) * hs
            let datt = scratch + worker * t * t
            g.packTransposed(weight: v, n: t, k: hs, ld: c3, threads: .single)   // B = vᵀ
            causalBlocks(t, size: rows) { i0, i1 in
                g.multiply(rows: i0..<i1, worker: 0, a: d, lda: c, c: datt, ldc: t, addend: .none, columns: i1)
            }
            g.pack(weight: d, k: t, n: hs, ld: c, threads: .single)
            causalBlocks(t, size: rows) { i0, i1 in   // dv rows i0..<i1 = att[i0..<t, i0..<i1]ᵀ · dout[i0..<t]
                g.multiply(rows: i0..<i1, worker: 0, a: a, lda: t, c: dv, ldc: c3, addend: .none, depth: i0..<t,
                           transposedA: true)
            }
            softmaxBackward(datt: datt, att: a, length: t, scale: scale)
            g.pack(weight: k, k: t, n: hs, ld: c3, threads: .single)
            causalBlocks(t, size: rows) { i0, i1 in   // dq rows i0..<i1 = dpre[i0..<i1, 0..<i1] · k[0..<i1]
                g.multiply(rows: i0..<i1, worker: 0, a: datt, lda: t, c: dq, ldc: c3, addend: .none, depth: 0..<i1)
            }
            g.pack(weight: q, k: t, n: hs, ld: c3, threads: .single)
            causalBlocks(t, size: rows) { i0, i1 in   // dk rows i0..<i1 = dpre[i0..<t, i0..<i1]ᵀ · q[i0..<t]
                g.multiply(rows: i0..<i1, worker: 0, a: datt, lda: t, c: dk, ldc: c3, addend: .none, depth: i0..<t,
                           transposedA: true)
            }
        }
    }
}
