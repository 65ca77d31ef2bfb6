/// ReLU: out = max(x, 0); its gradient passes dout where the input was positive (0 at x = 0, as PyTorch).
public enum ReLU {
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = inp[i] > 0 ? inp[i] : 0 }
    }

    /// dinp = dout · 1[inp > 0]; `dinp` may alias `dout`.
    public static func backward(dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { dinp[i] = inp[i] > 0 ? dout[i] : 0 }
    }
}
