import Foundation

/// A hyperparameter that is either given or `"auto"` (resolved by a documented rule, then echoed back).
/// JSON: the string `"auto"` or the value itself.
public enum AutoSetting<Value: Sendable & Hashable & Codable>: Sendable, Hashable, Codable {
    case auto
    case value(Value)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self), s == "auto" { self = .auto; return }
        self = .value(try c.decode(Value.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .auto: try c.encode("auto")
        case .value(let v): try c.encode(v)
        }
    }

    /// The given value, or `rule()` when auto.
    public func resolve(_ rule: () -> Value) -> Value {
        switch self {
        case .auto: return rule()
        case .value(let v): return v
        }
    }
}
