import Foundation
import OrchardQueue
import Testing

/// `JSONDuplicateKeys` on the shapes a hostile or careless client sends.
@Suite struct JSONDuplicateKeysTests {
    func dup(_ text: String) -> String? { JSONDuplicateKeys.firstDuplicate(in: Data(text.utf8)) }

    @Test func findsTheFirstRepeatedKeyWithItsPath() {
        #expect(dup(#"{"a":1,"a":2}"#) == "a")
        #expect(dup(#"{"a":{"b":1,"c":{"d":[1,{"e":1,"e":2}]}}}"#) == "a.c.d[1].e")
        #expect(dup(#"[{"k":1},{"k":1},{"x":1,"x":1}]"#) == "[2].x")
        #expect(dup(#"{"k":"\u006b","\u006b":2}"#) == "k", "escaped and plain spellings are one name")
        #expect(dup(#"{"q\"":1,"q\u0022":2}"#) == "q\"")
    }

    @Test func keysInDifferentObjectsAndStringContentAreNotDuplicates() {
        #expect(dup(#"{"a":{"b":1},"b":2,"c":[{"b":3},{"b":4}]}"#) == nil)
        #expect(dup(#"{"a":"}{\"a\":1,","b":"a"}"#) == nil, "braces, quotes and keys inside strings are text")
        #expect(dup(#"{"a":[1,2,3],"b":{"a":null}}"#) == nil)
        #expect(dup("[]") == nil && dup("{}") == nil && dup("\"a\"") == nil)
    }

    /// The repeat is found after 50,000 distinct keys (one set per object, mutated in place).
    @Test func aLargeFlatObject() {
        let text = "{" + (0..<50_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + ",\"k7\":0}"
        #expect(dup(text) == "k7")
    }
}
