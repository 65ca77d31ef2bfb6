import Foundation

/// The job kinds a process serves, by `type`. The API validates through it, the worker runtime runs
/// through it, and the deletion workflow asks it how a model is unlearned. Each kind is registered once,
/// typed; this is the only place where typed params and results meet stored JSON.
public final class JobKindRegistry: @unchecked Sendable {
    private var kinds: [String: RegisteredKind] = [:]
    private let lock = NSLock()

    public init() {}

    /// Registers a kind (replacing one of the same type).
    public func register<K: JobKind>(_ kind: K) {
        add(RegisteredKind(kind, redact: nil, outcome: nil, unlearning: nil, reads: nil))
    }

    /// Registers a kind that edits models to forget documents (queued by deletion requests).
    public func register<K: UnlearningKind>(_ kind: K) {
        add(RegisteredKind(kind, redact: { kind.redacted($0) }, outcome: { $0.outcome }, unlearning: nil, reads: { kind.readsModels($0) }))
    }

    /// Registers a kind whose models a deletion request can unlearn (its unlearner is registered too).
    public func register<K: Unlearnable>(_ kind: K) {
        add(RegisteredKind(kind, redact: nil, outcome: nil, unlearning: RegisteredKind.Unlearning(kind), reads: nil))
        register(kind.unlearner)
    }

    private func add(_ k: RegisteredKind) {
        lock.lock(); defer { lock.unlock() }
        kinds[k.type] = k
    }

    public func kind(_ type: String) -> RegisteredKind? {
        lock.lock(); defer { lock.unlock() }
        return kinds[type]
    }

    public var types: [String] {
        lock.lock(); defer { lock.unlock() }
        return kinds.keys.sorted()
    }

    /// Job types whose models a deletion request can unlearn.
    public var unlearnableTypes: Set<String> {
        lock.lock(); defer { lock.unlock() }
        return Set(kinds.values.filter { $0.unlearning != nil }.map(\.type))
    }
}

/// A registered kind with its types erased to stored JSON: decode once, resolve, run, encode once.
public struct RegisteredKind: Sendable {
    public let type: String
    /// Params of a request → resolved params to store (422 paths are relative to `params`).
    public let validate: @Sendable (JSONValue) throws -> JSONValue
    /// Params of a request → resolved params and the resources they name (checked before queueing).
    public let validateWithReferences: @Sendable (JSONValue) throws -> (params: JSONValue, references: [JobReference])
    /// Stored params (this or an older release's) + the job's seed → the encoded result.
    public let run: @Sendable (JSONValue, UInt64, JobContext) throws -> JSONValue
    /// Stored params as kept after the job ended (an unlearning kind drops the forgotten text).
    public let redact: @Sendable (JSONValue) -> JSONValue
    /// Reads this kind's stored result as an unlearning outcome (unlearning kinds only).
    public let outcome: (@Sendable (JSONValue) throws -> UnlearningOutcome)?
    /// How this kind's models are unlearned (unlearnable kinds only).
    public let unlearning: Unlearning?
    /// The models (root jobs) an unlearning job with these stored params reads besides the one it edits (unlearning kinds only).
    public let reads: (@Sendable (JSONValue) throws -> [String])?

    /// Keys that releases before the typed seam stored in params: the seed (now the job's own column).
    static let legacyKeys: Set<String> = ["seed"]

    init<K: JobKind>(_ kind: K, redact: (@Sendable (K.Params) -> K.Params)?, outcome: (@Sendable (K.Output) -> UnlearningOutcome)?,
                     unlearning: Unlearning?, reads: (@Sendable (K.Params) -> [String])?) {
        type = K.type
        self.unlearning = unlearning
        if let reads {
            self.reads = { json in reads(try Self.decodeStored(kind, json)) }
        } else {
            self.reads = nil
        }
        let validating: @Sendable (JSONValue) throws -> (params: JSONValue, references: [JobReference]) = { json in
            let p = try Self.decodeRequest(kind, json)
            return (try Self.encode(p), kind.references(p))
        }
        validateWithReferences = validating
        validate = { try validating($0).params }
        run = { json, seed, context in
            let params = try Self.decodeStored(kind, json)
            return try Self.encode(try kind.run(params, seed: Self.legacySeed(json) ?? seed, context: context))
        }
        if let redact {
            self.redact = { json in
                guard let p = try? Self.decodeStored(kind, json), let out = try? Self.encode(redact(p)) else { return json }
                return out
            }
        } else {
            self.redact = { $0 }
        }
        if let outcome {
            self.outcome = { json in outcome(try json.decode(K.Output.self)) }
        } else {
            self.outcome = nil
        }
    }

    /// Request params: defaults from `Params()`, unknown keys refused, then resolved.
    static func decodeRequest<K: JobKind>(_ kind: K, _ json: JSONValue) throws -> K.Params {
        guard case .object = json else { throw JobError.invalid(param: nil, message: "params must be an object") }
        let p = try ParamsDecoder().decode(K.Params.self, from: json, defaults: try defaults(K.Params.self))
        return try kind.resolve(p)
    }

    /// Stored params: as requests, but keys older releases stored (`seed`) are accepted.
    static func decodeStored<K: JobKind>(_ kind: K, _ json: JSONValue) throws -> K.Params {
        do {
            let p = try ParamsDecoder(legacyKeys: legacyKeys).decode(K.Params.self, from: K.Params.upgradeStored(json),
                                                                      defaults: try defaults(K.Params.self))
            return try kind.resolve(p)
        } catch let JobError.invalid(param, message) {
            throw JobError.invalid(param: param, message: "stored params do not decode: \(message)")
        }
    }

    /// Releases before the typed seam kept the job's seed in params (pretrain as a decimal string; the
    /// topic kinds let `params.seed` override the job's). A job queued then runs with the seed it stored.
    static func legacySeed(_ json: JSONValue) -> UInt64? {
        switch json["seed"] {
        case .string(let s)?: return UInt64(s)
        case .number(let d)? where d >= 0 && d.rounded() == d && d < 1.8e19: return UInt64(d)
        default: return nil
        }
    }

    static func defaults<P: JobParams>(_ type: P.Type) throws -> JSONValue {
        try JSONValue(encoding: P())
    }

    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValue(encoding: value)
    }
}

extension RegisteredKind {
    /// The unlearning side of an unlearnable kind, erased.
    public struct Unlearning: Sendable {
        /// The job type to queue (the kind's `unlearner`).
        public let jobType: String
        /// The unlearning job's resolved params for one model (the same resolution as a request's).
        public let params: @Sendable (UnlearningRequest) throws -> JSONValue
        /// The models a stored job's model was derived from (its stored params and result; nil result: still running).
        public let parents: @Sendable (JSONValue, JSONValue?) throws -> [ParentModelReference]

        init<K: Unlearnable>(_ kind: K) {
            jobType = K.Unlearner.type
            let unlearner = kind.unlearner
            params = { request in
                try RegisteredKind.encode(try unlearner.resolve(try kind.unlearningParams(for: request)))
            }
            parents = { params, result in
                kind.parentModels(try RegisteredKind.decodeStored(kind, params), result: try result.map { try $0.decode(K.Output.self) })
            }
        }
    }
}

