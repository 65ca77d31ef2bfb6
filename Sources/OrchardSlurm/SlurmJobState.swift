import Foundation

/// A Slurm job's state as `squeue -o '%i|%T|%r'` reports it (`%T`: the long state name; `%r`: the reason).
public struct SlurmJobState: Sendable, Hashable {
    public var id: String
    public var state: String
    /// Why it waits or ended (`Resources`, `Priority`, `NonZeroExitCode`, …); nil for `None`.
    public var reason: String?

    public init(id: String, state: String, reason: String?) { self.id = id; self.state = state; self.reason = reason }

    /// States after which none of the job's processes run (Slurm's "completed" job states). Everything else —
    /// PENDING, CONFIGURING, RUNNING, COMPLETING (processes may still be exiting), SUSPENDED, REQUEUED, … — is live.
    public static let finishedStates: Set<String> = [
        "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
        "REVOKED",
    ]
    public var isFinished: Bool { Self.finishedStates.contains(state) }
    /// Not started yet: cancelling it cannot interrupt any work.
    public var isPending: Bool { state == "PENDING" || state == "REQUEUE_HOLD" }

    /// Parses `squeue -h -o '%i|%T|%r'` output: one job per line; array tasks (`12_3`) and unparsable lines are kept
    /// by id as printed. The reason `None` becomes nil.
    public static func parse(squeue output: String) -> [String: SlurmJobState] {
        var out: [String: SlurmJobState] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count >= 2, !fields[0].isEmpty, !fields[1].isEmpty else { continue }
            let reason = fields.count > 2 && !fields[2].isEmpty && fields[2] != "None" ? fields[2] : nil
            out[fields[0]] = SlurmJobState(id: fields[0], state: fields[1], reason: reason)
        }
        return out
    }

    /// The job id `sbatch --parsable` printed: `id` or `id;cluster`.
    public static func parse(sbatchParsable output: String) -> String? {
        let first = output.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let id = first.split(separator: ";").first.map(String.init) ?? ""
        guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "_") }) else { return nil }
        return id
    }
}
