import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OrchardCorpus

/// The Slurm client commands the dispatcher runs (found on PATH, or in `binDirectory`): `sbatch`, `squeue`, `scancel`.
/// Every call blocks; the dispatcher runs them off the cooperative pool.
public struct SlurmCommands: Sendable {
    public var binDirectory: String?
    public init(binDirectory: String? = nil) { self.binDirectory = binDirectory }

    public struct Failure: Error, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var output: String
        public var description: String { "\(command) exited \(status): \(output)" }
    }

    /// The user the commands run as (squeue lists only this user's jobs).
    public static var currentUser: String {
        guard let pw = getpwuid(getuid()), let name = pw.pointee.pw_name else { return String(getuid()) }
        return String(cString: name)
    }

    func tool(_ name: String) -> String { binDirectory.map { "\($0)/\(name)" } ?? name }

    func run(_ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run(arguments)
        let stdout = String(decoding: result.stdout, as: UTF8.self)
        guard result.status == 0 else {
            let output = (result.stderr + stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(command: arguments.first ?? "", status: result.status, output: String(output.prefix(500)))
        }
        return stdout
    }

    /// `sbatch <options> <script>`; returns the Slurm job id.
    public func submit(options: [String], script: URL) throws -> String {
        let out = try run([tool("sbatch")] + options + [script.path])
        guard let id = SlurmJobState.parse(sbatchParsable: out) else {
            throw Failure(command: "sbatch", status: 0, output: "unexpected answer: \(out.prefix(200))")
        }
        return id
    }

    /// Every job of this user that Slurm still knows (`-t all`: finished ones too, until the cluster's MinJobAge), by id.
    /// A job missing from the answer has ended and been forgotten. Throws when squeue fails (controller unreachable):
    /// then nothing may be concluded about any job.
    public func queue(user: String = SlurmCommands.currentUser) throws -> [String: SlurmJobState] {
        SlurmJobState.parse(squeue: try run([tool("squeue"), "-h", "-t", "all", "-u", user, "-o", "%i|%T|%r"]))
    }

    /// This user's jobs named `name` (a reservation whose `sbatch` answer was lost).
    public func jobs(named name: String, user: String = SlurmCommands.currentUser) throws -> [SlurmJobState] {
        Array(SlurmJobState.parse(squeue: try run([tool("squeue"), "-h", "-t", "all", "-u", user, "-n", name, "-o", "%i|%T|%r"])).values)
    }

    /// `scancel <id>`: SIGTERM to the job's processes, SIGKILL after KillWait; a pending job just ends CANCELLED.
    public func cancel(_ id: String) throws { _ = try run([tool("scancel"), id]) }

    /// The Slurm version (`sbatch --version`): the server checks at start that the client commands work.
    public func version() throws -> String {
        try run([tool("sbatch"), "--version"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
