import OrchardTensor

/// Deterministic random test data.
func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in rng.nextNormal() * scale }
}

func doubles(_ x: [Float]) -> [Double] { x.map(Double.init) }

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

let oneThread = ComputeThreads.single
let twoThreads = try! ComputeThreads(2)

/// Runs `body` with mutable pointers to copies of the arrays and returns the arrays afterwards.
func withBuffers(_ arrays: [[Float]], _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
    let buffers = arrays.map { a -> FloatBuffer in let b = FloatBuffer(count: a.count); try! b.copy(from: a); return b }
    body(buffers.map(\.pointer))
    return buffers.map(\.array)
}
