// Polynomial exp/tanh on SIMD16<Float>: per-element libm calls are ~10x slower (specs/perf.md).
// Clamping uses replace(with:where:) because pointwiseMin/Max is very slow on the generic x86-64 target.
// @_transparent, not @inline(__always): the optimizer left fastTanh out of line in GELU.backward, where every
// call passed the SIMD16 in four xmm registers and ran the polynomial 128 bits wide (half of AVX2's width).

public typealias Float16x = SIMD16<Float>

@_transparent
public func fastExp(_ x: SIMD16<Float>) -> SIMD16<Float> {
    // Cephes expf: exp(x) = 2^n * exp(r), r = x - n ln2, |r| <= ln2/2; relative error ~2 ulp.
    // n is rounded with the 1.5·2^23 "magic number" trick and read back from the float's bits:
    // the stdlib's generic SIMD float->int conversion and rounded() are ~10x slower than the math.
    var x = x
    x.replace(with: 88.0, where: x .> 88.0)      // n <= 127: 2^n stays finite
    x.replace(with: -87.0, where: x .< -87.0)    // n >= -126: 2^n stays normal
    let magic: Float = 12_582_912  // 1.5 * 2^23
    let t = x * 1.442695040888963 + magic
    let n = t - magic
    var r = x - n * 0.693359375
    r = r + n * 2.12194440e-4
    var p = SIMD16<Float>(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000
    let scale = unsafeBitCast((ni &+ 127) &<< 23, to: SIMD16<Float>.self)
    return y * scale
}

@_transparent
public func fastExp(_ x: Float) -> Float {
    fastExp(SIMD16<Float>(repeating: x))[0]
}

@_transparent
public func fastTanh(_ x: SIMD16<Float>) -> SIMD16<Float> {
    // tanh(x) = 1 - 2 / (exp(2x) + 1); saturates correctly for large |x| because fastExp clamps.
    1 - 2 / (fastExp(2 * x) + 1)
}

@_transparent
public func fastTanh(_ x: Float) -> Float {
    fastTanh(SIMD16<Float>(repeating: x))[0]
}

/// Loads up to 16 floats (the rest zero) — for loop tails.
@_transparent
func loadPartial(_ p: UnsafePointer<Float>, _ count: Int, fill: Float = 0) -> SIMD16<Float> {
    var v = SIMD16<Float>(repeating: fill)
    for i in 0..<count { v[i] = p[i] }
    return v
}

@_transparent
func storePartial(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { p[i] = v[i] }
}

@_transparent
func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@_transparent
func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

@_transparent
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@_transparent
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
