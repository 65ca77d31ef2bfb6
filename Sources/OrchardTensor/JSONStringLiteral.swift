/// Writes a JSON string literal byte-for-byte deterministically (unlike JSONEncoder, whose escaping of
/// `/` and non-ASCII differs between Foundation versions), so files we hash keep a stable fingerprint.
/// The one escaper of the project: checkpoints and tokenizers, the corpus JSONL files and the API's responses.
public enum JSONStringLiteral {
    public static func quote(_ s: String, escapingDelete: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 2)
        append(s, to: &out, escapingDelete: escapingDelete)
        return out
    }

    /// Appends `s` as a quoted literal: `"` `\` and control characters escaped (`\n`, `\r`, `\t`, else `\u00xx`
    /// in lowercase hex); `escapingDelete` also escapes U+007F (the corpus files do, and their hashes depend on it).
    public static func append(_ s: String, to out: inout String, escapingDelete: Bool = false) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (escapingDelete && scalar.value == 0x7F) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
