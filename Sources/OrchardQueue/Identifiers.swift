import Foundation

/// Public ids carry a prefix naming their kind (`job_…`, `ds_…`, `ckpt_…`, `key_…`) and 96 random bits
/// (24 lowercase hex digits).
public enum Identifiers {
    public static func make(_ prefix: String) -> String {
        var g = SystemRandomNumberGenerator()
        let high = UInt64.random(in: .min ... .max, using: &g), low = UInt32.random(in: .min ... .max, using: &g)
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var digits = [UInt8](repeating: 0, count: 24)
        for i in 0..<16 { digits[i] = hex[Int((high >> UInt64(60 - 4 * i)) & 0xF)] }
        for i in 0..<8 { digits[16 + i] = hex[Int((low >> UInt32(28 - 4 * i)) & 0xF)] }
        return prefix + "_" + String(decoding: digits, as: UTF8.self)
    }
}
