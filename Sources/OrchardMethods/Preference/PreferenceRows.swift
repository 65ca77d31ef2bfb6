import Foundation

/// Rows of (prompt + response) laid out as one `batch × length` next-token problem: row r's input is its tokens but
/// the last, its targets the tokens shifted by one, padded with 0 (coefficient 0) to the longest row. The positions
/// whose targets are response tokens — from the last prompt token to the second-to-last token — are the row's
/// `responsePositions` (flat indices): summing log p over them gives log π(y | x), prompt and padding masked out.
public struct PreferenceRows: Sendable {
    public let batch: Int
    public let length: Int
    public let inputs: [Int32]
    public let targets: [Int32]
    public let responsePositions: [Range<Int>]

    /// `rows`: (prompt, response) with a non-empty prompt and response, |prompt| + |response| − 1 ≤ the model's context.
    public init(_ rows: [(prompt: [Int32], response: [Int32])]) {
        let length = rows.map { $0.prompt.count + $0.response.count - 1 }.max() ?? 1
        var inputs = [Int32](repeating: 0, count: rows.count * length), targets = inputs
        var ranges: [Range<Int>] = []
        for (r, row) in rows.enumerated() {
            let seq = row.prompt + row.response
            for i in 0..<(seq.count - 1) {
                inputs[r * length + i] = seq[i]
                targets[r * length + i] = seq[i + 1]
            }
            let first = r * length + row.prompt.count - 1
            ranges.append(first..<(first + row.response.count))
        }
        self.batch = rows.count; self.length = length
        self.inputs = inputs; self.targets = targets; self.responsePositions = ranges
    }

    /// log π(response | prompt) per row: the Float64 sum of the per-position log-probabilities over the response.
    public func sequenceLogProbabilities(_ perPosition: [Float]) -> [Double] {
        responsePositions.map { r in r.reduce(0.0) { $0 + Double(perPosition[$1]) } }
    }
}
