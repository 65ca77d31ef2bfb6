/// Minimum-cost assignment (Hungarian algorithm, O(r³)): topics come out in arbitrary order, so two
/// models are compared after matching their columns (spec §1.9).
public enum HungarianMatching {
    /// cost is r×r row-major; returns assignment[row] = column minimising the total cost.
    public static func solve(cost: [Double], size r: Int) -> [Int] {
        // Jonker–Volgenant style potentials (1-indexed internally).
        let inf = Double.infinity
        var u = [Double](repeating: 0, count: r + 1), v = u
        var p = [Int](repeating: 0, count: r + 1), way = p
        for i in 1...r {
            p[0] = i
            var j0 = 0
            var minv = [Double](repeating: inf, count: r + 1)
            var used = [Bool](repeating: false, count: r + 1)
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = inf, j1 = 0
                for j in 1...r where !used[j] {
                    let cur = cost[(i0 - 1) * r + (j - 1)] - u[i0] - v[j]
                    if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                    if minv[j] < delta { delta = minv[j]; j1 = j }
                }
                for j in 0...r {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var assignment = [Int](repeating: 0, count: r)
        for j in 1...r where p[j] > 0 { assignment[p[j] - 1] = j - 1 }
        return assignment
    }
}

/// Distances between two topic–word matrices after matching columns by ℓ1 distance.
public enum TopicRecoveryError {
    public struct Result: Sendable, Codable {
        /// matching[k] = column of the estimate matched to reference column k.
        public let matching: [Int]
        public let meanColumnL1: Double
        public let maxColumnL1: Double
        public let frobenius: Double
    }

    /// Both matrices n×r row-major over the same words.
    public static func compare(reference: [Double], estimate: [Double], vocabularySize n: Int, topicCount r: Int) throws -> Result {
        guard r >= 1, reference.count == n * r, estimate.count == n * r else {
            throw TopicModelError.invalidConfiguration("compare needs two \(n)×\(r) matrices (got \(reference.count) and \(estimate.count) entries)")
        }
        var cost = [Double](repeating: 0, count: r * r)
        for k in 0..<r {
            for l in 0..<r {
                var s = 0.0
                for i in 0..<n { s += abs(reference[i * r + k] - estimate[i * r + l]) }
                cost[k * r + l] = s
            }
        }
        let matching = HungarianMatching.solve(cost: cost, size: r)
        let l1 = (0..<r).map { cost[$0 * r + matching[$0]] }
        var f = 0.0
        for i in 0..<n { for k in 0..<r { let d = reference[i * r + k] - estimate[i * r + matching[k]]; f += d * d } }
        return Result(matching: matching, meanColumnL1: l1.reduce(0, +) / Double(r), maxColumnL1: l1.max() ?? 0,
                      frobenius: f.squareRoot())
    }
}
