/// Causal multi-head self-attention core (after the fused qkv projection, before the output projection).
/// qkv (B, T, 3C) holds [q | k | v] per position, head h at columns h·hs..<(h+1)·hs of each part.
/// Work is split across threads by (batch, head), claimed as threads become free; each pair uses single-threaded BLAS GEMMs.
/// The GEMMs skip the masked upper triangle: rows are taken in blocks of `causalBlock`, and a block of
/// query rows ending at r1 only meets keys 0..<r1 (and the transposed products only rows ≥ the block's
/// start). With T = 128 that is 5/8 of the full products' work; the skipped terms are exact zeros.
public enum CausalSelfAttention {
    /// Rows per causal block: small enough to skip most of the triangle, large enough for BLAS to stay efficient.
    static let causalBlock = 32

    /// Calls body(r0, r1) for the row blocks of 0..<t.
    @inline(__always)
    static func causalBlocks(_ t: Int, _ body: (_ r0: Int, _ r1: Int) -> Void) {
        var r0 = 0
        while r0 < t {
            let r1 = Swift.min(t, r0 + causalBlock)
            body(r0, r1)
            r0 = r1
        }
    }

    /// out (B, T, C); att (B, H, T, T) saves the probabilities (zero above the diagonal) for backward.
    public static func forward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                               qkv: UnsafePointer<Float>, batch: Int, length t: Int, channels c: Int, heads: Int,
                               threads: ComputeThreads) {
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        threads.parallelTiles(batch * heads, minimumTile: 1) { _, pairs in for bh in pairs {
            let b = bh / heads, h = bh % heads
            let q = qkv + b * t * c3 + h * hs, k = q + c, v = q + 2 * c
            let a = att + bh * t * t
            causalBlocks(t) { r0, r1 in   // scores of rows r0..<r1 against keys 0..<r1
                sgemm(transB: true, m: r1 - r0, n: r1, k: hs, alpha: scale, a: q + r0 * c3, lda: c3, b: k, ldb: c3,
                      beta: 0, c: a + r0 * t, ldc: t)
            }
            for i in 0..<t {
                let row = a + i * t
                Softmax.row(out: row, inp: row, count: i + 1)
                if i + 1 < t { (row + i + 1).update(repeating: 0, count: t - i - 1) }
            }
            let o = out + b * t * c + h * hs
            causalBlocks(t) { r0, r1 in   // out rows r0..<r1 = att[r0..<r1, 0..<r1] · v[0..<r1]
                sgemm(m: r1 - r0, n: hs, k: r1, a: a + r0 * t, lda: t, b: v, ldb: c3, beta: 0, c: o + r0 * c, ldc: c)
            }
        } }
    }

    /// dqkv (B, T, 3C) is overwritten. scratch must hold threads.count · T · T floats.
    public static func backward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                batch: Int, length t: Int, channels c: Int, heads: Int, threads: ComputeThreads) {
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        threads.parallelTiles(batch * heads, minimumTile: 1) { worker, pairs in for bh in pairs {
            let b = bh / heads, h = bh % heads
            let q = qkv + b * t * c3 + h * hs, k = q + c, v = q + 2 * c
            let dq = dqkv + b * t * c3 + h * hs, dk = dq + c, dv = dq + 2 * c
            let a = att + bh * t * t, d = dout + b * t * c + h * hs
            let datt = scratch + worker * t * t
            causalBlocks(t) { r0, r1 in
                // datt rows r0..<r1 against keys 0..<r1 (softmax backward zero-fills the rest of each row).
                sgemm(transB: true, m: r1 - r0, n: r1, k: hs, a: d + r0 * c, lda: c, b: v, ldb: c3, beta: 0,
                      c: datt + r0 * t, ldc: t)
                // dv rows r0..<r1 = att[r0..<t, r0..<r1]ᵀ · dout[r0..<t]: queries before r0 never see these keys.
                sgemm(transA: true, m: r1 - r0, n: hs, k: t - r0, a: a + r0 * t + r0, lda: t, b: d + r0 * c, ldb: c,
                      beta: 0, c: dv + r0 * c3, ldc: c3)
            }
            // Softmax backward: dpre_ij = att_ij (datt_ij - Σ_k att_ik datt_ik), times the score scale.
            for i in 0..<t {
                let ar = a + i * t, dr = datt + i * t, len = i + 1
                var acc = SIMD16<Float>(), tail: Float = 0, j = 0
                while j + 16 <= len { acc += load16(ar + j) * load16(dr + j); j += 16 }
                while j < len { tail += ar[j] * dr[j]; j += 1 }
                let s = acc.sum() + tail
                j = 0
                while j + 16 <= len { store16(load16(ar + j) * (load16(dr + j) - s) * scale, dr + j); j += 16 }
                while j < len { dr[j] = ar[j] * (dr[j] - s) * scale; j += 1 }
                if len < t { (dr + len).update(repeating: 0, count: t - len) }
            }
            causalBlocks(t) { r0, r1 in
                // dq rows r0..<r1 = dpre[r0..<r1, 0..<r1] · k[0..<r1]
                sgemm(m: r1 - r0, n: hs, k: r1, a: datt + r0 * t, lda: t, b: k, ldb: c3, beta: 0, c: dq + r0 * c3, ldc: c3)
                // dk rows r0..<r1 = dpre[r0..<t, r0..<r1]ᵀ · q[r0..<t]
                sgemm(transA: true, m: r1 - r0, n: hs, k: t - r0, a: datt + r0 * t + r0, lda: t, b: q + r0 * c3, ldb: c3,
                      beta: 0, c: dk + r0 * c3, ldc: c3)
            }
        } }
    }
}
