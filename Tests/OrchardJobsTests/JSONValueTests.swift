import Testing
import Foundation
@testable import OrchardJobs

@Suite struct JSONValueTests {
    @Test func roundTripsAndKeepsIntegersIntegral() throws {
        let v: JSONValue = ["a": 1, "b": [true, nil, "x"], "c": 0.5]
        let data = v.canonicalData()
        #expect(String(decoding: data, as: UTF8.self) == #"{"a":1,"b":[true,null,"x"],"c":0.5}"#)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == v)
    }
}
