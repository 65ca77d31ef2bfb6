/// Simple memory-bound elementwise kernels over unsafe pointers (5x faster than array subscripts).
public enum Elementwise {
    /// out = a + b (out may alias a or b).
    public static func add(out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           count: Int, threads: ComputeThreads) {
        threads.parallelTiles(count, minimumTile: 16384, granule: 16) { _, r in
            add(out: out + r.lowerBound, a + r.lowerBound, b + r.lowerBound, count: r.count)
        }
    }

    /// out = a + b on the calling thread (out may alias a or b).
    @inline(__always)
    public static func add(out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(a + i) + load16(b + i), out + i); i += 16 }
        while i < count { out[i] = a[i] + b[i]; i += 1 }
    }

    /// p[0..<count] = value, split across the threads (a serial memset of the gradients let the other thread
    /// fall asleep before every step).
    public static func fill(_ p: UnsafeMutablePointer<Float>, count: Int, value: Float = 0, threads: ComputeThreads) {
        threads.parallelTiles(count, minimumTile: 16384, granule: 16) { _, r in
            (p + r.lowerBound).update(repeating: value, count: r.count)
        }
    }

    /// a += b.
    public static func accumulate(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, count: Int, threads: ComputeThreads) {
        add(out: a, a, b, count: count, threads: threads)
    }

    /// Σ x_i² in Float64 partial sums per chunk (deterministic for a given thread count).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int, threads: ComputeThreads) -> Double {
        let workers = Swift.max(1, threads.count)
        var partial = [Double](repeating: 0, count: workers)
        partial.withUnsafeMutableBufferPointer { out in
            let o = out.baseAddress!
            threads.parallelFor(workers) { _, w in
                let r = ComputeThreads.chunk(w, of: workers, count)
                var acc = SIMD16<Float>(), total = 0.0, i = r.lowerBound, n = 0
                while i + 16 <= r.upperBound {
                    let v = load16(x + i); acc += v * v; i += 16; n += 1
                    if n == 256 { total += Double(acc.sum()); acc = SIMD16<Float>(); n = 0 }
                }
                total += Double(acc.sum())
                while i < r.upperBound { total += Double(x[i] * x[i]); i += 1 }
                o[w] = total
            }
        }
        return partial.reduce(0, +)
    }
}
