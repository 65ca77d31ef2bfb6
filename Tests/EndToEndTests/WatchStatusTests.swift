import Foundation
import OrchardJobs
import Testing
@testable import OrchardCLI

/// The status line of `orchard watch` (issue 21 item 1): it fits any width, keeps the most useful parts when narrow.
@Suite struct WatchStatusTests {
    func pretrainStatus() -> (WatchStatus, Date) {
        var s = WatchStatus()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        s.apply(job: ["type": "pretrain", "started_at": .number(1_800_000_000 - 65), "progress": ["step": 100, "total_steps": 300, "tokens": 204_800]], at: t0)
        s.apply(event: ["type": "metrics", "data": ["step": 110, "loss": 2.31, "heldout_loss": 2.452, "lr": 0.003]], at: t0.addingTimeInterval(2))
        s.apply(job: ["type": "pretrain", "progress": ["step": 120, "total_steps": 300, "tokens": 245_760]], at: t0.addingTimeInterval(10))
        s.apply(event: ["type": "metrics", "data": ["step": 120, "loss": 2.28, "heldout_loss": 2.47]], at: t0.addingTimeInterval(10))
        return (s, t0.addingTimeInterval(10))
    }

    @Test func neverWiderThanTheTerminalMinusOne() {
        let (s, now) = pretrainStatus()
        for width in 1...240 {
            let line = s.line(width: width, now: now)
            #expect(line.count <= max(1, width - 1), "width \(width): \(line.count) \(line)")
            #expect(!line.contains("\n") && !line.contains("\r"))
        }
    }

    @Test func wideShowsEverythingNarrowKeepsProgressAndTheFirstMetric() {
        let (s, now) = pretrainStatus()
        let wide = s.line(width: 120, now: now)
        for part in ["[", "120/300 40%", "loss 2.280", "held-out 2.470", "2.0 steps/s", "4.1k tok/s", "1m15s", "~1m30s left"] {
            #expect(wide.contains(part), "\(part) missing: \(wide)")
        }
        let narrow = s.line(width: 40, now: now)
        #expect(narrow.hasPrefix("120/300 40%") && narrow.contains("loss 2.280") && !narrow.contains("["), "\(narrow)")
        let tiny = s.line(width: 12, now: now)
        #expect(tiny.hasPrefix("120/300"), "\(tiny)")
    }

    @Test func dpoHeadlineAndWarningsAndSummary() {
        var s = WatchStatus()
        let t = Date()
        s.apply(job: ["type": "dpo", "progress": ["step": 5, "total_steps": 50]], at: t)
        s.apply(event: ["type": "metrics", "data": ["step": 5, "loss": 0.61, "reward_accuracy": 0.75, "chosen_logprob_change": -0.4,
                                                    "rejected_logprob_change": -1.2, "grad_norm": 3.0]], at: t)
        let line = s.line(width: 120, now: t)
        #expect(line.contains("loss 0.610") && line.contains("acc 0.750") && line.contains("dlogp+ -0.400") && line.contains("dlogp- -1.200"), "\(line)")
        #expect(!line.contains("grad_norm"))
        let warn: JSONValue = ["type": "likelihood_displacement", "level": "warn", "message": "fell by 0.4", "data": ["step": 5]]
        #expect(WatchStatus.warning(warn) == "warning at step 5: likelihood_displacement: fell by 0.4")
        #expect(WatchStatus.warning(["type": "metrics", "level": "info", "data": [:]]) == nil)
        let summary = s.summary(job: ["id": "job_1", "started_at": 100, "finished_at": 172, "latest_checkpoint_id": "ckpt_9", "error": .null],
                                status: "succeeded")
        #expect(summary == ["job_1 succeeded in 1m12s (5/50 steps)", "best: loss 0.610 at step 5", "final checkpoint: ckpt_9"])
    }
}
