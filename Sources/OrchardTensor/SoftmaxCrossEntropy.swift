import Foundation

/// Softmax + cross-entropy fused per row, with SIMD polynomial exp.
public enum SoftmaxCrossEntropy {
    /// losses (N) = logsumexp(logits_i) - logits_i[target_i]; logits (N, V) unchanged.
    public static func forward(losses: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
                               targets: UnsafePointer<Int32>, n: Int, vocabulary v: Int, threads: ComputeThreads) {
        threads.parallelTiles(n, minimumTile: 32) { _, rows in
            for row in rows {
                let x = logits + row * v
                losses[row] = Softmax.logSumExp(x, v) - x[Int(targets[row])]
            }
        }
    }

    /// dlogits (N, V) = coefficient_i * (softmax(logits_i) - onehot(target_i)); dlogits may alias logits.
    /// Rows with coefficient 0 get zero gradient.
    public static func backward(dlogits: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>,
                                targets: UnsafePointer<Int32>, coefficients: UnsafePointer<Float>,
                                n: Int, vocabulary v: Int, threads: ComputeThreads) {
        threads.parallelTiles(n, minimumTile: 32) { _, rows in
            for row in rows {
                let x = logits + row * v, d = dlogits + row * v
                let w = coefficients[row]
                if w == 0 { d.update(repeating: 0, count: v); continue }
                Softmax.row(out: d, inp: x, count: v, scale: w)
                d[Int(targets[row])] -= w
            }
        }
    }
}

/// Numerically stable softmax helpers over one contiguous row.
public enum Softmax {
    @inline(__always)
    public static func max(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var m = SIMD16<Float>(repeating: -.infinity), i = 0
        while i + 16 <= count { let v = load16(x + i); m.replace(with: v, where: v .> m); i += 16 }
        var best = m.max()
        while i < count { if x[i] > best { best = x[i] }; i += 1 }
        return best
    }

    /// log Σ exp(x_i).
    @inline(__always)
    public static func logSumExp(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        let m = max(x, count)
        var acc = SIMD16<Float>(), i = 0
        while i + 16 <= count { acc += fastExp(load16(x + i) - m); i += 16 }
        if i < count { let r = count - i; acc += fastExp(loadPartial(x + i, r, fill: -.infinity) - m) }
        return m + Foundation.log(acc.sum())
    }

    /// out = scale * softmax(inputScale * inp) over `count` entries; out may alias inp. inputScale must be > 0;
    /// each inputScale·inp is rounded once, as if the input had been scaled in a pass of its own (max commutes
    /// with a positive scale, also after rounding), and 1 leaves the input exact.
    @inline(__always)
    public static func row(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, scale: Float = 1,
                           inputScale: Float = 1) {
        let m = max(inp, count) * inputScale
        var acc = SIMD16<Float>(), i = 0
        while i + 16 <= count { let e = fastExp(load16(inp + i) * inputScale - m); store16(e, out + i); acc += e; i += 16 }
        if i < count {
            let r = count - i
            let e = fastExp(loadPartial(inp + i, r, fill: -.infinity) * inputScale - m)
            storePartial(e, out + i, r); acc += e
        }
        let k = scale / acc.sum()
        i = 0
        while i + 16 <= count { store16(load16(out + i) * k, out + i); i += 16 }
        while i < count { out[i] *= k; i += 1 }
    }
}
