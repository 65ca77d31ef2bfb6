/// AdamW (Loshchilov & Hutter): decoupled weight decay p -= lr·wd·p, then the bias-corrected Adam step.
/// Matches torch.optim.AdamW.
public final class AdamW: Optimizer {
    public let parameterCount: Int
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var stepCount = 0
    let decay: DecaySegments
    let m: FloatBuffer, v: FloatBuffer

    public init(parameterCount: Int, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0.01, decayedRanges: [Range<Int>]? = nil) throws {
        guard parameterCount > 0 else { throw EngineError.invalidArgument("AdamW needs parameters") }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2), epsilon > 0, weightDecay >= 0 else {
            throw EngineError.invalidArgument("AdamW hyperparameters out of range")
        }
        self.parameterCount = parameterCount
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
        decay = DecaySegments(count: parameterCount, decayed: decayedRanges)
        m = FloatBuffer(count: parameterCount); v = FloatBuffer(count: parameterCount)
    }

    public func step(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                     learningRate lr: Float, threads: ComputeThreads) {
        stepCount += 1
        let t = Float(stepCount)
        let c1 = 1 / (1 - pow(beta1, t)), c2 = 1 / (1 - pow(beta2, t))
        let b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        let mp = m.pointer, vp = v.pointer
        // One parallel region over all parameters; each chunk walks the decay segments it overlaps.
        decay.forEachSegment(in: parameterCount, threads: threads) { range, decayed in
            let shrink = decayed ? 1 - lr * wd : 1
            // The same IEEE operations per element as the scalar tail, so SIMD and scalar agree bit for bit.
            var i = range.lowerBound
            while i + 16 <= range.upperBound {
                let gi = load16(g + i)
                let mi = b1 * load16(mp + i) + (1 - b1) * gi
                let vi = b2 * load16(vp + i) + (1 - b2) * gi * gi
                store16(mi, mp + i); store16(vi, vp + i)
                store16(load16(p + i) * shrink - lr * (mi * c1) / ((vi * c2).squareRoot() + eps), p + i)
                i += 16
            }
            while i < range.upperBound {
                let gi = g[i]
                let mi = b1 * mp[i] + (1 - b1) * gi
                let vi = b2 * vp[i] + (1 - b2) * gi * gi
                mp[i] = mi; vp[i] = vi
                p[i] = p[i] * shrink - lr * (mi * c1) / ((vi * c2).squareRoot() + eps)
                i += 1
            }
        }
    }

    public func stateTensors() -> [String: TensorRecord] {
        ["m": TensorRecord(shape: [parameterCount], values: m.array),
         "v": TensorRecord(shape: [parameterCount], values: v.array),
         "step": TensorRecord(shape: [1], values: [Float(stepCount)])]
    }

    public func load(stateTensors tensors: [String: TensorRecord]) throws {
        let mv = try stateTensor("m", in: tensors, count: parameterCount)
        let vv = try stateTensor("v", in: tensors, count: parameterCount)
        let s = try loadStep(from: tensors)
        try m.copy(from: mv); try v.copy(from: vv); stepCount = s
    }
}

@inline(__always) func pow(_ x: Float, _ y: Float) -> Float { Float(Foundation.pow(Double(x), Double(y))) }

import Foundation
