import Foundation
import Hummingbird

/// Strict query parsing: unknown parameters and bad values are 422 with `param`. A known parameter with an empty
/// value (`?after=`, as a client writes a cursor it does not have yet) is the same as the parameter left out.
struct QueryReader {
    let params: [(String, String)]

    init(_ request: Request, allowed: Set<String>, allowPrefixes: [String] = []) throws {
        var out: [(String, String)] = []
        for (k, v) in request.uri.queryParameters {
            let key = String(k).removingPercentEncoding ?? String(k)
            guard allowed.contains(key) || allowPrefixes.contains(where: { key.hasPrefix($0) }) else {
                throw APIError.invalid(key, "unknown query parameter \(key)", code: "unknown_parameter")
            }
            if v.isEmpty { continue }
            out.append((key, String(v).removingPercentEncoding ?? String(v)))
        }
        params = out
    }

    func string(_ name: String) -> String? { params.first { $0.0 == name }?.1 }

    func int(_ name: String, in range: ClosedRange<Int>, default d: Int) throws -> Int {
        guard let s = string(name) else { return d }
        guard let i = Int(s), range.contains(i) else {
            throw APIError.invalid(name, "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }
}
