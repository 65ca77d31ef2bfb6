import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardJobs
import OrchardQueue
import OrchardStore
import OrchardTestSupport
import Testing

/// `(id, event)` pairs of a text/event-stream body.
func sseFrames(_ text: String) -> [(id: Int?, event: String, data: String)] {
    text.components(separatedBy: "\n\n").compactMap { frame in
        var id: Int?, event = "message", data = ""
        var sawField = false
        for line in frame.split(separator: "\n") where !line.hasPrefix(":") {
            if line.hasPrefix("id: ") { id = Int(line.dropFirst(4)); sawField = true }
            if line.hasPrefix("event: ") { event = String(line.dropFirst(7)); sawField = true }
            if line.hasPrefix("data: ") { data = String(line.dropFirst(6)); sawField = true }
        }
        return sawField && (id != nil || event != "message" || !data.isEmpty) ? (id, event, data) : nil
    }
}

@Suite struct StreamAndDataAPITests {
    @Test func eventsStreamAsSSEAndResumeFromLastEventID() async throws {
        let server = try TestServer()
        let id = try submit(server, ["steps": 8, "checkpoint_every": 4, "step_ms": 2])
        try await withWorkers(server) { _ in
            try await server.app().test(.router) { client in
                let full = try await client.execute(uri: "/v1/jobs/\(id)/events/stream", method: .get, headers: server.auth())
                #expect(full.status == .ok && full.headers[.contentType] == "text/event-stream")
                let frames = sseFrames(String(buffer: full.body))
                let ids = frames.compactMap(\.id)
                #expect(ids == Array(1...ids.count), "ids are the per-job seq without gaps or duplicates")
                #expect(frames.last?.event == "end" && frames.last?.data.contains("succeeded") == true)
                #expect(frames.contains { $0.event == QueueEventType.succeeded })
                var h = server.auth(); h[HTTPField.Name("Last-Event-ID")!] = "5"
                let resumed = sseFrames(String(buffer: try await client.execute(uri: "/v1/jobs/\(id)/events/stream", method: .get, headers: h).body))
                #expect(resumed.compactMap(\.id) == Array(6...ids.count))
                let page = json(try await client.execute(uri: "/v1/jobs/\(id)/events?after=2&limit=3", method: .get, headers: server.auth()).body)
                #expect(page["data"]?.arrayValue?.compactMap { $0["id"]?.intValue } == [3, 4, 5] && page["has_more"] == true)
            }
        }
    }

    @Test func idleStreamsGetKeepAlives() async throws {
        let server = try TestServer()
        let id = try submit(server, ["steps": 3])
        try await server.app().test(.live) { client in
            async let stream = client.execute(uri: "/v1/jobs/\(id)/events/stream", method: .get, headers: server.auth())
            try await Task.sleep(for: .seconds(3))
            _ = try server.store.perform(.cancel, jobID: id, tenant: "acme")
            let text = String(buffer: try await stream.body)
            #expect(text.contains(": keep-alive"))
            #expect(sseFrames(text).last?.event == "end")
        }
    }

    @Test func checkpointsAreListedWithChecksumsAndDownloadable() async throws {
        let server = try TestServer()
        let id = try submit(server, ["steps": 6, "checkpoint_every": 3])
        try await withWorkers(server) { _ in
            let ok = try await eventually { try status(server, id).status == .succeeded }
            #expect(ok)
        }
        try await server.app().test(.router) { client in
            let list = json(try await client.execute(uri: "/v1/jobs/\(id)/checkpoints", method: .get, headers: server.auth()).body)
            let first = try #require(list["data"]?.arrayValue?.first)
            #expect(first["step"] == 6 && first["object"] == "checkpoint")
            let file = try #require(first["files"]?.arrayValue?.first)
            #expect(file["name"] == "state.json")
            let cid = first["id"]!.stringValue!
            let meta = try await client.execute(uri: "/v1/checkpoints/\(cid)", method: .get, headers: server.auth())
            #expect(json(meta.body)["job_id"] == .string(id))
            let content = try await client.execute(uri: "/v1/checkpoints/\(cid)/content?file=state.json", method: .get, headers: server.auth())
            #expect(Fingerprint.sha256(Data(content.body.readableBytesView)) == file["sha256"]?.stringValue)
            let tar = try await client.execute(uri: "/v1/checkpoints/\(cid)/content", method: .get, headers: server.auth())
            #expect(tar.status == .ok && tar.body.readableBytes % 512 == 0 && tar.body.readableBytes >= 2048)
            // The archive is a real tar: the system's tar lists and extracts it.
            let tarFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(cid).tar")
            try Data(tar.body.readableBytesView).write(to: tarFile)
            let listing = Process()
            listing.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
            listing.arguments = ["-xOf", tarFile.path, "state.json"]
            let pipe = Pipe()
            listing.standardOutput = pipe
            try listing.run()
            let extracted = pipe.fileHandleForReading.readDataToEndOfFile()
            listing.waitUntilExit()
            #expect(listing.terminationStatus == 0 && Fingerprint.sha256(extracted) == file["sha256"]?.stringValue)
            let other = try await client.execute(uri: "/v1/checkpoints/\(cid)/content", method: .get, headers: server.auth(server.otherKey))
            #expect(other.status == .notFound)
            let escape = try await client.execute(uri: "/v1/checkpoints/\(cid)/content?file=../../orchard.sqlite", method: .get, headers: server.auth())
            #expect(escape.status == .notFound)
        }
    }

    @Test func datasetsUploadValidateAndCount() async throws {
        let server = try TestServer()
        try await server.app().test(.router) { client in
            let jsonl = (0..<50).map { #"{"id":"d\#($0)","domain":"\#($0 % 3 == 0 ? "code" : "web")","text":"doc \#($0)"}"# }.joined(separator: "\n")
            let r = try await client.execute(uri: "/v1/datasets?name=web-mix", method: .post, headers: server.auth(), body: ByteBuffer(string: jsonl))
            #expect(r.status == .created)
            let ds = json(r.body)
            #expect(ds["object"] == "dataset" && ds["record_count"] == 50 && ds["kind"] == "documents")
            #expect(ds["domains"]?["code"] == 17 && ds["domains"]?["web"] == 33)
            let dsID = ds["id"]!.stringValue!
            #expect(json(try await client.execute(uri: "/v1/datasets/\(dsID)", method: .get, headers: server.auth()).body)["name"] == "web-mix")
            #expect(try await client.execute(uri: "/v1/datasets/\(dsID)", method: .get, headers: server.auth(server.otherKey)).status == .notFound)
            let list = json(try await client.execute(uri: "/v1/datasets", method: .get, headers: server.auth()).body)
            #expect(list["data"]?.arrayValue?.count == 1)

            let bad = jsonl + "\n" + #"{"id":"x","domain":"web"}"#
            let rb = try await client.execute(uri: "/v1/datasets", method: .post, headers: server.auth(), body: ByteBuffer(string: bad))
            #expect(rb.status == .unprocessableContent && json(rb.body)["error"]?["param"] == "line 51")
            #expect(String(buffer: rb.body).contains("line 51"))
            let after = json(try await client.execute(uri: "/v1/datasets", method: .get, headers: server.auth()).body)
            #expect(after["data"]?.arrayValue?.count == 1, "nothing half-imported")

            let pairs = #"{"id":"p","prompt":"q","chosen":"a","rejected":"b"}"#
            let rp = try await client.execute(uri: "/v1/datasets?kind=preference_pairs", method: .post, headers: server.auth(), body: ByteBuffer(string: pairs))
            #expect(rp.status == .created && json(rp.body)["kind"] == "preference_pairs")
            let wrongKind = try await client.execute(uri: "/v1/datasets?kind=documents", method: .post, headers: server.auth(), body: ByteBuffer(string: pairs))
            #expect(wrongKind.status == .unprocessableContent)
            let empty = try await client.execute(uri: "/v1/datasets", method: .post, headers: server.auth(), body: ByteBuffer(string: ""))
            #expect(empty.status == .unprocessableContent)
        }
    }

    @Test func datasetUploadsAboveTheLimitAre413() async throws {
        let server = try TestServer { $0.maxDatasetBytes = 1000 }
        try await server.app().test(.router) { client in
            let jsonl = (0..<100).map { #"{"id":"d\#($0)","domain":"web","text":"doc"}"# }.joined(separator: "\n")
            let r = try await client.execute(uri: "/v1/datasets", method: .post, headers: server.auth(), body: ByteBuffer(string: jsonl))
            #expect(r.status == .contentTooLarge)
        }
    }

    @Test func jobsReadTheirTenantsLiveDocuments() async throws {
        let server = try TestServer()
        var imp = DatasetImport()
        try imp.feed(Array((#"{"id":"a","domain":"x","text":"1"}"# + "\n" + #"{"id":"b","domain":"x","text":"2"}"#).utf8))
        let sha = try imp.finish()
        let ds = try server.store.createDataset(tenant: "acme", name: "d", from: imp, sha256: sha)
        try server.store.tombstone(dataset: ds.id, tenant: "acme", ids: ["a"])
        _ = try server.store.submit(JobSubmission(tenant: "acme", type: "test_counter", params: .null, seed: 1))
        let c = try #require(try server.store.claim(owner: "w", types: ["test_counter"], leaseMillis: 60_000).first)
        let ctx = QueueJobContext(store: server.store, lease: c.lease, tenant: "acme", threads: 1)
        #expect(try ctx.documents(dataset: ds.id).map(\.id) == ["b"])
        let foreign = QueueJobContext(store: server.store, lease: c.lease, tenant: "globex", threads: 1)
        #expect(throws: JobError.self) { try foreign.documents(dataset: ds.id) }
    }
}
