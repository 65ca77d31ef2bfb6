/// Causal multi-head self-attention core (after the fused qkv projection, before the output projection).
/// qkv (B, T, 3C) holds [q | k | v] per position, head h at columns h·hs..<(h+1)·hs of each part.
/// Work is split across threads by (batch, head); each pair uses single-threaded BLAS GEMMs.
public enum CausalSelfAttention {
    /// out (B, T, C); att (B, H, T, T) saves the probabilities (zero above the diagonal) for backward.
    public static func forward(out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
                               qkv: UnsafePointer<Float>, batch: Int, length t: Int, channels c: Int, heads: Int,
                               threads: ComputeThreads) {
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        threads.parallelFor(batch * heads) { _, bh in
            let b = bh / heads, h = bh % heads
            let q = qkv + b * t * c3 + h * hs, k = q + c, v = q + 2 * c
            let a = att + bh * t * t
            sgemm(transB: true, m: t, n: t, k: hs, alpha: scale, a: q, lda: c3, b: k, ldb: c3, beta: 0, c: a, ldc: t)
            for i in 0..<t {
                let row = a + i * t
                Softmax.row(out: row, inp: row, count: i + 1)
                if i + 1 < t { (row + i + 1).update(repeating: 0, count: t - i - 1) }
            }
            sgemm(m: t, n: hs, k: t, a: a, lda: t, b: v, ldb: c3, beta: 0, c: out + b * t * c + h * hs, ldc: c)
        }
    }

    /// dqkv (B, T, 3C) is overwritten. scratch must hold threads.count · T · T floats.
    public static func backward(dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                batch: Int, length t: Int, channels c: Int, heads: Int, threads: ComputeThreads) {
        let hs = c / heads, c3 = 3 * c
        let scale = 1 / Float(hs).squareRoot()
        threads.parallelFor(batch * heads) { worker, bh in
            let b = bh / heads, h = bh % heads
            let q = qkv + b * t * c3 + h * hs, k = q + c, v = q + 2 * c
            let dq = dqkv + b * t * c3 + h * hs, dk = dq + c, dv = dq + 2 * c
            let a = att + bh * t * t, d = dout + b * t * c + h * hs
            let datt = scratch + worker * t * t
            sgemm(transB: true, m: t, n: t, k: hs, a: d, lda: c, b: v, ldb: c3, beta: 0, c: datt, ldc: t)
            sgemm(transA: true, m: t, n: hs, k: t, a: a, lda: t, b: d, ldb: c, beta: 0, c: dv, ldc: c3)
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
            sgemm(m: t, n: hs, k: t, a: datt, lda: t, b: k, ldb: c3, beta: 0, c: dq, ldc: c3)
            sgemm(transA: true, m: t, n: hs, k: t, a: datt, lda: t, b: q, ldb: c3, beta: 0, c: dk, ldc: c3)
        }
    }
}
