import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardJobs
import OrchardQueue
import OrchardTestSupport
import Testing

/// Per-key limits (issue 19 item 8): a key's own values win over the server's defaults; refusals write nothing.
@Suite struct TenantLimitsTests {
    @Test func requestRateIs429WithRetryAfterPerKey() async throws {
        let server = try TestServer()
        let slow = try server.store.createAPIKey(tenant: "acme", limits: TenantLimits(requestsPerSecond: 2))
        try await server.app().test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            var refused: TestResponse?
            for _ in 0..<6 {
                let r = try await client.execute(uri: "/v1/jobs", method: .get, headers: server.auth(slow))
                statuses.append(r.status)
                if r.status == .tooManyRequests, refused == nil { refused = r }
            }
            // Burst of two (one second's worth), then refusals; six requests take far less than a second here.
            #expect(Array(statuses.prefix(2)) == [.ok, .ok] && statuses.contains(.tooManyRequests), "\(statuses)")
            let r = try #require(refused)
            #expect(json(r.body)["error"]?["code"] == "rate_limited")
            let wait = try #require(r.headers[.retryAfter].flatMap { Int($0) })
            #expect(wait >= 1)
            // Another key of the same tenant (no limit of its own, none on the server) is not slowed down.
            for _ in 0..<10 {
                #expect(try await client.execute(uri: "/v1/jobs", method: .get, headers: server.auth()).status == .ok)
            }
            // After Retry-After the key may go on.
            try await Task.sleep(for: .seconds(Double(wait)))
            #expect(try await client.execute(uri: "/v1/jobs", method: .get, headers: server.auth(slow)).status == .ok)
        }
    }

    @Test func queuedJobsLimitCountsUnfinishedJobsOfTheTenant() async throws {
        // Server default 2; one key overrides it with 3.
        let server = try TestServer(configure: { $0.defaultLimits = TenantLimits(maxQueuedJobs: 2) })
        let roomy = try server.store.createAPIKey(tenant: "acme", limits: TenantLimits(maxQueuedJobs: 3))
        try await server.app().test(.router) { client in
            func submit(_ key: String? = nil, idempotency: String? = nil) async throws -> (HTTPResponse.Status, JSONValue) {
                var extra: HTTPFields = [:]
                if let idempotency { extra[HTTPField.Name("Idempotency-Key")!] = idempotency }
                let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: server.auth(key, extra),
                                                 body: body(["type": "test_counter", "params": ["steps": 1]]))
                return (r.status, json(r.body))
            }
            let (s1, first) = try await submit(idempotency: "one")
            let (s2, _) = try await submit()
            #expect(s1 == .created && s2 == .created)
            let (s3, e3) = try await submit()
            #expect(s3 == .tooManyRequests && e3["error"]?["code"] == "queued_jobs_limit_exceeded", "\(e3)")
            // A replay of an accepted submission is not a new job: it still answers.
            let (replay, again) = try await submit(idempotency: "one")
            #expect(replay == .created && again["id"] == first["id"])
            // The key with its own, higher limit may add one more; then it is refused too.
            #expect(try await submit(roomy).0 == .created)
            #expect(try await submit(roomy).0 == .tooManyRequests)
            // The other tenant is not affected.
            #expect(try await submit(server.otherKey).0 == .created)
            #expect(try server.store.listJobs(JobListQuery(tenant: "acme")).jobs.count == 3)
            // Finishing one (cancel) makes room.
            let id = try #require(first["id"]?.stringValue)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/cancel", method: .post, headers: server.auth()).status == .ok)
            #expect(try await submit(roomy).0 == .created)
        }
    }

    @Test func datasetStorageLimitRefusesTheUploadThatWouldCrossIt() async throws {
        let server = try TestServer(configure: { $0.defaultLimits = TenantLimits(maxDatasetBytes: 300) })
        try await server.app().test(.router) { client in
            func upload(_ n: Int, _ name: String) async throws -> (HTTPResponse.Status, JSONValue) {
                let lines = (0..<n).map { #"{"id":"\#(name)\#($0)","domain":"d","text":"\#(String(repeating: "x", count: 40))"}"# }
                let r = try await client.execute(uri: "/v1/datasets?name=\(name)", method: .post, headers: server.auth(),
                                                 body: ByteBuffer(string: lines.joined(separator: "\n")))
                return (r.status, json(r.body))
            }
            let (ok, ds) = try await upload(3, "a")   // ~200 bytes
            #expect(ok == .created, "\(ds)")
            let (refused, e) = try await upload(3, "b")
            #expect(refused == .contentTooLarge && e["error"]?["code"] == "dataset_storage_limit_exceeded", "\(e)")
            let list = json(try await client.execute(uri: "/v1/datasets", method: .get, headers: server.auth()).body)
            #expect(list["data"]?.arrayValue?.map { $0["name"] } == ["a"])
            // A smaller upload that fits is still accepted.
            #expect(try await upload(1, "c").0 == .created)
        }
    }
}
