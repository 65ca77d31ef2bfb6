/// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_ semantics).
public enum GradientClipping {
    /// Scales gradients so their global norm is at most maxNorm; returns the norm before clipping.
    @discardableResult
    public static func clipGlobalNorm(_ g: UnsafeMutablePointer<Float>, count: Int, maxNorm: Float,
                                      threads: ComputeThreads) -> Float {
        let norm = Float(Elementwise.sumOfSquares(g, count: count, threads: threads).squareRoot())
        let scale = maxNorm / (norm + 1e-6)
        if scale < 1 {
            threads.parallelChunks(count, minimumPerThread: 16384) { r in
                for i in r { g[i] *= scale }
            }
        }
        return norm
    }
}
