import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OrchardJobs

/// The client commands' HTTP access: `ORCHARD_URL` (default http://127.0.0.1:8080) and `ORCHARD_API_KEY`.
struct APIClient {
    let baseURL: String
    let apiKey: String

    static func fromEnvironment() throws -> APIClient {
        let env = ProcessInfo.processInfo.environment
        guard let key = env["ORCHARD_API_KEY"], !key.isEmpty else {
            throw ValidationError("set ORCHARD_API_KEY (create one with `orchard keys create --tenant NAME`)")
        }
        var url = env["ORCHARD_URL"] ?? "http://127.0.0.1:8080"
        while url.hasSuffix("/") { url.removeLast() }
        return APIClient(baseURL: url, apiKey: key)
    }

    struct Failure: Error, CustomStringConvertible {
        let status: Int
        let body: String
        var description: String { "HTTP \(status): \(body)" }
    }

    func request(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = []) async throws -> JSONValue {
        var req = HTTPClientRequest(url: baseURL + path)
        req.method = method
        req.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let body {
            req.headers.add(name: "Content-Type", value: "application/json")
            req.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(req, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let text = String(buffer: bytes)
        guard (200..<300).contains(response.status.code) else { throw Failure(status: Int(response.status.code), body: text) }
        return (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }

    static func printJSON(_ v: JSONValue) {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: (try? e.encode(v)) ?? Data(), as: UTF8.self))
    }
}
