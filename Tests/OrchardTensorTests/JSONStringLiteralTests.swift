import Foundation
import Testing
@testable import OrchardTensor

/// The project's one JSON string escaper (checkpoint headers, tokenizer files, corpus JSONL, API responses).
@Suite struct JSONStringLiteralTests {
    @Test func escapesExactlyWhatJSONRequires() throws {
        let s = "a\"b\\c\nd\re\tf\u{1}\u{1F}\u{7F}é/🌳"
        #expect(JSONStringLiteral.quote(s) == "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001\\u001f\u{7F}é/🌳\"")
        #expect(JSONStringLiteral.quote(s, escapingDelete: true) == "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001\\u001f\\u007fé/🌳\"")
        var out = "x:"
        JSONStringLiteral.append("y", to: &out)
        #expect(out == "x:\"y\"")
        // Whatever it writes, a JSON parser reads back the same string.
        let parsed = try JSONSerialization.jsonObject(with: Data(JSONStringLiteral.quote(s).utf8), options: .fragmentsAllowed)
        #expect(parsed as? String == s)
    }
}
