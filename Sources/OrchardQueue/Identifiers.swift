import Foundation

/// Public ids carry a prefix naming their kind (`job_…`, `ds_…`, `ckpt_…`, `key_…`) and 96 random bits.
public enum Identifiers {
    public static func make(_ prefix: String) -> String {
        var g = SystemRandomNumberGenerator()
        var s = prefix + "_"
        for _ in 0..<12 { s += String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }
        return s
    }
}
