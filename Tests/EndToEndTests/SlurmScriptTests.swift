import Foundation
import OrchardSlurm
import Testing

/// What the Slurm dispatcher writes and reads, without a cluster: squeue/sbatch answers and the batch script, which is
/// run by a real `sh` with a stand-in executable that prints its arguments (every argument must arrive unchanged,
/// quotes, spaces and `$` included, and `--backend-ref` must be the Slurm job id from the environment).
@Suite struct SlurmScriptTests {
    @Test func squeueAndSbatchAnswersParse() {
        let q = SlurmJobState.parse(squeue: "12|PENDING|Resources\n13|RUNNING|None\n 14 | COMPLETED | None \ngarbage\n15_2|FAILED|NonZeroExitCode\n")
        #expect(q["12"] == SlurmJobState(id: "12", state: "PENDING", reason: "Resources"))
        #expect(q["13"]?.reason == nil && q["13"]?.isFinished == false && q["12"]?.isPending == true)
        #expect(q["14"]?.state == "COMPLETED" && q["14"]?.isFinished == true)
        #expect(q["15_2"]?.state == "FAILED" && q.count == 4)
        for state in ["COMPLETING", "CONFIGURING", "SUSPENDED", "REQUEUED"] {
            #expect(!SlurmJobState(id: "1", state: state, reason: nil).isFinished, "\(state) may still run processes")
        }
        #expect(SlurmJobState.parse(sbatchParsable: "4242\n") == "4242")
        #expect(SlurmJobState.parse(sbatchParsable: "4242;cluster-a\n") == "4242")
        #expect(SlurmJobState.parse(sbatchParsable: "sbatch: error: Batch job submission failed\n") == nil)
        #expect(SlurmJobState.parse(sbatchParsable: "") == nil)
    }

    @Test func theBatchScriptExecsTheWorkerWithEveryArgumentIntact() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-script-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let printer = dir.appendingPathComponent("print args")
        try "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n".write(to: printer, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: printer.path)
        let url = "postgres://u:p'a $x`y@db:5432/orchard"
        var c = SlurmConfiguration(workerExecutable: printer.path, storeArguments: ["--database", url, "--checkpoint-dir", "/srv/ck dir"],
                                   scriptDirectory: dir)
        c.workerArguments = ["--drain-seconds", "20.0"]
        c.partition = "gpu nodes"
        c.timeLimit = "1:00:00"
        c.extraSbatchArguments = ["--account=lab"]
        let script = SlurmBatchScript(jobID: "job_abc", submission: 3, cpusPerTask: 4, configuration: c)
        #expect(script.jobName == "orchard-job_abc-3")
        #expect(script.sbatchArguments == ["--parsable", "--job-name=orchard-job_abc-3", "--output=\(dir.path)/%j.out", "--ntasks=1",
                                           "--cpus-per-task=4", "--mem=2G", "--no-requeue", "--partition=gpu nodes", "--time=1:00:00", "--account=lab"])
        let file = dir.appendingPathComponent("s.sh")
        try SlurmBatchScript.writePrivately(script.text, to: file)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o700, "the script names the database: owner only (\(String(mode ?? 0, radix: 8)))")
        let (status, out, err) = try runProgram(["sh", file.path], env: ["SLURM_JOB_ID": "777"])
        #expect(status == 0, "\(err)")
        #expect(out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) == [
            "worker", "--job", "job_abc", "--threads-per-job", "4", "--database", url, "--checkpoint-dir", "/srv/ck dir",
            "--drain-seconds", "20.0", "--backend-ref", "777",
        ])
    }
}
