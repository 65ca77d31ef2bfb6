import Foundation

/// The data of a job's `job.succeeded` / `job.failed` event as JSON text, shared by every store: spliced from the
/// already encoded result or error (keys in sorted order, as `jsonText` writes them), so nothing is encoded twice.
/// Shape: `{"error":…,"result":…,"status":"succeeded"|"failed"}`, absent keys omitted.
public enum JobFinishEventData {
    public static func text(status: JobStatus, resultJSON: String?, errorJSON: String?) -> String {
        var data = "{"
        if let errorJSON { data += "\"error\":" + errorJSON + "," }
        if let resultJSON { data += "\"result\":" + resultJSON + "," }
        data += "\"status\":\"" + status.rawValue + "\"}"
        return data
    }
}
