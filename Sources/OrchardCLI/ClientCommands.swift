import ArgumentParser
import Foundation
import NIOHTTP1
import OrchardJobs

/// `orchard submit TYPE --params JSON`: queues a job and prints it.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "submit", abstract: "Submit a job (prints the job object).")

    @Argument(help: "Job type, e.g. pretrain.") var type: String
    @Option(help: "Params as a JSON object, or @FILE.") var params: String = "{}"
    @Option(help: "Seed (integer).") var seed: UInt64?
    @Option(help: "Priority 0 (first) ... 9.") var priority: Int?
    @Option(help: "Attempts before the job fails for good.") var maxAttempts: Int?
    @Option(help: "KEY=VALUE metadata (repeatable).") var metadata: [String] = []
    @Option(help: "Idempotency-Key header: resubmitting with the same key returns the same job.") var idempotencyKey: String?
    @Option(help: "Where the job runs: local | slurm (default: the server's).") var backend: String?
    @Option(help: "Compute threads of the job (on Slurm: --cpus-per-task).") var threads: Int?

    func run() async throws {
        let client = try APIClient.fromEnvironment()
        let text = params.hasPrefix("@") ? try String(contentsOfFile: String(params.dropFirst()), encoding: .utf8) : params
        guard let p = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { throw ValidationError("--params is not valid JSON") }
        var body: [String: JSONValue] = ["type": .string(type), "params": p]
        if let seed { body["seed"] = .number(Double(seed)) }
        if let priority { body["priority"] = .number(Double(priority)) }
        if let maxAttempts { body["max_attempts"] = .number(Double(maxAttempts)) }
        if let backend { body["backend"] = .string(backend) }
        if let threads { body["threads"] = .number(Double(threads)) }
        if !metadata.isEmpty {
            var m: [String: JSONValue] = [:]
            for kv in metadata {
                guard let eq = kv.firstIndex(of: "=") else { throw ValidationError("--metadata takes KEY=VALUE") }
                m[String(kv[..<eq])] = .string(String(kv[kv.index(after: eq)...]))
            }
            body["metadata"] = .object(m)
        }
        let job = try await client.request(.POST, "/v1/jobs", body: JSONValue.object(body).canonicalData(),
                                           headers: idempotencyKey.map { [("Idempotency-Key", $0)] } ?? [])
        APIClient.printJSON(job)
    }
}

/// `orchard jobs list | get ID | cancel ID | pause ID | resume ID`.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jobs", abstract: "List, inspect and control jobs.",
                                                     subcommands: [List.self, Get.self, Cancel.self, Pause.self, Resume.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List jobs, newest first.")
        @Option var status: String?
        @Option var type: String?
        @Option var limit: Int = 20
        @Option(help: "Cursor: the last job id of the previous page.") var after: String?
        @Flag(help: "Print the raw JSON list.") var json = false

        func run() async throws {
            let client = try APIClient.fromEnvironment()
            var q = ["limit=\(limit)"]
            if let status { q.append("status=\(status)") }
            if let type { q.append("type=\(type)") }
            if let after { q.append("after=\(after)") }
            let list = try await client.request(.GET, "/v1/jobs?" + q.joined(separator: "&"))
            if json { APIClient.printJSON(list); return }
            for j in list["data"]?.arrayValue ?? [] {
                let step = j["progress"]?["step"]?.intValue.map(String.init) ?? "-"
                let total = j["progress"]?["total_steps"]?.intValue.map(String.init) ?? "-"
                print("\(j["id"]?.stringValue ?? "?")  \(j["type"]?.stringValue ?? "?")  \(j["status"]?.stringValue ?? "?")  step \(step)/\(total)")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a job.")
        @Argument var id: String
        func run() async throws { APIClient.printJSON(try await APIClient.fromEnvironment().request(.GET, "/v1/jobs/\(id)")) }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job (running jobs checkpoint, then stop).")
        @Argument var id: String
        func run() async throws { APIClient.printJSON(try await APIClient.fromEnvironment().request(.POST, "/v1/jobs/\(id)/cancel")) }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a job (it checkpoints and stops; resume re-queues it).")
        @Argument var id: String
        func run() async throws { APIClient.printJSON(try await APIClient.fromEnvironment().request(.POST, "/v1/jobs/\(id)/pause")) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused job.")
        @Argument var id: String
        func run() async throws { APIClient.printJSON(try await APIClient.fromEnvironment().request(.POST, "/v1/jobs/\(id)/resume")) }
    }
}
