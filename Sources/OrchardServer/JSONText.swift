import Foundation
import OrchardJobs
import OrchardTensor

/// A small, fast JSON serializer for `JSONValue` (sorted keys, no Foundation encoder on the hot path).
enum JSONText {
    static func encode(_ value: JSONValue) -> String {
        var out = ""
        out.reserveCapacity(512)
        write(value, into: &out)
        return out
    }

    static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d):
            if !d.isFinite { out += "null" }
            else if d.rounded() == d, abs(d) < 9.007e15 { out += String(Int64(d)) }
            else { out += "\(d)" }
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() { if i > 0 { out += "," }; write(v, into: &out) }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                writeString(k, into: &out); out += ":"; write(o[k]!, into: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        JSONStringLiteral.append(s, to: &out)
    }
}
