import Foundation

/// One preference pair as token ids of the base checkpoint's tokenizer: prompt x, chosen y⁺, rejected y⁻.
public struct EncodedPreferencePair: Sendable, Hashable, Codable {
    public var id: String
    public var prompt: [Int32]
    public var chosen: [Int32]
    public var rejected: [Int32]

    public init(id: String, prompt: [Int32], chosen: [Int32], rejected: [Int32]) {
        self.id = id; self.prompt = prompt; self.chosen = chosen; self.rejected = rejected
    }

    /// What `fitted(context:)` cut.
    public struct Truncation: Sendable, Hashable {
        public var prompt = false
        public var response = false
    }

    /// The pair fitted to a model of context T (a row of prompt + response holds at most T + 1 tokens, T predictions):
    /// a response longer than T − 1 tokens is cut from the right to T − 1 (so one prompt token always remains); then the
    /// prompt is cut from the left, keeping its last T + 1 − max(|y⁺|, |y⁻|) tokens, the same prompt for both responses.
    /// Responses must be non-empty and the prompt at least one token (checked by the caller).
    public func fitted(context t: Int) -> (pair: EncodedPreferencePair, truncation: Truncation) {
        var p = self, cut = Truncation()
        let maxResponse = Swift.max(1, t - 1)
        if p.chosen.count > maxResponse { p.chosen = Array(p.chosen.prefix(maxResponse)); cut.response = true }
        if p.rejected.count > maxResponse { p.rejected = Array(p.rejected.prefix(maxResponse)); cut.response = true }
        let room = t + 1 - Swift.max(p.chosen.count, p.rejected.count)
        if p.prompt.count > room { p.prompt = Array(p.prompt.suffix(room)); cut.prompt = true }
        return (p, cut)
    }
}
