import Foundation

/// Every failure of corpus preparation, with enough context to act on it.
public enum CorpusError: Error, CustomStringConvertible, Equatable {
    case compression(String)
    case malformed(format: String, detail: String)
    case missingSource(String)
    case commandFailed(command: String, status: Int32, output: String)
    case verificationFailed(String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .compression(let detail): return "compression error: \(detail)"
        case .malformed(let format, let detail): return "malformed \(format): \(detail)"
        case .missingSource(let detail): return "missing source: \(detail)"
        case .commandFailed(let command, let status, let output):
            return "command failed (exit \(status)): \(command)\n\(output.suffix(2000))"
        case .verificationFailed(let detail): return "verification failed: \(detail)"
        case .invalidOption(let detail): return "invalid option: \(detail)"
        }
    }
}
