import Foundation

/// A coding key given by name. Wire names (job params, results, events) are snake_case; releases before
/// wave 2 wrote the ADO config, its bounds and start grid, and the resolved mixture in camelCase. Decoding
/// accepts both spellings (a job queued before the upgrade resumes after it); encoding writes snake_case.
public struct WireKey: CodingKey, Hashable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ s: String) { stringValue = s }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }

    /// `update_interval` → `updateInterval`.
    public static func camelCase(_ snake: String) -> String {
        let parts = snake.split(separator: "_")
        guard let first = parts.first else { return snake }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

extension KeyedDecodingContainer where K == WireKey {
    /// The key present in this object: the snake_case name, else its camelCase spelling, else the snake_case name.
    public func wireKey(_ snake: String) -> WireKey {
        let s = WireKey(snake)
        if contains(s) { return s }
        let c = WireKey(WireKey.camelCase(snake))
        return contains(c) ? c : s
    }
    public func decode<T: Decodable>(_ type: T.Type, wire snake: String) throws -> T {
        try decode(T.self, forKey: wireKey(snake))
    }
    public func decodeIfPresent<T: Decodable>(_ type: T.Type, wire snake: String) throws -> T? {
        try decodeIfPresent(T.self, forKey: wireKey(snake))
    }
    /// Every key of this object in snake_case (camelCase spellings converted).
    public var wireKeys: [(key: WireKey, snake: String)] {
        allKeys.map { k in (k, k.stringValue.contains(where: \.isUppercase) ? WireKey.snakeCase(k.stringValue) : k.stringValue) }
    }
}

extension WireKey {
    /// `updateInterval` → `update_interval`.
    public static func snakeCase(_ camel: String) -> String {
        var out = ""
        for ch in camel {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}
