import Foundation

/// How a pretraining run chooses the domain of each sequence.
/// JSON: `{"kind":"natural"}`, `{"kind":"uniform"}`, `{"kind":"fixed","weights":{"prose":0.5,"code":0.5}}`,
/// `{"kind":"ado","config":{...ADOConfig...}}` (config optional: all defaults / auto).
public enum MixtureStrategy: Sendable, Hashable, Codable {
    /// Each domain's share of tokens (μ).
    case natural
    /// 1/K each.
    case uniform
    /// Given weights by domain name (missing domains get 0; normalised to sum 1).
    case fixed([String: Double])
    /// Adaptive Data Optimization, with prior μ = natural.
    case ado(ADOConfig)

    private enum Keys: String, CodingKey { case kind, weights, config }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "natural": self = .natural
        case "uniform": self = .uniform
        case "fixed": self = .fixed(try c.decode([String: Double].self, forKey: .weights))
        case "ado": self = .ado(try c.decodeIfPresent(ADOConfig.self, forKey: .config) ?? ADOConfig())
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c,
                debugDescription: "mixture kind must be natural | uniform | fixed | ado, got '\(kind)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .natural: try c.encode("natural", forKey: .kind)
        case .uniform: try c.encode("uniform", forKey: .kind)
        case .fixed(let w): try c.encode("fixed", forKey: .kind); try c.encode(w, forKey: .weights)
        case .ado(let cfg): try c.encode("ado", forKey: .kind); try c.encode(cfg, forKey: .config)
        }
    }

    public var kind: String {
        switch self {
        case .natural: return "natural"
        case .uniform: return "uniform"
        case .fixed: return "fixed"
        case .ado: return "ado"
        }
    }
}

/// A strategy with everything decided, to echo on the job: the initial weights by domain and, for ADO,
/// every hyperparameter with its resolved value.
public struct ResolvedMixtureStrategy: Sendable, Hashable, Codable {
    public var kind: String
    public var domains: [String]
    public var initialWeights: [Double]
    public var ado: ResolvedADOConfig?

    public init(kind: String, domains: [String], initialWeights: [Double], ado: ResolvedADOConfig?) {
        self.kind = kind; self.domains = domains; self.initialWeights = initialWeights; self.ado = ado
    }

    /// Wire keys `kind`, `domains`, `initial_weights`, `ado` (`initialWeights` accepted from older checkpoints).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        self.init(kind: try c.decode(String.self, wire: "kind"), domains: try c.decode([String].self, wire: "domains"),
                  initialWeights: try c.decode([Double].self, wire: "initial_weights"),
                  ado: try c.decodeIfPresent(ResolvedADOConfig.self, wire: "ado"))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        try c.encode(kind, forKey: WireKey("kind")); try c.encode(domains, forKey: WireKey("domains"))
        try c.encode(initialWeights, forKey: WireKey("initial_weights")); try c.encodeIfPresent(ado, forKey: WireKey("ado"))
    }
}

public struct MixtureError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = "mixture: " + d }
}

extension MixtureStrategy {
    /// Resolves the strategy on a catalog. `totalSteps` and `vocabularySize` feed ADO's "auto" rules.
    public func resolved(for catalog: MixtureCatalog, totalSteps: Int, vocabularySize: Int) throws -> ResolvedMixtureStrategy {
        let names = catalog.domainNames
        let k = names.count
        switch self {
        case .natural:
            return ResolvedMixtureStrategy(kind: kind, domains: names, initialWeights: catalog.naturalWeights, ado: nil)
        case .uniform:
            return ResolvedMixtureStrategy(kind: kind, domains: names, initialWeights: Array(repeating: 1 / Double(k), count: k), ado: nil)
        case .fixed(let given):
            for (name, w) in given {
                guard names.contains(name) else { throw MixtureError("fixed weights name unknown domain '\(name)' (domains: \(names.joined(separator: ", ")))") }
                guard w.isFinite && w >= 0 else { throw MixtureError("fixed weight of '\(name)' must be finite and ≥ 0, got \(w)") }
            }
            let raw = names.map { given[$0] ?? 0 }
            let s = raw.reduce(0, +)
            guard s > 0 else { throw MixtureError("fixed weights must not all be zero") }
            return ResolvedMixtureStrategy(kind: kind, domains: names, initialWeights: raw.map { $0 / s }, ado: nil)
        case .ado(let cfg):
            let r = try cfg.resolved(for: ADOResolutionContext(totalSteps: totalSteps, domainCount: k, vocabularySize: vocabularySize))
            return ResolvedMixtureStrategy(kind: kind, domains: names, initialWeights: catalog.naturalWeights, ado: r)
        }
    }
}
