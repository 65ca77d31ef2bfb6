/// LayerNorm over the last dimension C with learnable weight and bias (eps 1e-5, like PyTorch/GPT-2).
public enum LayerNorm {
    public static let epsilon: Float = 1e-5

    /// out (N, C) = (inp - mean) * rstd * weight + bias; saves mean (N) and rstd (N) for backward.
    public static func forward(out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                               rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                               weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                               n: Int, channels c: Int, threads: ComputeThreads) {
        threads.parallelTiles(n, minimumTile: 32) { _, rows in
            forwardRows(rows, out: out, mean: mean, rstd: rstd, inp: inp, weight: weight, bias: bias, channels: c)
        }
    }

    /// The forward of rows `rows` only, on the calling thread (also run inside a Linear tile that consumes them).
    @inline(__always)
    public static func forwardRows(_ rows: Range<Int>, out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                                   rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
                                   weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, channels c: Int) {
        for row in rows {
            let x = inp + row * c, o = out + row * c
            let m = sum(x, c) / Float(c)
            var acc = SIMD16<Float>(), tail: Float = 0
            var i = 0
            while i + 16 <= c { let d = load16(x + i) - m; acc += d * d; i += 16 }
            while i < c { let d = x[i] - m; tail += d * d; i += 1 }
            let variance = (acc.sum() + tail) / Float(c)
            let s = 1 / (variance + epsilon).squareRoot()
            i = 0
            while i + 16 <= c {
                store16((load16(x + i) - m) * s * load16(weight + i) + load16(bias + i), o + i); i += 16
            }
            while i < c { o[i] = (x[i] - m) * s * weight[i] + bias[i]; i += 1 }
            mean[row] = m; rstd[row] = s
        }
    }

    /// dinp (N, C) += LayerNorm backward of dout; dweight, dbias (C) +=. Weight/bias gradients are
    /// reduced over rows in a fixed order (serial over rows, vectorised over C) for determinism.
    public static func backward(dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>,
                                dbias: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                n: Int, channels c: Int, threads: ComputeThreads) {
        threads.parallelTiles(n, minimumTile: 32) { _, rows in
            backwardRows(rows, dinp: dinp, dout: dout, inp: inp, weight: weight, mean: mean, rstd: rstd, channels: c)
        }
        backwardParameters(dweight: dweight, dbias: dbias, dout: dout, inp: inp, mean: mean, rstd: rstd,
                           n: n, channels: c, threads: threads)
    }

    /// dinp += the input gradient of rows `rows` only, on the calling thread (also run inside the Linear tile
    /// that produced those rows of dout).
    @inline(__always)
    public static func backwardRows(_ rows: Range<Int>, dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                    inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                    mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, channels c: Int) {
        for row in rows {
            let x = inp + row * c, d = dout + row * c, dx = dinp + row * c
            let m = mean[row], s = rstd[row]
            // dnorm = dout * weight; need mean(dnorm) and mean(dnorm * norm).
            var a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), t1: Float = 0, t2: Float = 0
            var i = 0
            while i + 16 <= c {
                let dn = load16(d + i) * load16(weight + i), nm = (load16(x + i) - m) * s
                a1 += dn; a2 += dn * nm; i += 16
            }
            while i < c { let dn = d[i] * weight[i], nm = (x[i] - m) * s; t1 += dn; t2 += dn * nm; i += 1 }
            let meanD = (a1.sum() + t1) / Float(c), meanDN = (a2.sum() + t2) / Float(c)
            i = 0
            while i + 16 <= c {
                let dn = load16(d + i) * load16(weight + i), nm = (load16(x + i) - m) * s
                store16(load16(dx + i) + (dn - meanD - nm * meanDN) * s, dx + i); i += 16
            }
            while i < c {
                let dn = d[i] * weight[i], nm = (x[i] - m) * s
                dx[i] += (dn - meanD - nm * meanDN) * s; i += 1
            }
        }
    }

    /// dweight, dbias (C) += their gradients over all N rows.
    public static func backwardParameters(dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
                                          dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                          mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>,
                                          n: Int, channels c: Int, threads: ComputeThreads) {
        // Rows in order, sixteen columns at a time (the compiler cannot vectorise the scalar loop: the gradient
        // pointers might alias the inputs); each thread's columns of dweight/dbias stay in L1.
        threads.parallelChunks(c, minimumPerThread: 16) { cols in
            for row in 0..<n {
                let x = inp + row * c, d = dout + row * c
                let m = mean[row], s = rstd[row]
                var j = cols.lowerBound
                while j + 16 <= cols.upperBound {
                    let dj = load16(d + j)
                    store16(load16(dbias + j) + dj, dbias + j)
                    store16(load16(dweight + j) + (load16(x + j) - m) * s * dj, dweight + j)
                    j += 16
                }
                while j < cols.upperBound {
                    dbias[j] += d[j]
                    dweight[j] += (x[j] - m) * s * d[j]
                    j += 1
                }
            }
        }
    }

    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ c: Int) -> Float {
        var acc = SIMD16<Float>(), tail: Float = 0, i = 0
        while i + 16 <= c { acc += load16(x + i); i += 16 }
        while i < c { tail += x[i]; i += 1 }
        return acc.sum() + tail
    }
}
