import Foundation

/// The soft box the official ADO objective keeps (a, e, α) in. Each penalty is unweighted and linear
/// outside its bound, exactly as `ado.py`: `max(α-αmax,0) - min(α,αfloor) + max(a-amax,0) + max(emin-e,0)`.
public struct ScalingLawBounds: Sendable, Hashable, Codable {
    /// α above this is penalised (official 0.8).
    public var alphaMax: Double
    /// `-min(α, alphaFloor)`: pushes α up while below the floor (official 0.001).
    public var alphaFloor: Double
    /// log β above this is penalised (official 6.5: β ≤ ≈665).
    public var aMax: Double
    /// log ε below this is penalised (official 0.5: ε ≥ ≈1.65 nats, tuned to Pile BPE losses).
    public var eMin: Double

    public init(alphaMax: Double, alphaFloor: Double, aMax: Double, eMin: Double) {
        self.alphaMax = alphaMax; self.alphaFloor = alphaFloor; self.aMax = aMax; self.eMin = eMin
    }

    /// The official bounds (Pile, BPE losses of 2-4 nats, counts in 1024-token sequences).
    public static let pile = ScalingLawBounds(alphaMax: 0.8, alphaFloor: 0.001, aMax: 6.5, eMin: 0.5)

    /// Spec §1.8: byte-level losses (0.5-3 nats) need ε well below e^0.5 and room for a larger β,
    /// or the fit pins ε at the bound. ε ≥ e^-3 ≈ 0.05 nats, β ≤ e^10.
    public static let byteLevel = ScalingLawBounds(alphaMax: 0.8, alphaFloor: 0.001, aMax: 10, eMin: -3)

    /// JSON: a preset name (`"pile"`, `"byte_level"`; `"byteLevel"` as older releases wrote it) or an object
    /// with all four bounds (`alpha_max`, `alpha_floor`, `a_max`, `e_min`).
    public init(from decoder: Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            switch name {
            case "pile": self = .pile
            case "byte_level", "byteLevel": self = .byteLevel
            default: throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "bounds preset must be 'pile' or 'byte_level' (or 'auto'), got '\(name)'"))
            }
            return
        }
        let c = try decoder.container(keyedBy: WireKey.self)
        self.init(alphaMax: try c.decode(Double.self, wire: "alpha_max"), alphaFloor: try c.decode(Double.self, wire: "alpha_floor"),
                  aMax: try c.decode(Double.self, wire: "a_max"), eMin: try c.decode(Double.self, wire: "e_min"))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        try c.encode(alphaMax, forKey: WireKey("alpha_max")); try c.encode(alphaFloor, forKey: WireKey("alpha_floor"))
        try c.encode(aMax, forKey: WireKey("a_max")); try c.encode(eMin, forKey: WireKey("e_min"))
    }
}
