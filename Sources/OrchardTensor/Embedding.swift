/// Token + position embedding: out[b, t] = wte[token[b, t]] + wpe[t].
public enum Embedding {
    /// out (B·T, C); tokens (B·T) must be in 0..<V (callers validate).
    public static func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                               wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>,
                               batch: Int, length t: Int, channels c: Int, threads: ComputeThreads) {
        threads.parallelChunks(batch * t, minimumPerThread: 32) { rows in
            for row in rows {
                let o = out + row * c, e = wte + Int(tokens[row]) * c, p = wpe + (row % t) * c
                for j in 0..<c { o[j] = e[j] + p[j] }
            }
        }
    }

    /// dwte, dwpe +=. Threads own column blocks, so the scatter-add is race-free and its order fixed.
    public static func backward(dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>,
                                dout: UnsafePointer<Float>, tokens: UnsafePointer<Int32>,
                                batch: Int, length t: Int, channels c: Int, threads: ComputeThreads) {
        threads.parallelChunks(c, minimumPerThread: 16) { cols in
            for row in 0..<(batch * t) {
                let d = dout + row * c, e = dwte + Int(tokens[row]) * c, p = dwpe + (row % t) * c
                for j in cols { e[j] += d[j]; p[j] += d[j] }
            }
        }
    }
}
