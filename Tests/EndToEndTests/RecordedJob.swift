import Foundation
import OrchardJobs
import OrchardQueue
import OrchardStore

/// A finished `test_counter` job with `steps` metrics events (a made-up falling loss), written into a data directory through the store's
/// worker API (submit, claim, appendEvent per step, updateProgress, complete: what a worker running the job does,
/// each event its own fenced write) before a server is started on that directory. The dashboard test needs a job
/// with 10,000 events; running one through the server takes about two minutes on a loaded two-core machine (one
/// event and one progress write per step, plus the worker's heartbeats), recording it here a few seconds.
enum RecordedJob {
    /// The job's id. The store is closed when this returns, so a server may open the directory.
    static func write(dataDir: URL, tenant: String, steps: Int) throws -> String {
        let store = try OrchardStore(configuration: StoreConfiguration(dataDirectory: dataDir))
        let params: JSONValue = ["steps": .number(Double(steps)), "checkpoint_every": .number(Double(steps)), "step_ms": 0]
        let job = try store.submit(JobSubmission(tenant: tenant, type: "test_counter", params: params, seed: 7,
                                                 metadata: ["recorded": "RecordedJob"])).job
        guard let claimed = try store.claim(owner: "dashboard-test", types: ["test_counter"], leaseMillis: 600_000).first,
              claimed.job.id == job.id else { throw E2EError("could not claim the recorded job") }
        for step in 1...steps {
            // A falling loss with some noise, so the downsampled chart has a shape to keep.
            let loss = 0.5 + 2 * exp(-Double(step) / Double(steps / 4)) + 0.05 * sin(Double(step) * 0.7)
            try store.appendEvent(lease: claimed.lease, type: "metrics", level: "info", message: "",
                                  data: ["step": .number(Double(step)), "loss": .number(loss)])
        }
        try store.updateProgress(claimed.lease, step: steps, totalSteps: steps, tokens: steps * 100)
        try store.complete(claimed.lease, result: ["steps": .number(Double(steps))])
        return job.id
    }
}
