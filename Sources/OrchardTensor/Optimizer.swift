/// An optimizer updates a flat Float32 parameter buffer from its gradient buffer in place, and can
/// export/import its state as named Float32 tensors for checkpoints.
public protocol Optimizer: AnyObject {
    /// Number of parameters this optimizer was built for.
    var parameterCount: Int { get }
    /// Number of completed steps (drives bias correction and momentum start-up).
    var stepCount: Int { get }
    func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, learningRate: Float, threads: ComputeThreads)
    func stateTensors() -> [String: TensorRecord]
    func load(stateTensors: [String: TensorRecord]) throws
}

extension Optimizer {
    func stateTensor(_ name: String, in tensors: [String: TensorRecord], count: Int) throws -> [Float] {
        guard let t = tensors[name] else { throw EngineError.missingTensor("optimizer state '\(name)'") }
        guard t.values.count == count else {
            throw EngineError.shapeMismatch("optimizer state '\(name)' has \(t.values.count) values, expected \(count)")
        }
        return t.values
    }

    func loadStep(from tensors: [String: TensorRecord]) throws -> Int {
        let v = try stateTensor("step", in: tensors, count: 1)[0]
        guard v >= 0, v == v.rounded() else { throw EngineError.invalidArgument("optimizer step \(v) is not a count") }
        return Int(v)
    }
}

/// Which parameters get weight decay: a list of ranges of the flat buffer (nil = all of them).
/// GPT uses it to decay matrices and embeddings but not biases and LayerNorm parameters.
public struct DecaySegments: Sendable {
    public let segments: [(range: Range<Int>, decay: Bool)]

    public init(count: Int, decayed: [Range<Int>]?) {
        guard let decayed else { segments = [(0..<count, true)]; return }
        var flags = [(Range<Int>, Bool)]()
        var cursor = 0
        for r in decayed.sorted(by: { $0.lowerBound < $1.lowerBound }) where !r.isEmpty {
            if r.lowerBound > cursor { flags.append((cursor..<r.lowerBound, false)) }
            flags.append((Swift.max(cursor, r.lowerBound)..<r.upperBound, true))
            cursor = r.upperBound
        }
        if cursor < count { flags.append((cursor..<count, false)) }
        segments = flags.map { (range: $0.0, decay: $0.1) }
    }

    /// Runs body(range, decayed) over 0..<count in one parallel region: each thread's contiguous chunk is
    /// cut where it crosses a segment boundary. Elementwise updates only, so the split never changes a result.
    @inline(__always)
    func forEachSegment(in count: Int, threads: ComputeThreads, _ body: (Range<Int>, Bool) -> Void) {
        threads.parallelChunks(count, minimumPerThread: 8192) { chunk in
            for seg in segments {
                let lo = Swift.max(chunk.lowerBound, seg.range.lowerBound), hi = Swift.min(chunk.upperBound, seg.range.upperBound)
                if lo < hi { body(lo..<hi, seg.decay) }
            }
        }
    }
}
