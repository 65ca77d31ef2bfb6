import Foundation

/// Escaping and number formatting for hand-written SVG.
public enum SVGText {
    /// Escapes the five XML special characters and drops characters XML 1.0 forbids (C0 controls other
    /// than tab/newline/CR), so any user-supplied label yields a well-formed document.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = u.value
                if v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D { continue }
                if v == 0xFFFE || v == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A coordinate with two decimals, no exponent, no "-0".
    public static func coordinate(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        if r == 0 { return "0" }
        return r == r.rounded() ? String(Int(r)) : String(format: "%.2f", r)
    }

    /// A tick label: compact, without trailing zeros, in exponent form for very large/small magnitudes.
    public static func tickLabel(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = Swift.abs(v)
        if a >= 1e6 || a < 1e-3 {
            let s = String(format: "%.2g", v)
            return s.replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e")
                .replacingOccurrences(of: "e-0", with: "e-")
        }
        if a >= 1000, v == v.rounded() { return String(Int(v)) }
        var s = String(format: "%.4f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
