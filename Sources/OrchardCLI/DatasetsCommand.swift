import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OrchardJobs

/// `orchard datasets upload FILE [--name N] [--kind K]` and `orchard datasets list`.
struct DatasetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "datasets", abstract: "Upload and list datasets.",
                                                    subcommands: [Upload.self, List.self])

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload a JSONL file ({id, domain, text} per line, e.g. a prepared train.jsonl); prints the dataset.")
        @Argument(help: "JSONL file.") var file: String
        @Option(help: "Dataset name (default: the file name).") var name: String?
        @Option(help: "documents | preference_pairs (default: detected).") var kind: String?

        func run() async throws {
            let client = try APIClient.fromEnvironment()
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            var query = "name=" + (name ?? URL(fileURLWithPath: file).lastPathComponent)
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            if let kind { query += "&kind=" + kind }
            var req = HTTPClientRequest(url: client.baseURL + "/v1/datasets?" + query)
            req.method = .POST
            req.headers.add(name: "Authorization", value: "Bearer \(client.apiKey)")
            req.headers.add(name: "Content-Type", value: "application/x-ndjson")
            req.body = .bytes(ByteBuffer(bytes: data))
            let response = try await HTTPClient.shared.execute(req, timeout: .seconds(600))
            let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
            guard (200..<300).contains(response.status.code) else {
                throw APIClient.Failure(status: Int(response.status.code), body: text)
            }
            APIClient.printJSON((try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List datasets.")
        func run() async throws {
            APIClient.printJSON(try await APIClient.fromEnvironment().request(.GET, "/v1/datasets?limit=100"))
        }
    }
}
