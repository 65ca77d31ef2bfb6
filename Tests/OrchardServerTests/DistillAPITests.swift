import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OrchardCorpus
import OrchardJobs
import OrchardServer
import OrchardTestSupport
import Testing

/// `mlp_train` and `distill` through the real server: bad requests are refused before queueing with the full param
/// path (a student whose tokenizer differs from its teacher's: 422 `tokenizer_mismatch`), and a deletion request on
/// the documents a GPT teacher read reaches the student distilled from it.
@Suite struct DistillAPITests {
    @Test(.enabled(if: FileManager.default.isReadableFile(atPath: DebianStatusCorpus.defaultPath)))
    func distillRequestsAreCheckedAndDeletionsReachStudents() async throws {
        let s = try TestServer(workers: 1, kinds: { $0.register(PretrainKind()); $0.register(MLPTrainKind()); $0.register(DistillKind()) })
        try await s.app().test(.live) { client in
            let d = DeletionRequestTests()
            func post(_ type: String, _ params: JSONValue) async throws -> (HTTPResponse.Status, JSONValue) {
                let r = try await client.execute(uri: "/v1/jobs", method: .post, headers: s.auth(), body: body(["type": .string(type), "params": params]))
                return (r.status, json(r.body))
            }
            let upload = try await client.execute(uri: "/v1/datasets?name=dpkg", method: .post, headers: s.auth(),
                                                  body: ByteBuffer(string: DeletionRequestTests.jsonl))
            let ds = try #require(json(upload.body)["id"]?.stringValue)
            let teacher = try await d.submitJob(client, s, type: "pretrain", params: LMUnlearningTests.params(ds, mixture: "natural"), seed: 4)
            let teacherID = try #require(teacher["id"]?.stringValue)
            let parity = try await d.submitJob(client, s, type: "mlp_train", params: [
                "task": ["sparse_parity": ["n": 6, "k": 2]], "model": ["hidden": [32]], "steps": 40, "checkpoint_every": 10, "eval_samples": 64])
            let parityID = try #require(parity["id"]?.stringValue)
            #expect(parity["result"]?["series"]?.arrayValue?.count == 4)

            for (type, params, param, code) in [
                ("mlp_train", ["task": ["sparse_parity": ["n": 4, "k": 5]]], "params.task.sparse_parity.k", "invalid_params"),
                ("mlp_train", ["model": ["activation": "tanh"]], "params.model.activation", "invalid_params"),
                ("distill", ["teacher": .string(teacherID)], "params.student", "invalid_params"),
                ("distill", ["teacher": .string(teacherID), "student": ["gpt": ["tokenizer": "bpe"]]], "params.student.gpt.tokenizer", "tokenizer_mismatch"),
                ("distill", ["teacher": .string(teacherID), "student": ["mlp": [:]]], "params.teacher", "invalid_params"),
                ("distill", ["teacher": .string(parityID), "student": ["mlp": [:]], "strategy": ["kind": "steps", "steps": [20, 10]]],
                 "params.strategy.steps[1]", "invalid_params"),
                ("distill", ["teacher": .string(parityID), "student": ["mlp": [:]], "loss": ["hard_label_weight": 2]], "params.loss.hard_label_weight", "invalid_params"),
            ] as [(String, JSONValue, String, String)] {
                let (status, e) = try await post(type, params)
                #expect(status == .unprocessableContent && e["error"]?["param"]?.stringValue == param && e["error"]?["code"]?.stringValue == code,
                        "\(type) \(params): \(e)")
            }

            // A GPT student of the byte-level teacher (naming its tokenizer), then a deletion request on a document the teacher read.
            let studentParams: JSONValue = [
                "teacher": .string(teacherID), "student": ["gpt": ["layers": 1, "d_model": 16, "heads": 2, "tokenizer": "bytes"]],
                "strategy": ["kind": "progressive", "multiplier": 8], "optimizer": ["kind": "adamw", "lr": 0.003], "steps": 6, "batch_size": 4, "eval_every": 3, "eval_samples": 16]
            let student = try await d.submitJob(client, s, type: "distill", params: studentParams, seed: 9)
            let studentID = try #require(student["id"]?.stringValue)
            #expect(student["result"]?["family"] == "gpt" && (student["result"]?["teacher_schedule"]?.arrayValue?.count ?? 0) >= 2, "\(student)")
            let teacherRead = try await LMUnlearningTests().lineage(client, s, teacherID)
            let read = try #require(teacherRead.first { ($0["first_step"]?.intValue ?? 0) >= 3 }?["document_id"]?.stringValue)
            let (status, created, _) = try await d.fileRequest(client, s, ["dataset": .string(ds), "document_ids": [.string(read)], "reason": "erasure"])
            #expect(status == .created && Set(created["affected_models"]?.arrayValue?.compactMap(\.stringValue) ?? []).isSuperset(of: [teacherID, studentID]), "\(created)")
            let action = created["actions"]?.arrayValue?.first { $0["model"]?.stringValue == studentID }
            #expect(action?["type"] == "distill" && action?["action"] == "unlearn", "\(String(describing: action))")
            // The teacher is replayed, then the student re-derived from the teacher's new series.
            let done = try await d.waitForRequest(client, s, try #require(created["id"]?.stringValue))
            #expect(done["status"] == "completed", "\(done)")
            let receipt = try #require(done["receipt"]?["manifest"]?["actions"]?.arrayValue?.first { $0["model"]?.stringValue == studentID })
            #expect(receipt["guarantee"]?["kind"] == "exact_retrain_equivalent", "\(receipt)")
            // Once the teacher's new version is released, its checkpoints after the first read are purged: its series is
            // no longer whole, and a new student of it is refused before queueing.
            let (purgedStatus, purged) = try await post("distill", ["teacher": .string(teacherID), "student": ["gpt": [:]]])
            #expect(purgedStatus == .unprocessableContent && purged["error"]?["code"] == "checkpoint_purged" && purged["error"]?["param"] == "params.teacher", "\(purged)")
            // The user's check: retrain the teacher through the API, distil from the retrain with the same params and seed.
            let retrain = try await d.submitJob(client, s, type: "pretrain", params: LMUnlearningTests.params(ds, mixture: "natural"), seed: 4)
            var again = studentParams.objectValue!
            again["teacher"] = retrain["id"]
            let check = try await d.submitJob(client, s, type: "distill", params: .object(again), seed: 9)
            let lm = LMUnlearningTests()
            let expected = try await lm.tensorHashes(client, s, try #require(check["result"]?["checkpoint"]?.stringValue))
            let got = try await lm.tensorHashes(client, s, try #require(receipt["checkpoint"]?.stringValue))
            #expect(got.count >= 1 && got == expected, "the re-derived student equals a student of the retrained teacher")
            #expect(try await lm.tensorHashes(client, s, try #require(student["result"]?["checkpoint"]?.stringValue)) != expected)

            // A teacher that has not finished is refused too (its series is read whole).
            let (queuedStatus, queued) = try await post("mlp_train", ["task": ["sparse_parity": ["n": 6, "k": 2]], "steps": 100_000, "checkpoint_every": 50_000])
            #expect(queuedStatus == .created)
            let queuedID = try #require(queued["id"]?.stringValue)
            let (earlyStatus, early) = try await post("distill", ["teacher": .string(queuedID), "student": ["mlp": [:]]])
            #expect(earlyStatus == .unprocessableContent && early["error"]?["param"] == "params.teacher" && (early["error"]?["message"]?.stringValue ?? "").contains("must have succeeded"), "\(early)")
            _ = try await client.execute(uri: "/v1/jobs/\(queuedID)/cancel", method: .post, headers: s.auth())
        }
    }
}
