/// GELU with the tanh approximation (GPT-2): 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
public enum GELU {
    static let k: Float = 0.7978845608028654  // sqrt(2/pi)
    static let a: Float = 0.044715

    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, threads: ComputeThreads) {
        threads.parallelTiles(count / 16, minimumTile: 1024) { _, blocks in
            for b in blocks {
                let x = load16(inp + b * 16)
                store16(0.5 * x * (1 + fastTanh(k * (x + a * x * x * x))), out + b * 16)
            }
        }
        let done = count / 16 * 16
        if done < count {
            let x = loadPartial(inp + done, count - done)
            storePartial(0.5 * x * (1 + fastTanh(k * (x + a * x * x * x))), out + done, count - done)
        }
    }

    /// dinp = dout * gelu'(inp); dinp may alias dout.
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                count: Int, threads: ComputeThreads) {
        @inline(__always) func grad(_ x: SIMD16<Float>) -> SIMD16<Float> {
            let u = k * (x + a * x * x * x)
            let t = fastTanh(u)
            let sech2 = 1 - t * t
            return 0.5 * (1 + t) + 0.5 * x * sech2 * k * (1 + 3 * a * x * x)
        }
        threads.parallelTiles(count / 16, minimumTile: 1024) { _, blocks in
            for b in blocks { store16(load16(dout + b * 16) * grad(load16(inp + b * 16)), dinp + b * 16) }
        }
        let done = count / 16 * 16
        if done < count {
            let r = count - done
            storePartial(loadPartial(dout + done, r) * grad(loadPartial(inp + done, r)), dinp + done, r)
        }
    }
}
