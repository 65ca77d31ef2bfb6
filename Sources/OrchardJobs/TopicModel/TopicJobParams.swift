import Foundation
import OrchardMethods
import OrchardTensor

/// Reading and validating the JSON params of the topic-model job types. Every error names the
/// offending field (`param`), so the API answers 422 with it before anything is queued.
enum TopicJobParams {
    static func object(_ params: JSONValue) throws -> [String: JSONValue] {
        guard let o = params.objectValue else { throw JobError.invalid(param: "params", message: "params must be an object") }
        return o
    }

    static func rejectUnknown(_ o: [String: JSONValue], allowed: Set<String>, prefix: String = "") throws {
        for k in o.keys.sorted() where !allowed.contains(k) {
            throw JobError.invalid(param: prefix + k, message: "unknown parameter \(prefix + k)")
        }
    }

    static func string(_ o: [String: JSONValue], _ key: String, prefix: String = "", default d: String? = nil) throws -> String {
        guard let v = o[key], v != .null else {
            if let d { return d }
            throw JobError.invalid(param: prefix + key, message: "\(prefix + key) is required")
        }
        guard let s = v.stringValue, !s.isEmpty else {
            throw JobError.invalid(param: prefix + key, message: "\(prefix + key) must be a non-empty string")
        }
        return s
    }

    static func optionalString(_ o: [String: JSONValue], _ key: String) throws -> String? {
        guard let v = o[key], v != .null else { return nil }
        return try string(o, key)
    }

    static func int(_ o: [String: JSONValue], _ key: String, prefix: String = "", default d: Int?, range: ClosedRange<Int>) throws -> Int {
        guard let v = o[key], v != .null else {
            if let d { return d }
            throw JobError.invalid(param: prefix + key, message: "\(prefix + key) is required")
        }
        guard let i = v.intValue, range.contains(i) else {
            throw JobError.invalid(param: prefix + key,
                                   message: "\(prefix + key) must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    static func double(_ o: [String: JSONValue], _ key: String, prefix: String = "", default d: Double?,
                       valid: (Double) -> Bool, requirement: String) throws -> Double {
        guard let v = o[key], v != .null else {
            if let d { return d }
            throw JobError.invalid(param: prefix + key, message: "\(prefix + key) is required")
        }
        guard let x = v.doubleValue, x.isFinite, valid(x) else {
            throw JobError.invalid(param: prefix + key, message: "\(prefix + key) must be \(requirement)")
        }
        return x
    }

    static func mode(_ o: [String: JSONValue], _ key: String = "mode") throws -> TopicUnlearningMode {
        let s = try string(o, key, default: "exact")
        guard let m = TopicUnlearningMode(rawValue: s) else {
            throw JobError.invalid(param: key, message: "\(key) must be \"exact\" or \"certified\"")
        }
        return m
    }

    /// `certification: {epsilon, delta, capacity: int | {"relative_loss_budget": b}, sensitivity:
    /// {"per_deletion_bound": b} | {"empirical_trials": k}}`; returns the resolved object and the config.
    static func certification(_ v: JSONValue?, seed: UInt64) throws -> (JSONValue, CertifiedUnlearningConfig)? {
        guard let v, v != .null else { return nil }
        let p = "certification."
        guard let o = v.objectValue else { throw JobError.invalid(param: "certification", message: "certification must be an object") }
        try rejectUnknown(o, allowed: ["epsilon", "delta", "capacity", "sensitivity"], prefix: p)
        let epsilon = try double(o, "epsilon", prefix: p, default: nil, valid: { $0 > 0 && $0 < 1 }, requirement: "in (0, 1) (Gaussian mechanism)")
        let delta = try double(o, "delta", prefix: p, default: 1e-5, valid: { $0 > 0 && $0 < 1 }, requirement: "in (0, 1)")
        let capacity: CapacityPolicy
        let capacityJSON: JSONValue
        switch o["capacity"] {
        case nil, .null:
            capacity = .relativeLossBudget(0.5); capacityJSON = ["relative_loss_budget": 0.5]
        case .some(let c):
            if let n = c.intValue {
                guard n >= 1 else { throw JobError.invalid(param: p + "capacity", message: "\(p)capacity must be >= 1") }
                capacity = .fixed(n); capacityJSON = .number(Double(n))
            } else if let co = c.objectValue, co.count == 1, let b = co["relative_loss_budget"]?.doubleValue, b > 0, b.isFinite {
                capacity = .relativeLossBudget(b); capacityJSON = ["relative_loss_budget": .number(b)]
            } else {
                throw JobError.invalid(param: p + "capacity",
                                       message: "\(p)capacity must be a positive integer or {\"relative_loss_budget\": b > 0}")
            }
        }
        let sensitivity: SensitivitySource
        let sensitivityJSON: JSONValue
        switch o["sensitivity"] {
        case nil, .null:
            sensitivity = .empirical(trials: 3, seed: seed); sensitivityJSON = ["empirical_trials": 3]
        case .some(let s):
            guard let so = s.objectValue, so.count == 1 else {
                throw JobError.invalid(param: p + "sensitivity",
                                       message: "\(p)sensitivity must be {\"per_deletion_bound\": b} or {\"empirical_trials\": k}")
            }
            if let b = so["per_deletion_bound"] {
                guard let x = b.doubleValue, x > 0, x.isFinite else {
                    throw JobError.invalid(param: p + "sensitivity.per_deletion_bound", message: "must be a positive number")
                }
                sensitivity = .suppliedPerDeletionBound(x); sensitivityJSON = ["per_deletion_bound": .number(x)]
            } else if let t = so["empirical_trials"] {
                guard let k = t.intValue, (1...100).contains(k) else {
                    throw JobError.invalid(param: p + "sensitivity.empirical_trials", message: "must be an integer in 1...100")
                }
                sensitivity = .empirical(trials: k, seed: seed); sensitivityJSON = ["empirical_trials": .number(Double(k))]
            } else {
                throw JobError.invalid(param: p + "sensitivity",
                                       message: "\(p)sensitivity must be {\"per_deletion_bound\": b} or {\"empirical_trials\": k}")
            }
        }
        let resolved: JSONValue = ["epsilon": .number(epsilon), "delta": .number(delta), "capacity": capacityJSON,
                                   "sensitivity": sensitivityJSON]
        return (resolved, CertifiedUnlearningConfig(epsilon: epsilon, delta: delta, capacity: capacity, sensitivity: sensitivity))
    }

    /// The resolved params carry the job's seed (the runner's `run` does not get it otherwise), as a
    /// decimal string so every UInt64 survives JSON.
    static func seedJSON(_ seed: UInt64) -> JSONValue { .string(String(seed)) }

    static func seed(_ o: [String: JSONValue], default d: UInt64) throws -> UInt64 {
        guard let v = o["seed"], v != .null else { return d }
        if let s = v.stringValue, let x = UInt64(s) { return x }
        if let i = v.intValue, i >= 0 { return UInt64(i) }
        throw JobError.invalid(param: "seed", message: "seed must be a non-negative integer")
    }

    static func storedSeed(_ params: JSONValue) throws -> UInt64 {
        try seed(params.objectValue ?? [:], default: 0)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// A stable pseudo-random split of document ids (SHA-256 of the id): the same id always lands on the same side.
    static func isHeldOut(_ id: String, fraction: Double) -> Bool {
        guard fraction > 0 else { return false }
        let h = SHA256Hasher.digest(Array(id.utf8))
        let x = UInt32(h[0]) << 24 | UInt32(h[1]) << 16 | UInt32(h[2]) << 8 | UInt32(h[3])
        return Double(x) / 4_294_967_296.0 < fraction
    }
}
