import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardJobs
import OrchardQueue
import OrchardServer
import OrchardStore
import OrchardTestSupport
import Testing

@Suite struct JobAPITests {
    @Test func submitValidatesResolvesAndEchoesParamsAndSeed() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(),
                                             body: body(["type": "test_counter", "params": ["steps": "auto"], "seed": 42,
                                                         "priority": 2, "metadata": ["team": "nlp"]]))
            #expect(r.status == .created)
            let job = json(r.body)
            #expect(job["object"] == "job" && job["status"] == "queued" && job["seed"] == 42 && job["priority"] == 2)
            // The seed is the job's (handed to the run), not a parameter: params echo only the resolved params.
            #expect(job["params"]?["steps"] == 20 && job["params"]?["seed"] == nil)
            #expect(job["metadata"]?["team"] == "nlp")
            let id = try #require(job["id"]?.stringValue)
            #expect(id.hasPrefix("job_"))
            let got = try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: server.auth())
            #expect(got.status == .ok && json(got.body)["id"] == .string(id))
        }
    }

    /// A server whose default back end is Slurm (`--slurm --default-backend slurm`) queues jobs for it, and its local
    /// worker pool leaves them alone (only a Slurm worker started for the job claims it); `"backend": "local"` and
    /// `threads` are honoured and shown on the job.
    @Test func jobsOfAnotherBackendAreShownAndNeverRunByTheLocalWorkers() async throws {
        let server = try TestServer(workers: 1, configure: {
            $0.backends = JobBackends(available: ["local", "slurm"], defaultBackend: "slurm")
        })
        try await server.app().test(.router) { client in
            func post(_ v: JSONValue) async throws -> JSONValue {
                let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(), body: body(v))
                #expect(r.status == .created)
                return json(r.body)
            }
            let slurm = try await post(["type": "test_counter", "params": ["steps": 2]])
            let local = try await post(["type": "test_counter", "params": ["steps": 2], "backend": "local", "threads": 2])
            #expect(slurm["backend"] == "slurm" && slurm["threads"] == .null && slurm["backend_ref"] == .null)
            #expect(local["backend"] == "local" && local["threads"] == 2)
            let localID = try #require(local["id"]?.stringValue), slurmID = try #require(slurm["id"]?.stringValue)
            #expect(try await eventually { try server.store.job(id: localID, tenant: nil)?.status == .succeeded })
            try await Task.sleep(for: .milliseconds(500))
            let waiting = try #require(try server.store.job(id: slurmID, tenant: nil))
            #expect(waiting.status == .queued && waiting.attempt == 0, "no local worker took the Slurm job")
        }
    }

    /// Typed params over HTTP: decoded once with the exact path of the bad field, defaults from the params type,
    /// "auto" resolved and echoed; the ADO config is snake_case on the wire (camelCase from older clients still decodes).
    @Test func typedParamsNameTheExactPathAndEchoSnakeCase() async throws {
        let server = try TestServer(kinds: { $0.register(PretrainKind()); $0.register(TopicModelKind()); $0.register(TopicHeadKind()); $0.register(DPOKind()) })
        try await server.app().test(.router) { client in
            func post(_ params: JSONValue, type: String = "pretrain", key: String? = nil) async throws -> (HTTPResponse.Status, JSONValue) {
                let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(key),
                                                 body: body(["type": .string(type), "params": params, "seed": 5]))
                return (r.status, json(r.body))
            }
            func upload(_ jsonl: String, key: String? = nil) async throws -> String {
                let r = try await client.execute(uri: "/v1/datasets", method: .post, headers: server.auth(key), body: ByteBuffer(string: jsonl))
                #expect(r.status == .created)
                return try #require(json(r.body)["id"]?.stringValue)
            }
            let docs = try await upload(#"{"id":"a","domain":"x","text":"some words"}"# + "\n" + #"{"id":"b","domain":"y","text":"more words"}"#)
            let pairs = try await upload(#"{"prompt":"p","chosen":"c","rejected":"r"}"#)
            let theirs = try await upload(#"{"id":"z","domain":"x","text":"other tenant"}"#, key: server.otherKey)
            let bad: [(JSONValue, String)] = [
                (["dataset": "ds_x", "model": ["heads": "four"]], "params.model.heads"),
                (["dataset": "ds_x", "model": ["d_model": 30, "heads": 4]], "params.model.heads"),
                (["dataset": "ds_x", "mixture": ["kind": "ado", "config": ["update_interval": "often"]]], "params.mixture.config.update_interval"),
                (["dataset": "ds_x", "mixture": ["kind": "ado", "config": ["update_intervall": 10]]], "params.mixture.config.update_intervall"),
                (["dataset": "ds_x", "optimizer": ["beta3": 0.9]], "params.optimizer.beta3"),
                (["dataset": "ds_x", "seed": 3], "params.seed"),
                (["model": ["layers": 1]], "params.dataset"),
            ]
            for (params, param) in bad {
                let (st, e) = try await post(params)
                #expect(st == .unprocessableContent && e["error"]?["param"]?.stringValue == param && e["error"]?["code"] == "invalid_params",
                        "\(param): \(e)")
            }
            // References are checked before queueing: a dataset or checkpoint that is missing or another tenant's is 404,
            // one of the wrong kind is 422, each with the full param path.
            let refs: [(JSONValue, String, HTTPResponse.Status, String)] = [
                (["dataset": "ds_missing"], "pretrain", .notFound, "params.dataset"),
                (["dataset": .string(theirs)], "pretrain", .notFound, "params.dataset"),
                (["dataset": .string(pairs)], "pretrain", .unprocessableContent, "params.dataset"),
                (["dataset": .string(docs), "heldout_dataset": .string(pairs)], "pretrain", .unprocessableContent, "params.heldout_dataset"),
                (["dataset": .string(pairs), "topics": 3], "topic_model", .unprocessableContent, "params.dataset"),
                (["model": "ckpt_missing"], "topic_head", .notFound, "params.model"),
                (["model": "ckpt_missing", "dataset": .string(pairs)], "dpo", .notFound, "params.model"),
                (["model": "job_missing", "dataset": .string(pairs)], "dpo", .notFound, "params.model"),
            ]
            for (params, type, status, param) in refs {
                let (st, e) = try await post(params, type: type)
                #expect(st == status && e["error"]?["param"]?.stringValue == param, "\(type) \(param): \(e)")
            }
            let listed = json(try await client.execute(uri: "/v1/jobs", method: .get, headers: server.auth()).body)
            #expect(listed["data"]?.arrayValue?.isEmpty == true, "nothing was queued")
            // Certification: ε > 0 (the analytic Gaussian mechanism is valid for ε ≥ 1 too); defaults inside the section.
            let (e0, e0body) = try await post(["dataset": .string(docs), "topics": 3, "certification": ["epsilon": 0]], type: "topic_model")
            #expect(e0 == .unprocessableContent && e0body["error"]?["param"] == "params.certification.epsilon", "\(e0body)")
            let (e2, e2body) = try await post(["dataset": .string(docs), "topics": 3, "certification": ["epsilon": 2],
                                               "vocabulary": ["words": ["alpha", "beta", "gamma", "delta"]]], type: "topic_model")
            #expect(e2 == .created && e2body["params"]?["certification"]?["delta"] == 1e-5, "\(e2body)")
            // Certified mode releases nothing of the data un-noised: the vocabulary, the capacity under a supplied bound and
            // a head's label set must be inputs.
            let certifiedRefusals: [(JSONValue, String, String)] = [
                (["dataset": .string(docs), "topics": 3, "certification": ["epsilon": 1]], "topic_model", "params.vocabulary.words"),
                (["dataset": .string(docs), "topics": 3, "vocabulary": ["words": ["alpha", "beta", "gamma"]],
                  "certification": ["epsilon": 1, "sensitivity": ["per_deletion_bound": 0.01]]], "topic_model", "params.certification.capacity"),
                (["model": "ckpt_x", "certification": ["epsilon": 1]], "topic_head", "params.classes"),
                (["model": "ckpt_x", "classes": ["a", "a"]], "topic_head", "params.classes"),
                (["model": "ckpt_x", "dataset": "ds_x", "beta": 0], "dpo", "params.beta"),
                (["model": "ckpt_x", "dataset": "ds_x", "loss": "kto"], "dpo", "params.loss"),
            ]
            for (params, type, param) in certifiedRefusals {
                let (st, e) = try await post(params, type: type)
                #expect(st == .unprocessableContent && e["error"]?["param"]?.stringValue == param, "\(param): \(e)")
            }

            let (st, job) = try await post(["dataset": .string(docs), "steps": 40, "model": ["layers": 1],
                                            "mixture": ["kind": "ado", "config": ["updateInterval": 10, "smoothing_window": 5]]])
            #expect(st == .created, "\(job)")
            let p = try #require(job["params"])
            #expect(p["model"]?["layers"] == 1 && p["model"]?["d_model"] == 128 && p["model"]?["heads"] == 4 && p["seed"] == nil)
            #expect(p["optimizer"]?["warmup"] == 4 && p["optimizer"]?["clip"] == 1 && p["token_budget"] == .number(40 * 16 * 64))
            #expect(p["mixture"]?["config"]?["update_interval"] == 10 && p["mixture"]?["config"]?["smoothing_window"] == 5)
            #expect(p["mixture"]?["config"]?["updateInterval"] == nil && p["ado_resolved"]?["update_interval"] == 10)
            #expect(job["seed"] == 5)
            // Clipping off is an explicit null that survives the round trip through the store.
            let (_, noClip) = try await post(["dataset": .string(docs), "steps": 10, "optimizer": ["clip": .null]])
            #expect(noClip["params"]?["optimizer"]?["clip"] == .null)
        }
    }

    @Test func badRequestsGetTheRightStatusAndParam() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            func post(_ raw: String) async throws -> (HTTPResponse.Status, JSONValue) {
                let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(), body: ByteBuffer(string: raw))
                return (r.status, json(r.body))
            }
            var (s, e) = try await post("{not json")
            #expect(s == .badRequest && e["error"]?["code"] == "invalid_json")
            (s, e) = try await post(#"{"type":"test_counter","bogus":1}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "bogus")
            (s, e) = try await post(#"{"type":"nope"}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "type" && e["error"]?["code"] == "unknown_job_type")
            (s, e) = try await post(#"{"type":"test_counter","params":{"steps":-3}}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "params.steps")
            (s, e) = try await post(#"{"type":"test_counter","params":{"wat":1}}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "params.wat")
            (s, e) = try await post(#"{"type":"test_counter","priority":11}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "priority")
            (s, e) = try await post(#"{"type":"test_counter","seed":-1}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "seed")
            (s, e) = try await post(#"{"type":"test_counter","metadata":{"a":1}}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "metadata.a")
            (s, e) = try await post(#"[1,2]"#)
            #expect(s == .unprocessableContent)
            // Execution back ends: this server has none but local.
            (s, e) = try await post(#"{"type":"test_counter","backend":"slurm"}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "backend" && e["error"]?["code"] == "backend_unavailable", "\(e)")
            (s, e) = try await post(#"{"type":"test_counter","backend":"kubernetes"}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "backend" && e["error"]?["code"] == "invalid_request", "\(e)")
            (s, e) = try await post(#"{"type":"test_counter","backend":7}"#)
            #expect(s == .unprocessableContent && e["error"]?["param"] == "backend")
            for threads in ["0", "257", "1.5", "\"2\""] {
                (s, e) = try await post(#"{"type":"test_counter","threads":"# + threads + "}")
                #expect(s == .unprocessableContent && e["error"]?["param"] == "threads", "threads \(threads): \(e)")
            }
            let big = "{\"type\":\"test_counter\",\"metadata\":{\"a\":\"" + String(repeating: "x", count: 2 << 20) + "\"}}"
            (s, e) = try await post(big)
            #expect(s == .contentTooLarge && e["error"]?["code"] == "payload_too_large")
            let list = try await client.execute(uri: "/v1/jobs?limit=0", method: .get, headers: server.auth())
            #expect(list.status == .unprocessableContent && json(list.body)["error"]?["param"] == "limit")
            let unknownQuery = try await client.execute(uri: "/v1/jobs?colour=red", method: .get, headers: server.auth())
            #expect(unknownQuery.status == .unprocessableContent)
            let status = try await client.execute(uri: "/v1/jobs?status=done", method: .get, headers: server.auth())
            #expect(status.status == .unprocessableContent && json(status.body)["error"]?["param"] == "status")
            // Nothing was queued by any of these.
            #expect(try server.store.queueDepth().values.reduce(0, +) == 0)
        }
    }

    @Test func authIsRequiredAndTenantsAreIsolated() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let none = try await client.execute(uri: "/v1/jobs", method: .get)
            #expect(none.status == .unauthorized && json(none.body)["error"]?["code"] == "unauthorized")
            let wrong = try await client.execute(uri: "/v1/jobs", method: .get, headers: server.auth("ork_nope"))
            #expect(wrong.status == .unauthorized)
            var basic = HTTPFields(); basic[.authorization] = "Basic abc"
            #expect(try await client.execute(uri: "/v1/jobs", method: .get, headers: basic).status == .unauthorized)
            let created = json(try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(),
                                                        body: body(["type": "test_counter"])).body)
            let id = created["id"]!.stringValue!
            for (method, path) in [(HTTPRequest.Method.get, "/v1/jobs/\(id)"), (.post, "/v1/jobs/\(id)/cancel"),
                                   (.get, "/v1/jobs/\(id)/events"), (.get, "/v1/jobs/\(id)/events/stream"),
                                   (.get, "/v1/jobs/\(id)/checkpoints")] {
                let r = try await client.execute(uri: path, method: method, headers: server.auth(server.otherKey))
                #expect(r.status == .notFound, "\(path)")
            }
            let theirs = json(try await client.execute(uri: "/v1/jobs", method: .get, headers: server.auth(server.otherKey)).body)
            #expect(theirs["data"]?.arrayValue?.isEmpty == true)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func idempotencyKeyReplaysOrConflicts() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let h = server.auth(nil, [HTTPField.Name("Idempotency-Key")!: "abc"])
            let a = try await client.execute(uri: "/v1/jobs", method: .post, headers: h, body: body(["type": "test_counter", "seed": 1]))
            let b = try await client.execute(uri: "/v1/jobs", method: .post, headers: h,
                                             body: ByteBuffer(string: "{ \"seed\": 1, \"type\": \"test_counter\" }"))
            #expect(a.status == .created && b.status == .created && json(a.body)["id"] == json(b.body)["id"])
            #expect(b.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            let c = try await client.execute(uri: "/v1/jobs", method: .post, headers: h, body: body(["type": "test_counter", "seed": 2]))
            #expect(c.status == .conflict && json(c.body)["error"]?["code"] == "idempotency_key_reused")
        }
    }

    @Test func listPagesNewestFirstAndFilters() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            var ids: [String] = []
            for i in 0..<5 {
                let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(),
                                                 body: body(["type": "test_counter", "metadata": ["n": .string(i % 2 == 0 ? "even" : "odd")]]))
                ids.append(json(r.body)["id"]!.stringValue!)
            }
            let p1 = json(try await client.execute(uri: "/v1/jobs?limit=2", method: .get, headers: server.auth()).body)
            #expect(p1["object"] == "list" && p1["has_more"] == true)
            #expect(p1["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[4], ids[3]])
            let p2 = json(try await client.execute(uri: "/v1/jobs?limit=2&after=\(ids[3])", method: .get, headers: server.auth()).body)
            #expect(p2["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[2], ids[1]])
            let odd = json(try await client.execute(uri: "/v1/jobs?metadata%5Bn%5D=odd", method: .get, headers: server.auth()).body)
            #expect(odd["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [ids[3], ids[1]])
            let typed = json(try await client.execute(uri: "/v1/jobs?type=test_spin", method: .get, headers: server.auth()).body)
            #expect(typed["data"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func actionsAreIdempotentAndImpossibleOnesConflict() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let id = json(try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(),
                                                   body: body(["type": "test_counter"])).body)["id"]!.stringValue!
            func act(_ a: String) async throws -> (HTTPResponse.Status, JSONValue) {
                let r = try await client.execute(uri: "/v1/jobs/\(id)/\(a)", method: .post, headers: server.auth())
                return (r.status, json(r.body))
            }
            var (s, j) = try await act("pause")
            #expect(s == .ok && j["status"] == "paused")
            (s, j) = try await act("pause")
            #expect(s == .ok && j["status"] == "paused")
            (s, j) = try await act("resume")
            #expect(s == .ok && j["status"] == "queued")
            (s, j) = try await act("cancel")
            #expect(s == .ok && j["status"] == "cancelled")
            (s, j) = try await act("cancel")
            #expect(s == .ok && j["status"] == "cancelled")
            (s, j) = try await act("resume")
            #expect(s == .conflict && j["error"]?["code"] == "invalid_state_transition")
            let missing = try await client.execute(uri: "/v1/jobs/job_nope/cancel", method: .post, headers: server.auth())
            #expect(missing.status == .notFound)
            // /metrics counts each answer with the status the client got: the 409 and the 404 above are not 500s.
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body).split(separator: "\n")
            func count(_ route: String, _ status: Int) -> Int {
                metrics.first { $0.hasPrefix("hb_requests{http_route=\"\(route)\",http_request_method=\"POST\",http_response_status_code=\"\(status)\"}") }
                    .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            }
            #expect(count("/v1/jobs/{id}/resume", 409) >= 1 && count("/v1/jobs/{id}/cancel", 404) >= 1)
            #expect(count("/v1/jobs/{id}/resume", 500) == 0 && count("/v1/jobs/{id}/cancel", 500) == 0)
        }
    }

    @Test func operationalEndpointsAnswer() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            #expect(json(try await client.execute(uri: "/healthz", method: .get).body)["status"] == "ok")
            #expect(json(try await client.execute(uri: "/readyz", method: .get).body)["status"] == "ready")
            _ = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(), body: body(["type": "test_counter"]))
            let metrics = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(metrics.contains("orchard_queue_depth{status=\"queued\"}"))
            #expect(metrics.contains("hb_requests") && metrics.contains("http_server_request_duration"))
            let spec = try await client.execute(uri: "/openapi.yaml", method: .get)
            #expect(spec.status == .ok && String(buffer: spec.body).hasPrefix("openapi: 3"))
            let unknown = try await client.execute(uri: "/nowhere", method: .get)
            #expect(unknown.status == .notFound && json(unknown.body)["error"]?["code"] == "not_found")
        }
    }

    /// Hostile and malformed input: the server must answer every one of these with a 4xx, never a 5xx.
    @Test func noInputMakesTheServerAnswer5xx() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let bodies = ["", "null", "0", "\"s\"", "{}", "{\"type\":null}", "{\"type\":1}", "{\"type\":\"test_counter\",\"params\":[]}",
                          "{\"type\":\"test_counter\",\"params\":{\"steps\":1e308}}", "{\"type\":\"test_counter\",\"seed\":1.5}",
                          "{\"type\":\"test_counter\",\"seed\":1e300}", "{\"type\":\"test_counter\",\"max_attempts\":0}",
                          "{\"type\":\"test_counter\",\"metadata\":[]}", "\u{0}\u{1}", "{\"type\":\"test_counter\"}}", "[[[[[[[[[[]]]]]]]]]]",
                          "{\"type\":\"" + String(repeating: "x", count: 10_000) + "\"}"]
            for b in bodies {
                let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(), body: ByteBuffer(string: b))
                #expect(r.status.code >= 400 && r.status.code < 500, "\(b.prefix(40)) -> \(r.status)")
            }
            let paths = ["/v1/jobs/%00", "/v1/jobs/../../etc/passwd", "/v1/jobs/x/events?after=-1", "/v1/jobs/x/events?after=abc",
                         "/v1/jobs?after=job_missing", "/v1/jobs?limit=99999999999999999999", "/v1/checkpoints/ckpt_x/content?file=../../x",
                         "/v1/datasets/ds_x", "/v1/datasets?limit=-1", "/v1/jobs/x/events/stream?after=z"]
            for p in paths {
                let r = try await client.execute(uri: p, method: .get, headers: server.auth())
                #expect(r.status.code >= 400 && r.status.code < 500, "\(p) -> \(r.status)")
            }
            var h = server.auth(); h[HTTPField.Name("Last-Event-ID")!] = "banana"
            let sse = try await client.execute(uri: "/v1/jobs/x/events/stream", method: .get, headers: h)
            #expect(sse.status.code < 500)
            let del = try await client.execute(uri: "/v1/jobs", method: .delete, headers: server.auth())
            #expect(del.status.code >= 400 && del.status.code < 500)
        }
    }
}

@Suite struct EmbeddedOpenAPITests {
    @Test func servedDocumentIsDocsOpenapiYamlByteForByte() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let onDisk = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let served = String(buffer: try await client.execute(uri: "/openapi.yaml", method: .get).body)
            #expect(served == onDisk, "run `make embed` after editing docs/openapi.yaml")
        }
    }

    /// Every documented (path, method) is served by a route: the router's own "no route" 404
    /// (message "Not Found") never answers a documented operation.
    @Test func everyDocumentedOperationIsRouted() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let yaml = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var operations: [(String, HTTPRequest.Method)] = []
        var path: String?
        for line in yaml.split(separator: "\n") {
            if line.hasPrefix("  /") { path = String(line.dropFirst(2).dropLast()) }
            else if !line.hasPrefix("   ") { if !line.hasPrefix("  ") { path = nil } }
            if let path, line == "    get:" { operations.append((path, .get)) }
            if let path, line == "    post:" { operations.append((path, .post)) }
            if let path, line == "    put:" { operations.append((path, .put)) }
            if let path, line == "    delete:" { operations.append((path, .delete)) }
        }
        #expect(operations.count == 28)
        let routes = operations
        let server = try TestServer()
        try await server.app().test(.router) { client in
            for (p, method) in routes {
                let uri = p.replacingOccurrences(of: "{id}", with: "x_missing")
                let r = try await client.execute(uri: uri, method: method, headers: server.auth(), body: ByteBuffer(string: "{}"))
                let message = json(r.body)["error"]?["message"]?.stringValue
                #expect(!(r.status == .notFound && message == "Not Found"), "\(method) \(p) is not routed")
                #expect(r.status.code < 500, "\(method) \(p) -> \(r.status)")
            }
            let unrouted = try await client.execute(uri: "/v1/nothing", method: .get, headers: server.auth())
            #expect(unrouted.status == .notFound && json(unrouted.body)["error"]?["message"] == "Not Found")
        }
    }
}
