/// GPT-2 architecture hyperparameters.
public struct GPTConfig: Codable, Sendable, Equatable {
    public var vocabularySize: Int
    public var contextLength: Int
    public var layers: Int
    public var channels: Int
    public var heads: Int

    public init(vocabularySize: Int, contextLength: Int, layers: Int, channels: Int, heads: Int) {
        self.vocabularySize = vocabularySize; self.contextLength = contextLength
        self.layers = layers; self.channels = channels; self.heads = heads
    }

    public func validate() throws {
        guard vocabularySize >= 2, contextLength >= 1, layers >= 1, channels >= 1, heads >= 1 else {
            throw ModelError.invalidConfig("every GPT dimension must be positive (vocabulary >= 2): \(self)")
        }
        guard channels % heads == 0 else { throw ModelError.invalidConfig("channels \(channels) not divisible by heads \(heads)") }
        guard vocabularySize <= Int(Int32.max) else { throw ModelError.invalidConfig("vocabulary too large") }
    }

    /// Parameters in matrices that take part in matmuls (tied LM head counted once): the N of 6N FLOPs/token.
    public var matmulParameterCount: Int {
        vocabularySize * channels + layers * (3 * channels * channels + channels * channels + 8 * channels * channels)
    }

    /// Training FLOPs per token: 6N for the matmul weights plus 12·L·T·C for attention scores and values
    /// (the llm.c / PaLM convention, counting the full T×T attention).
    public var trainingFLOPsPerToken: Double {
        6 * Double(matmulParameterCount) + 12 * Double(layers * contextLength * channels)
    }
}

public enum ModelError: Error, Equatable, CustomStringConvertible {
    case invalidConfig(String)
    case invalidInput(String)
    case invalidState(String)

    public var description: String {
        switch self {
        case .invalidConfig(let m): return "invalid model configuration: \(m)"
        case .invalidInput(let m): return "invalid model input: \(m)"
        case .invalidState(let m): return "invalid model state: \(m)"
        }
    }
}
