import Foundation

/// The multi-start grid of the fit. Official: 8×8×8 = 512 starts,
/// a ∈ {-2,…,5}, e ∈ {-2,-1.5,…,1.5}, α ∈ {0,0.1,…,0.7}.
public struct ScalingLawStartGrid: Sendable, Hashable, Codable {
    public var aValues: [Double]
    public var eValues: [Double]
    public var alphaValues: [Double]

    public init(aValues: [Double], eValues: [Double], alphaValues: [Double]) {
        self.aValues = aValues; self.eValues = eValues; self.alphaValues = alphaValues
    }

    public static let official = ScalingLawStartGrid(
        aValues: (0..<8).map { Double($0) - 2 },
        eValues: (0..<8).map { -2 + 0.5 * Double($0) },
        alphaValues: (0..<8).map { 0.1 * Double($0) })

    /// The 4×4×4 grid spec §1.2 allows "if time is tight": every other official value.
    public static let coarse = ScalingLawStartGrid(
        aValues: [-2, 0, 2, 4], eValues: [-2, -1, 0, 1], alphaValues: [0, 0.2, 0.4, 0.6])

    /// Starts in a fixed order (a outermost, α innermost) so the fit is deterministic.
    public var starts: [ScalingLaw] {
        var out: [ScalingLaw] = []
        out.reserveCapacity(aValues.count * eValues.count * alphaValues.count)
        for a in aValues { for e in eValues { for al in alphaValues { out.append(ScalingLaw(a: a, e: e, alpha: al)) } } }
        return out
    }

    /// JSON: a preset name (`"official"`, `"coarse"`) or an object with the three value lists
    /// (`a_values`, `e_values`, `alpha_values`).
    public init(from decoder: Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            switch name {
            case "official": self = .official
            case "coarse": self = .coarse
            default: throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "start grid preset must be 'official' or 'coarse' (or 'auto'), got '\(name)'"))
            }
            return
        }
        let c = try decoder.container(keyedBy: WireKey.self)
        self.init(aValues: try c.decode([Double].self, wire: "a_values"), eValues: try c.decode([Double].self, wire: "e_values"),
                  alphaValues: try c.decode([Double].self, wire: "alpha_values"))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        try c.encode(aValues, forKey: WireKey("a_values")); try c.encode(eValues, forKey: WireKey("e_values"))
        try c.encode(alphaValues, forKey: WireKey("alpha_values"))
    }
}
