import Foundation
import OrchardJobs

/// What `orchard watch` knows about a running job, and how it is drawn: one status line that fits a given width,
/// warning lines, and the closing summary. Pure (no I/O): the command feeds it events, job snapshots and the clock.
///
/// The status line, widest form first:
/// `[#######-------] 120/300 40%  loss 2.310  held-out 2.452  2.1 steps/s  8.6k tok/s  1m05s, ~1m26s left`.
/// When it does not fit, segments go in this order: the bar, elapsed time, tokens/s, steps/s, the time left, then
/// headline metrics from the last; what remains is cut to the width. It is never wider than `width - 1` columns
/// (a terminal that wraps at the last column would otherwise leave a partial line behind at every redraw).
struct WatchStatus {
    var type: String?
    var step = 0
    var total: Int?
    var tokens: Int?
    var startedAt: Date?
    var metrics: [String: Double] = [:]
    /// Lowest value and its step for every metric whose name says lower is better (loss, held-out loss).
    var best: [String: (value: Double, step: Int)] = [:]
    /// (time seen, step, tokens) of recent progress, for the rates: the last 30 s.
    private var samples: [(at: Date, step: Int, tokens: Int?)] = []

    /// Metrics shown on the status line per job type, in order; other types show `loss` then the rest by name.
    static let headline: [String: [(key: String, label: String)]] = [
        "pretrain": [("loss", "loss"), ("heldout_loss", "held-out")],
        "dpo": [("loss", "loss"), ("reward_accuracy", "acc"), ("chosen_logprob_change", "dlogp+"), ("rejected_logprob_change", "dlogp-")],
        "distill": [("train_loss", "student"), ("test_accuracy", "acc"), ("heldout_loss", "held-out")],
        "mlp_train": [("train_loss", "loss"), ("test_accuracy", "acc")],
        "lm_unlearn": [("loss", "loss"), ("forget_nll", "forget-nll")],
    ]

    mutating func apply(event: JSONValue, at now: Date) {
        guard let data = event["data"] else { return }
        if event["type"]?.stringValue == "metrics", case .object(let o) = data {
            let step = o["step"]?.intValue
            for (k, v) in o where k != "step" {
                guard let d = v.doubleValue, d.isFinite else { continue }
                metrics[k] = d
                if Self.lowerIsBetter(k), let step, d < (best[k]?.value ?? .infinity) { best[k] = (d, step) }
            }
        }
        if let s = data["step"]?.intValue { observe(step: s, total: data["total_steps"]?.intValue, tokens: nil, at: now) }
    }

    mutating func apply(job: JSONValue, at now: Date) {
        type = job["type"]?.stringValue ?? type
        if let s = job["started_at"]?.doubleValue { startedAt = Date(timeIntervalSince1970: s) }
        if let s = job["progress"]?["step"]?.intValue {
            observe(step: s, total: job["progress"]?["total_steps"]?.intValue, tokens: job["progress"]?["tokens"]?.intValue, at: now)
        }
    }

    private mutating func observe(step s: Int, total t: Int?, tokens k: Int?, at now: Date) {
        step = max(step, s)
        if let t { total = t }
        if let k { tokens = k }
        samples.append((now, step, tokens))
        samples.removeAll { now.timeIntervalSince($0.at) > 30 }
    }

    static func lowerIsBetter(_ key: String) -> Bool { key.hasSuffix("loss") }

    /// Steps and tokens per second over the recent samples (nil until two samples a second apart).
    var rates: (steps: Double, tokens: Double?)? {
        guard let first = samples.first, let last = samples.last else { return nil }
        let dt = last.at.timeIntervalSince(first.at)
        guard dt >= 1, last.step > first.step else { return nil }
        let tokens = (first.tokens != nil && last.tokens != nil) ? Double(last.tokens! - first.tokens!) / dt : nil
        return (Double(last.step - first.step) / dt, tokens)
    }

    func line(width: Int, now: Date) -> String {
        let limit = max(1, width - 1)
        var count = "\(step)"
        if let total, total > 0 { count += "/\(total) \(Int((100 * Double(step) / Double(total)).rounded(.down)))%" }
        let keys = Self.headline[type ?? ""]?.filter { metrics[$0.key] != nil }
            ?? (metrics["loss"].map { _ in [("loss", "loss")] } ?? []) + metrics.keys.filter { $0 != "loss" }.sorted().prefix(2).map { ($0, $0) }
        var metricParts = keys.map { "\($0.label) \(Self.format(metrics[$0.key]!))" }
        var stepsRate: String?, tokenRate: String?, left: String?, elapsed: String?
        if let r = rates {
            stepsRate = "\(Self.compact(r.steps)) steps/s"
            if let t = r.tokens, t > 0 { tokenRate = "\(Self.compact(t)) tok/s" }
            if let total, total > step, r.steps > 0 { left = "~\(Self.duration(Double(total - step) / r.steps)) left" }
        }
        if let startedAt { elapsed = Self.duration(max(0, now.timeIntervalSince(startedAt))) }
        var showBar = total != nil

        func compose() -> String {
            var parts: [String] = [count] + metricParts + [stepsRate, tokenRate].compactMap { $0 }
            switch (elapsed, left) {
            case let (e?, l?): parts.append("\(e), \(l)")
            case let (e?, nil): parts.append(e)
            case let (nil, l?): parts.append(l)
            default: break
            }
            let text = parts.joined(separator: "  ")
            guard showBar, let total, total > 0 else { return text }
            let room = limit - text.count - 3
            guard room >= 10 else { return text }
            let barWidth = min(30, room)
            let filled = min(barWidth, barWidth * step / total)
            return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] " + text
        }
        var text = compose()
        // Drop segments until it fits: bar, elapsed, tokens/s, steps/s, time left, metrics from the last.
        var drops: [() -> Void] = [{ showBar = false }, { elapsed = nil }, { tokenRate = nil }, { stepsRate = nil }, { left = nil }]
        drops += metricParts.indices.reversed().map { i in { metricParts.removeSubrange(i...) } }
        for drop in drops where text.count > limit {
            drop()
            text = compose()
        }
        return String(text.prefix(limit))
    }

    /// A warning event as its own line (events of level warn or error), or nil.
    static func warning(_ event: JSONValue) -> String? {
        guard let level = event["level"]?.stringValue, level == "warn" || level == "error" else { return nil }
        let type = event["type"]?.stringValue ?? "event"
        let step = event["data"]?["step"]?.intValue.map { " at step \($0)" } ?? ""
        return "\(level == "error" ? "error" : "warning")\(step): \(type): \(event["message"]?.stringValue ?? "")"
    }

    /// The closing lines: status and duration, the best value of each loss metric, the final checkpoint.
    func summary(job: JSONValue?, status: String) -> [String] {
        var lines: [String] = []
        var head = "\(job?["id"]?.stringValue ?? "job") \(status)"
        if let s = job?["started_at"]?.doubleValue, let f = job?["finished_at"]?.doubleValue { head += " in \(Self.duration(f - s))" }
        if let total { head += " (\(step)/\(total) steps)" } else if step > 0 { head += " (\(step) steps)" }
        lines.append(head)
        let bests = best.keys.sorted().map { "\($0) \(Self.format(best[$0]!.value)) at step \(best[$0]!.step)" }
        if !bests.isEmpty { lines.append("best: " + bests.joined(separator: ", ")) }
        if let ckpt = job?["latest_checkpoint_id"]?.stringValue { lines.append("final checkpoint: \(ckpt)") }
        if let error = job?["error"], error != .null {
            lines.append("error: \(error["code"]?.stringValue ?? "?"): \(error["message"]?.stringValue ?? "")")
        }
        return lines
    }

    static func format(_ v: Double) -> String {
        abs(v) >= 1000 || (abs(v) < 0.001 && v != 0) ? String(format: "%.3g", v) : String(format: "%.3f", v)
    }

    /// 8,612 → "8.6k"; 2.14 → "2.1"; 0.42 → "0.42".
    static func compact(_ v: Double) -> String {
        if v >= 1e6 { return String(format: "%.1fM", v / 1e6) }
        if v >= 1e3 { return String(format: "%.1fk", v / 1e3) }
        return v >= 10 ? String(format: "%.0f", v) : (v >= 1 ? String(format: "%.1f", v) : String(format: "%.2f", v))
    }

    /// 65 → "1m05s"; 3725 → "1h02m"; 7 → "7s".
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
