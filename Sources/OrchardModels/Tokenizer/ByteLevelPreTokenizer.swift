/// Splits bytes into chunks that BPE merges never cross: a regex-free version of GPT-2's pattern
/// `?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` (without its English contraction rules).
///
/// Rule ("orchard.unicode-classes.v1"): decode UTF-8 scalar by scalar and classify each as letter
/// (Unicode alphabetic), digit (Unicode numeric), whitespace, or other (punctuation, symbols, and every
/// byte that is not valid UTF-8, one byte at a time). A chunk is a maximal run of one class, except that
///  - a single space directly before a non-whitespace run joins that run (" world", " 42", " (");
///  - a whitespace run followed by non-whitespace leaves its final space for the next chunk, as in GPT-2.
/// Chunks are also cut every `maxChunkBytes` bytes so that one long run (a line of '=' or a minified
/// blob) cannot make encoding quadratic. Any byte string splits into chunks that concatenate back to it.
public enum ByteLevelPreTokenizer {
    public static let name = "orchard.unicode-classes.v1"
    public static let maxChunkBytes = 256

    enum ScalarClass: UInt8 { case letter, digit, whitespace, other }

    /// Class of ASCII bytes, precomputed (the hot path on English and code).
    private static let asciiClass: [ScalarClass] = (0..<128).map { b in
        let s = Unicode.Scalar(UInt8(b))
        if (65...90).contains(b) || (97...122).contains(b) { return .letter }
        if (48...57).contains(b) { return .digit }
        if s.properties.isWhitespace { return .whitespace }
        return .other
    }

    /// Class and byte length of the scalar starting at `i`; invalid UTF-8 is one `.other` byte.
    @inline(__always)
    static func classify(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> (ScalarClass, Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (asciiClass[Int(b0)], 1) }
        let length: Int
        var value: UInt32
        switch b0 {
        case 0xC2...0xDF: length = 2; value = UInt32(b0 & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(b0 & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(b0 & 0x07)
        default: return (.other, 1)
        }
        guard i + length <= bytes.count else { return (.other, 1) }
        for k in 1..<length {
            let b = bytes[i + k]
            guard b & 0xC0 == 0x80 else { return (.other, 1) }
            value = value << 6 | UInt32(b & 0x3F)
        }
        // Reject overlong encodings, surrogates and values past U+10FFFF (not valid UTF-8).
        let minimum: UInt32 = length == 2 ? 0x80 : (length == 3 ? 0x800 : 0x10000)
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return (.other, 1) }
        let p = scalar.properties
        if p.isAlphabetic { return (.letter, length) }
        if p.numericType != nil { return (.digit, length) }
        if p.isWhitespace { return (.whitespace, length) }
        return (.other, length)
    }

    /// Calls `body` with each chunk's byte range, in order; the ranges tile `0..<bytes.count`.
    public static func forEachChunk(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let n = bytes.count
        var i = 0
        while i < n {
            let start = i
            var (cls, len) = classify(bytes, i)
            if bytes[i] == 0x20, i + 1 < n {
                let (nextClass, nextLength) = classify(bytes, i + 1)
                if nextClass != .whitespace {
                    // A single space leads the following run.
                    i += 1
                    cls = nextClass
                    len = nextLength
                }
            }
            if cls == .whitespace {
                var end = i
                var lastStart = i
                while end < n, end - start < maxChunkBytes {
                    let (c, l) = classify(bytes, end)
                    guard c == .whitespace else { break }
                    lastStart = end
                    end += l
                }
                // Leave a trailing space to lead the next (non-whitespace) chunk.
                if end < n, lastStart > start, bytes[lastStart] == 0x20, end - lastStart == 1,
                   classify(bytes, end).0 != .whitespace {
                    end = lastStart
                }
                body(start..<end)
                i = end
                continue
            }
            var end = i + len
            while end < n {
                let (c, l) = classify(bytes, end)
                guard c == cls, end + l - start <= maxChunkBytes else { break }
                end += l
            }
            body(start..<end)
            i = end
        }
    }

    /// The chunks as arrays (convenient for tests and small inputs).
    public static func chunks(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        bytes.withUnsafeBufferPointer { buffer in
            forEachChunk(buffer) { out.append(Array(buffer[$0])) }
        }
        return out
    }
}
