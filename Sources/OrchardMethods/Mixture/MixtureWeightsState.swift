import Foundation

/// The weight-setting part of a sampler's state: fixed weights, or a whole ADO policy.
public enum MixtureWeightsState: Sendable, Hashable, Codable {
    case fixed([Double])
    case ado(config: ResolvedADOConfig, state: ADOState)
}
