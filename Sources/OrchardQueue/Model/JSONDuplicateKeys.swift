import Foundation

/// Finds an object key that appears twice in the same object of a JSON text.
///
/// RFC 8259 leaves duplicate names undefined and Foundation's decoder silently keeps one of them, so
/// `{"type": "pretrain", "type": "dpo"}` would run whichever it kept. The API refuses such bodies (and dataset
/// lines) instead. Keys are compared after unescaping (`"a"` and `"\u0061"` are the same name).
///
/// Contract: `bytes` must already be valid JSON (call it after a decoder accepted the text); on other input
/// the answer is unspecified but the scan terminates. One pass, O(n); memory is one key set per open object.
/// The answer is the duplicate's path: object keys joined by `.`, array elements as `[i]`
/// (`params.model.layers`, `items[2].id`).
public enum JSONDuplicateKeys {
    /// One open container. Mutated in place through `stack[top]`, so a key set is never copied.
    private struct Frame {
        var isObject: Bool
        var path: String
        var keys: Set<String> = []
        var expectingKey = true
        var lastKey = ""
        var index = 0
    }

    public static func firstDuplicate(in data: Data) -> String? {
        data.withUnsafeBytes { firstDuplicate(in: $0) }
    }

    public static func firstDuplicate(in bytes: UnsafeRawBufferPointer) -> String? {
        var stack: [Frame] = []
        var i = 0
        let n = bytes.count

        /// The path of the value that starts now, inside the innermost open container.
        func childPath() -> String {
            guard let top = stack.last else { return "" }
            if top.isObject { return top.path.isEmpty ? top.lastKey : top.path + "." + top.lastKey }
            return top.path + "[\(top.index)]"
        }

        while i < n {
            switch bytes[i] {
            case UInt8(ascii: "{"):
                stack.append(Frame(isObject: true, path: childPath()))
            case UInt8(ascii: "["):
                stack.append(Frame(isObject: false, path: childPath()))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","):
                if !stack.isEmpty {
                    if stack[stack.count - 1].isObject { stack[stack.count - 1].expectingKey = true }
                    else { stack[stack.count - 1].index += 1 }
                }
            case UInt8(ascii: "\""):
                let start = i + 1
                var j = start, escaped = false
                while j < n, bytes[j] != UInt8(ascii: "\"") {
                    if bytes[j] == UInt8(ascii: "\\") { escaped = true; j += 1 }
                    j += 1
                }
                let top = stack.count - 1
                if top >= 0, stack[top].isObject, stack[top].expectingKey {
                    let key = decodeKey(bytes, start, min(j, n), escaped: escaped)
                    if !stack[top].keys.insert(key).inserted {
                        return stack[top].path.isEmpty ? key : stack[top].path + "." + key
                    }
                    stack[top].expectingKey = false
                    stack[top].lastKey = key
                }
                i = j
            default:
                break
            }
            i += 1
        }
        return nil
    }

    private static func decodeKey(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int, escaped: Bool) -> String {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[from..<to])
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        var quoted = Data([UInt8(ascii: "\"")]); quoted.append(contentsOf: raw); quoted.append(UInt8(ascii: "\""))
        return (try? JSONDecoder().decode(String.self, from: quoted)) ?? String(decoding: raw, as: UTF8.self)
    }
}
