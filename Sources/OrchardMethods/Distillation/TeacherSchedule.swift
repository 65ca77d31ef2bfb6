/// Which teacher checkpoint a student learns from at each of its steps (spec algorithms-1 §4.3). The teacher's saved
/// steps are s₁ < … < s_M.
///  - `labels`: no teacher (hard labels only; the CE baseline).
///  - `oneShot`: the final checkpoint s_M throughout.
///  - `progressive(r)`: at student step t, the first saved s ≥ r·t (the last once r·t is past s_M): the student follows
///    the teacher's trajectory at r times its pace (§6.4 check 4: with r = 1, the smallest saved s ≥ t).
///  - `steps(list)`: the same rule over the listed checkpoints only: at step t, the first listed step ≥ t, then the
///    last. A 2-shot schedule is [s_mid, s_final]; a list naming only the final step is one-shot, bit for bit.
public enum TeacherSchedule: Sendable, Hashable {
    case labels
    case oneShot
    case progressive(multiplier: Double)
    case steps([Int])

    /// The teacher step for student step t (0-based: the step being taken), or nil for `labels`. `saved`: ascending, non-empty.
    public func teacherStep(studentStep t: Int, saved: [Int]) -> Int? {
        switch self {
        case .labels: return nil
        case .oneShot: return saved.last
        case .progressive(let r): return Self.firstAtOrAfter(r * Double(t), in: saved)
        case .steps(let list): return Self.firstAtOrAfter(Double(t), in: list)
        }
    }

    static func firstAtOrAfter(_ x: Double, in sorted: [Int]) -> Int? {
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if Double(sorted[mid]) >= x { hi = mid } else { lo = mid + 1 } }
        return lo < sorted.count ? sorted[lo] : sorted.last
    }
}
