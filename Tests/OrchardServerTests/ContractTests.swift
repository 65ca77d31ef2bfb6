import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import Testing

/// Where docs/openapi.yaml and the server used to disagree (issue 19 item 10), checked as a client sees it.
@Suite struct ContractTests {
    @Test func duplicateKeysAreRefusedWithTheirPath() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            func post(_ uri: String, _ raw: String) async throws -> (HTTPResponse.Status, JSONValue) {
                let r = try await client.execute(uri: uri, method: .post, headers: server.auth(), body: ByteBuffer(string: raw))
                return (r.status, json(r.body))
            }
            for (raw, path) in [
                (#"{"type":"test_counter","type":"test_counter"}"#, "type"),
                (#"{"type":"test_counter","params":{"steps":2,"steps":3}}"#, "params.steps"),
                (#"{"type":"test_counter","metadata":{"a":"x","\u0061":"y"}}"#, "metadata.a"),
                (#"{"type":"test_counter","params":{"list":[{"k":1},{"k":1,"k":2}]}}"#, "params.list[1].k"),
            ] {
                let (s, e) = try await post("/v1/jobs", raw)
                #expect(s == .badRequest && e["error"]?["code"] == "invalid_json" && e["error"]?["param"] == .string(path), "\(raw): \(e)")
            }
            // The same key in sibling objects is fine.
            let (ok, job) = try await post("/v1/jobs", #"{"type":"test_counter","params":{"steps":1},"metadata":{"steps":"1"}}"#)
            #expect(ok == .created, "\(job)")
            let (s, e) = try await post("/v1/deletion_requests", #"{"dataset":"ds_x","dataset":"ds_y","document_ids":["a"],"reason":"r"}"#)
            #expect(s == .badRequest && e["error"]?["param"] == "dataset")
            // A dataset line with a repeated key is refused with its line number; nothing is stored.
            let upload = "{\"id\":\"a\",\"domain\":\"d\",\"text\":\"one\"}\n{\"id\":\"b\",\"domain\":\"d\",\"text\":\"two\",\"text\":\"three\"}\n"
            let r = try await client.execute(uri: "/v1/datasets?name=dups", method: .post, headers: server.auth(), body: ByteBuffer(string: upload))
            let err = json(r.body)["error"]
            #expect(r.status == .unprocessableContent && err?["param"] == "line 2" && (err?["message"]?.stringValue ?? "").contains("duplicate key"), "\(json(r.body))")
            let datasets = json(try await client.execute(uri: "/v1/datasets", method: .get, headers: server.auth()).body)
            #expect(datasets["data"]?.arrayValue?.isEmpty == true)
        }
    }

    /// A documented path with an undocumented method is 405 with `Allow`, in the envelope; an unknown path stays 404.
    @Test func unsupportedMethodsAre405WithAllow() async throws {
        let routes = DocumentedRoutesForTest.parse()
        #expect(routes.count == 24)
        let server = try TestServer()
        try await server.app().test(.router) { client in
            for (path, methods) in routes {
                let uri = path.replacingOccurrences(of: "{id}", with: "x_missing").replacingOccurrences(of: "{name}", with: "loss")
                for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where !methods.contains(method.rawValue) {
                    let r = try await client.execute(uri: uri, method: method, headers: server.auth(), body: ByteBuffer(string: "{}"))
                    #expect(r.status == .methodNotAllowed, "\(method) \(path) -> \(r.status)")
                    #expect(r.headers[.allow] == methods.joined(separator: ", "), "\(method) \(path): Allow \(r.headers[.allow] ?? "-")")
                    #expect(json(r.body)["error"]?["code"] == "method_not_allowed")
                }
            }
            let unknown = try await client.execute(uri: "/v1/nothing", method: .patch, headers: server.auth())
            #expect(unknown.status == .notFound && json(unknown.body)["error"]?["code"] == "not_found")
        }
    }

    /// `?after=` with no value is the parameter left out; the two event lists take the same cursor range.
    @Test func emptyCursorIsAbsentAndEventCursorsShareOneRange() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let created = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(),
                                                   body: body(["type": "test_counter", "params": ["steps": 1]]))
            let id = try #require(json(created.body)["id"]?.stringValue)
            for uri in ["/v1/jobs/\(id)/events?after=", "/v1/jobs?after=", "/v1/jobs?after=&limit=", "/v1/datasets?after="] {
                let r = try await client.execute(uri: uri, method: .get, headers: server.auth())
                #expect(r.status == .ok, "\(uri) -> \(r.status) \(json(r.body))")
            }
            let events = json(try await client.execute(uri: "/v1/jobs/\(id)/events?after=", method: .get, headers: server.auth()).body)
            #expect(events["data"]?.arrayValue?.first?["id"] == 1)
            let max = Int.max
            let jobEvents = try await client.execute(uri: "/v1/jobs/\(id)/events?after=\(max)", method: .get, headers: server.auth())
            #expect(jobEvents.status == .ok)
            // Deletion-request events: same range (the request does not exist: 404, not a 422 on `after`).
            let drEvents = try await client.execute(uri: "/v1/deletion_requests/dr_missing/events?after=\(max)", method: .get, headers: server.auth())
            #expect(drEvents.status == .notFound, "\(json(drEvents.body))")
            for uri in ["/v1/jobs/\(id)/events?after=-1", "/v1/deletion_requests/dr_missing/events?after=9223372036854775808"] {
                let r = try await client.execute(uri: uri, method: .get, headers: server.auth())
                #expect(r.status == .unprocessableContent && json(r.body)["error"]?["param"] == "after", "\(uri)")
            }
        }
    }

    /// Answers the HTTP decoder produces itself (no route ran) carry the envelope too.
    @Test func oversizedHeadersAndMalformedRequestsGetTheEnvelope() async throws {
        let server = try TestServer()
        try await server.app().test(.live) { client in
            let port = try #require(client.port)
            let big = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100 * 1024))\r\n\r\n"
            let (head, payload) = try RawHTTP.exchange(port: port, request: big)
            #expect(head.hasPrefix("HTTP/1.1 431"), "\(head)")
            #expect(head.lowercased().contains("content-type: application/json"))
            let e = try JSONDecoder().decode(JSONValue.self, from: Data(payload.utf8))
            #expect(e["error"]?["code"] == "request_header_fields_too_large", "\(payload)")
            let (badHead, badPayload) = try RawHTTP.exchange(port: port, request: "NOT AN HTTP REQUEST\r\n\r\n")
            #expect(badHead.hasPrefix("HTTP/1.1 400"), "\(badHead)")
            #expect((try JSONDecoder().decode(JSONValue.self, from: Data(badPayload.utf8)))["error"]?["code"] == "malformed_request")
            // Headers under the limit still work, and so does the connection's server.
            let (okHead, _) = try RawHTTP.exchange(port: port, request: "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(okHead.hasPrefix("HTTP/1.1 200"), "\(okHead)")
        }
    }

    /// The Authorization header: scheme case-insensitive, surrounding whitespace ignored; anything else is 401.
    @Test func authorizationHeaderWhitespace() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            for value in ["Bearer \(server.key)", "bearer \(server.key)", "Bearer  \(server.key) ", "BEARER \(server.key)\t"] {
                let r = try await client.execute(uri: "/v1/jobs", method: .get, headers: [.authorization: value])
                #expect(r.status == .ok, "'\(value)' -> \(r.status)")
            }
            for value in ["Bearer", "Bearer ", "Basic \(server.key)", "Bearer \(server.key)x", "Bearer \(server.key) extra"] {
                let r = try await client.execute(uri: "/v1/jobs", method: .get, headers: [.authorization: value])
                #expect(r.status == .unauthorized && json(r.body)["error"]?["code"] == "unauthorized", "'\(value)' -> \(r.status)")
            }
        }
    }

    /// Every answer, success or error envelope, JSON or not, tells browsers not to sniff its type.
    @Test func everyAnswerSaysNoSniff() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let answers = [
                try await client.execute(uri: "/healthz", method: .get),
                try await client.execute(uri: "/openapi.yaml", method: .get),
                try await client.execute(uri: "/v1/jobs", method: .get, headers: server.auth()),
                try await client.execute(uri: "/v1/jobs", method: .get),                                     // 401
                try await client.execute(uri: "/v1/jobs/job_none", method: .get, headers: server.auth()),   // 404
                try await client.execute(uri: "/v1/jobs", method: .delete, headers: server.auth()),          // 405
                try await client.execute(uri: "/no/such/path", method: .get),                                 // 404
            ]
            for r in answers {
                #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(r.status)")
            }
            #expect(answers.map(\.status.code) == [200, 200, 200, 401, 404, 405, 404])
        }
    }
}

/// docs/openapi.yaml's operations, read independently of the server's own table.
enum DocumentedRoutesForTest {
    static func parse() -> [(String, [String])] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let yaml = (try? String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)) ?? ""
        var out: [(String, [String])] = []
        var inPaths = false
        for line in yaml.split(separator: "\n") {
            if !line.hasPrefix(" ") { inPaths = line == "paths:"; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /") { out.append((String(line.dropFirst(2).dropLast()), [])); continue }
            for m in ["get", "post", "put", "delete", "patch"] where line == "    \(m):" { out[out.count - 1].1.append(m.uppercased()) }
        }
        return out
    }
}

/// One request over a plain socket, read to the end: for answers no HTTP client library would let a test provoke.
enum RawHTTP {
    struct Failure: Error { var message: String }

    static func exchange(port: Int, request: String) throws -> (head: String, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "socket") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(message: "connect") }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }   // the server may answer and close before it has read everything
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return (text, "") }
        return (String(text[..<split.lowerBound]), String(text[split.upperBound...]))
    }
}
