import Foundation
import OrchardJobs

extension JSONValue {
    /// Compact, key-sorted JSON text (how stores keep JSON columns).
    public var jsonText: String { String(decoding: canonicalData(), as: UTF8.self) }
    /// Parses JSON text; nil for nil or malformed text.
    public init?(jsonText: String?) {
        guard let jsonText, let v = try? JSONDecoder().decode(JSONValue.self, from: Data(jsonText.utf8)) else { return nil }
        self = v
    }
}
