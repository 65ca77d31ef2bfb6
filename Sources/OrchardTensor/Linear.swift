/// Fully connected layer, weight stored (out, in) row-major like PyTorch's nn.Linear.
/// Large GEMMs are split by rows across the model's threads (OpenBLAS itself stays single-threaded).
public enum Linear {
    /// out (N, OC) = inp (N, C) · weightᵀ (C, OC) + bias (OC).
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                               n: Int, inChannels c: Int, outChannels oc: Int, threads: ComputeThreads) {
        threads.parallelChunks(n, minimumPerThread: 16) { rows in
            guard !rows.isEmpty else { return }
            let o = out + rows.lowerBound * oc
            if let bias {
                for r in 0..<rows.count { (o + r * oc).update(from: bias, count: oc) }
            }
            sgemm(transB: true, m: rows.count, n: oc, k: c, a: inp + rows.lowerBound * c, lda: c,
                  b: weight, ldb: c, beta: bias == nil ? 0 : 1, c: o, ldc: oc)
        }
    }

    /// Given dout (N, OC): dinp (N, C) = dout · weight (overwritten, skipped when nil);
    /// dweight (OC, C) += doutᵀ · inp; dbias (OC) += column sums of dout.
    public static func backward(dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
                                dbias: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
                                inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                n: Int, inChannels c: Int, outChannels oc: Int, threads: ComputeThreads) {
        if let dinp {
            threads.parallelChunks(n, minimumPerThread: 16) { rows in
                guard !rows.isEmpty else { return }
                sgemm(m: rows.count, n: c, k: oc, a: dout + rows.lowerBound * oc, lda: oc,
                      b: weight, ldb: c, beta: 0, c: dinp + rows.lowerBound * c, ldc: c)
            }
        }
        // Each thread owns a block of output channels: rows of dweight and entries of dbias.
        threads.parallelChunks(oc, minimumPerThread: 16) { outs in
            guard !outs.isEmpty else { return }
            sgemm(transA: true, m: outs.count, n: c, k: n, a: dout + outs.lowerBound, lda: oc,
                  b: inp, ldb: c, beta: 1, c: dweight + outs.lowerBound * c, ldc: c)
            if let dbias {
                let width = outs.count, base = outs.lowerBound
                for row in 0..<n {
                    let d = dout + row * oc + base
                    let db = dbias + base
                    for j in 0..<width { db[j] += d[j] }
                }
            }
        }
    }
}
