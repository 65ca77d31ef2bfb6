/// Errors the engine reports for bad input instead of crashing.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case invalidArgument(String)
    case shapeMismatch(String)
    case missingTensor(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .shapeMismatch(let m): return "shape mismatch: \(m)"
        case .missingTensor(let m): return "missing tensor: \(m)"
        }
    }
}
