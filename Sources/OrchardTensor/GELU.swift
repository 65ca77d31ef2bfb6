/// GELU with the tanh approximation (GPT-2): 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
/// Every element goes through the same SIMD16 arithmetic (a partial vector for a tail), so an element's result does
/// not depend on how the range is split: the threaded and the per-tile entry points agree bit for bit.
public enum GELU {
    static let k: Float = 0.7978845608028654  // sqrt(2/pi)
    static let a: Float = 0.044715

    @_transparent
    static func value(_ x: SIMD16<Float>) -> SIMD16<Float> { 0.5 * x * (1 + fastTanh(k * (x + a * x * x * x))) }

    @_transparent
    static func derivative(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let t = fastTanh(k * (x + a * x * x * x))
        let sech2 = 1 - t * t
        return 0.5 * (1 + t) + 0.5 * x * sech2 * k * (1 + 3 * a * x * x)
    }

    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int, threads: ComputeThreads) {
        threads.parallelTiles(count, minimumTile: 16384, granule: 16) { _, r in
            forward(out: out + r.lowerBound, inp: inp + r.lowerBound, count: r.count)
        }
    }

    /// out = gelu(inp) over `count` elements on the calling thread (also run inside the Linear tile that produced inp).
    @inline(__always)
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(value(load16(inp + i)), out + i); i += 16 }
        if i < count { storePartial(value(loadPartial(inp + i, count - i)), out + i, count - i) }
    }

    /// dinp = dout * gelu'(inp); dinp may alias dout.
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                                count: Int, threads: ComputeThreads) {
        threads.parallelTiles(count, minimumTile: 16384, granule: 16) { _, r in
            backward(dinp: dinp + r.lowerBound, dout: dout + r.lowerBound, inp: inp + r.lowerBound, count: r.count)
        }
    }

    /// dinp = dout * gelu'(inp) over `count` elements on the calling thread; dinp may alias dout.
    @inline(__always)
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i + 16 <= count { store16(load16(dout + i) * derivative(load16(inp + i)), dinp + i); i += 16 }
        if i < count {
            let r = count - i
            storePartial(loadPartial(dout + i, r) * derivative(loadPartial(inp + i, r)), dinp + i, r)
        }
    }
}
