import Foundation

/// Decodes a job kind's `Codable` params from the request's JSON, once, with three rules that
/// `JSONDecoder` does not give:
/// - **Defaults on the fields.** A key missing from the request takes its value from `Params()`
///   (encoded once into `defaults`), at the same path; nested objects merge key by key, so
///   `{"model": {"layers": 4}}` keeps every other default of `model`. An explicit `null` overrides a default.
/// - **Unknown keys are refused.** Every key of every request object must be read by the type's
///   `init(from:)`; the first one (in path order) that is not is reported with its full path.
/// - **Errors name the exact path** (`model.heads`, `mixture.config.update_interval`,
///   `forget_documents[2].id`) as `JobError.invalid(param:message:)`.
///
/// `legacyKeys` lists keys that older releases stored and that are accepted (ignored unless the type
/// reads them) when decoding stored params; requests never pass it.
public struct ParamsDecoder {
    public var legacyKeys: Set<String> = []
    public init(legacyKeys: Set<String> = []) { self.legacyKeys = legacyKeys }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, defaults: JSONValue? = nil) throws -> T {
        let tracker = KeyTracker()
        let decoder = ValueDecoder(value: value, defaults: defaults, codingPath: [], tracker: tracker)
        let out: T
        do { out = try T(from: decoder) } catch let e as DecodingError {
            throw Self.invalid(e)
        }
        if let (path, key) = tracker.firstUnread(ignoring: legacyKeys) {
            let full = path.isEmpty ? key : path + "." + key
            throw JobError.invalid(param: full, message: "unknown parameter '\(full)'")
        }
        return out
    }

    /// `a.b[2].c` from a coding path.
    public static func path(_ codingPath: [CodingKey]) -> String {
        var s = ""
        for k in codingPath {
            if let i = k.intValue, k.stringValue == "Index \(i)" || k.stringValue == "\(i)" { s += "[\(i)]" }
            else { s += s.isEmpty ? k.stringValue : "." + k.stringValue }
        }
        return s
    }

    static func invalid(_ e: DecodingError) -> JobError {
        switch e {
        case .typeMismatch(let t, let c):
            let p = path(c.codingPath)
            return .invalid(param: p.isEmpty ? nil : p, message: "\(p.isEmpty ? "params" : p) must be \(describe(t))\(c.debugDescription.isEmpty ? "" : ": " + c.debugDescription)")
        case .valueNotFound(let t, let c):
            let p = path(c.codingPath)
            return .invalid(param: p.isEmpty ? nil : p, message: "\(p) must be \(describe(t)), not null")
        case .keyNotFound(let k, let c):
            let p = path(c.codingPath + [k])
            return .invalid(param: p, message: "\(p) is required")
        case .dataCorrupted(let c):
            let p = path(c.codingPath)
            return .invalid(param: p.isEmpty ? nil : p, message: c.debugDescription)
        @unknown default:
            return .invalid(param: nil, message: "\(e)")
        }
    }

    static func describe(_ t: Any.Type) -> String {
        switch t {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt64.Type, is UInt32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default:
            let n = "\(t)"
            if n.hasPrefix("Array") || n.hasPrefix("[") { return "an array" }
            if n.hasPrefix("Dictionary") { return "an object" }
            return "of type \(n)"
        }
    }
}

/// Which keys of which request objects the decoding read.
final class KeyTracker {
    private var objects: [String: Set<String>] = [:]
    private var read: [String: Set<String>] = [:]
    func register(path: String, keys: some Sequence<String>) { objects[path, default: []].formUnion(keys) }
    func markRead(path: String, key: String) { read[path, default: []].insert(key) }
    func firstUnread(ignoring legacy: Set<String>) -> (String, String)? {
        for path in objects.keys.sorted() {
            let unread = objects[path]!.subtracting(read[path] ?? []).filter { !(path.isEmpty && legacy.contains($0)) }
            if let k = unread.sorted().first { return (path, k) }
        }
        return nil
    }
}

struct IndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String
    init(_ i: Int) { intValue = i; stringValue = "\(i)" }
    init?(intValue: Int) { self.init(intValue) }
    init?(stringValue: String) { return nil }
}

struct ValueDecoder: Decoder {
    let value: JSONValue
    let defaults: JSONValue?
    let codingPath: [CodingKey]
    let tracker: KeyTracker
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: ""))
        }
        let path = ParamsDecoder.path(codingPath)
        tracker.register(path: path, keys: o.keys)
        return KeyedDecodingContainer(KeyedValues<Key>(object: o, defaults: defaults?.objectValue ?? [:], codingPath: codingPath,
                                                         path: path, tracker: tracker))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case .array(let a) = value else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: ""))
        }
        return UnkeyedValues(array: a, codingPath: codingPath, tracker: tracker)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValue(value: value, defaults: defaults, codingPath: codingPath, tracker: tracker) }

    /// Scalars: numbers must be exact for integer types; strings and booleans are not coerced.
    static func scalar<T>(_ type: T.Type, _ v: JSONValue, _ path: [CodingKey]) throws -> T {
        func mismatch() -> DecodingError { .typeMismatch(T.self, .init(codingPath: path, debugDescription: "")) }
        if case .null = v { throw DecodingError.valueNotFound(T.self, .init(codingPath: path, debugDescription: "")) }
        switch T.self {
        case is String.Type: guard case .string(let s) = v else { throw mismatch() }; return s as! T
        case is Bool.Type: guard case .bool(let b) = v else { throw mismatch() }; return b as! T
        case is Double.Type: guard case .number(let d) = v else { throw mismatch() }; return d as! T
        case is Float.Type: guard case .number(let d) = v else { throw mismatch() }; return Float(d) as! T
        default: break
        }
        guard case .number(let d) = v, d.rounded() == d, abs(d) < 9.007_199_254_740_992e15 else { throw mismatch() }
        func exact<I: FixedWidthInteger>(_: I.Type) throws -> I {
            guard let i = I(exactly: d) else { throw mismatch() }
            return i
        }
        switch T.self {
        case is Int.Type: return try exact(Int.self) as! T
        case is Int8.Type: return try exact(Int8.self) as! T
        case is Int16.Type: return try exact(Int16.self) as! T
        case is Int32.Type: return try exact(Int32.self) as! T
        case is Int64.Type: return try exact(Int64.self) as! T
        case is UInt.Type: return try exact(UInt.self) as! T
        case is UInt8.Type: return try exact(UInt8.self) as! T
        case is UInt16.Type: return try exact(UInt16.self) as! T
        case is UInt32.Type: return try exact(UInt32.self) as! T
        case is UInt64.Type: return try exact(UInt64.self) as! T
        default: throw mismatch()
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ v: JSONValue, defaults: JSONValue?, _ path: [CodingKey], _ tracker: KeyTracker) throws -> T {
        if T.self == JSONValue.self {
            // A free-form value: everything below it counts as read.
            return v as! T
        }
        switch T.self {
        case is String.Type, is Bool.Type, is Double.Type, is Float.Type, is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type,
             is Int64.Type, is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type:
            return try scalar(T.self, v, path)
        default:
            var defaults = defaults
            if defaults == nil || defaults == .null, let section = T.self as? any ParamsSection.Type {
                defaults = try? JSONValue(encoding: section.init())
            }
            return try T(from: ValueDecoder(value: v, defaults: defaults, codingPath: path, tracker: tracker))
        }
    }
}

struct KeyedValues<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: [String: JSONValue]
    let defaults: [String: JSONValue]
    let codingPath: [CodingKey]
    let path: String
    let tracker: KeyTracker

    var allKeys: [Key] { object.keys.sorted().compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        tracker.markRead(path: path, key: key.stringValue)
        return object[key.stringValue] != nil || defaults[key.stringValue] != nil
    }

    /// The request's value, else the default at the same path.
    func entry(_ key: Key) throws -> (JSONValue, JSONValue?) {
        tracker.markRead(path: path, key: key.stringValue)
        if let v = object[key.stringValue] { return (v, defaults[key.stringValue]) }
        if let d = defaults[key.stringValue] { return (d, d) }
        throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: ""))
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        tracker.markRead(path: path, key: key.stringValue)
        if let v = object[key.stringValue] { return v == .null }
        return (defaults[key.stringValue] ?? .null) == .null
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (v, d) = try entry(key)
        return try ValueDecoder.decode(T.self, v, defaults: d, codingPath + [key], tracker)
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(Bool.self as Bool.Type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(String.self as String.Type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(Double.self as Double.Type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(Float.self as Float.Type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(Int.self as Int.Type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(Int8.self as Int8.Type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(Int16.self as Int16.Type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(Int32.self as Int32.Type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(Int64.self as Int64.Type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(UInt.self as UInt.Type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(UInt8.self as UInt8.Type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(UInt16.self as UInt16.Type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(UInt32.self as UInt32.Type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(UInt64.self as UInt64.Type, key) }

    private func decode<T>(_ type: T.Type, _ key: Key) throws -> T {
        let (v, _) = try entry(key)
        return try ValueDecoder.scalar(T.self, v, codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, d) = try entry(key)
        return try ValueDecoder(value: v, defaults: d, codingPath: codingPath + [key], tracker: tracker).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        let (v, d) = try entry(key)
        return try ValueDecoder(value: v, defaults: d, codingPath: codingPath + [key], tracker: tracker).unkeyedContainer()
    }
    func superDecoder() throws -> Decoder {
        ValueDecoder(value: .object(object), defaults: .object(defaults), codingPath: codingPath, tracker: tracker)
    }
    func superDecoder(forKey key: Key) throws -> Decoder {
        let (v, d) = try entry(key)
        return ValueDecoder(value: v, defaults: d, codingPath: codingPath + [key], tracker: tracker)
    }
}

struct UnkeyedValues: UnkeyedDecodingContainer {
    let array: [JSONValue]
    let codingPath: [CodingKey]
    let tracker: KeyTracker
    var currentIndex = 0
    var count: Int? { array.count }
    var isAtEnd: Bool { currentIndex >= array.count }

    init(array: [JSONValue], codingPath: [CodingKey], tracker: KeyTracker) {
        self.array = array; self.codingPath = codingPath; self.tracker = tracker
    }

    mutating func next() throws -> (JSONValue, [CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "array too short"))
        }
        defer { currentIndex += 1 }
        return (array[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if array[currentIndex] == .null { currentIndex += 1; return true }
        return false
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, p) = try next()
        return try ValueDecoder.decode(T.self, v, defaults: nil, p, tracker)
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try scalar(type) }
    mutating func decode(_ type: String.Type) throws -> String { try scalar(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try scalar(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try scalar(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try scalar(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try scalar(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try scalar(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try scalar(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try scalar(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try scalar(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try scalar(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try scalar(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try scalar(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try scalar(type) }
    private mutating func scalar<T>(_ type: T.Type) throws -> T {
        let (v, p) = try next()
        return try ValueDecoder.scalar(T.self, v, p)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try next()
        return try ValueDecoder(value: v, defaults: nil, codingPath: p, tracker: tracker).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        let (v, p) = try next()
        return try ValueDecoder(value: v, defaults: nil, codingPath: p, tracker: tracker).unkeyedContainer()
    }
    mutating func superDecoder() throws -> Decoder {
        let (v, p) = try next()
        return ValueDecoder(value: v, defaults: nil, codingPath: p, tracker: tracker)
    }
}

struct SingleValue: SingleValueDecodingContainer {
    let value: JSONValue
    let defaults: JSONValue?
    let codingPath: [CodingKey]
    let tracker: KeyTracker
    func decodeNil() -> Bool { value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try ValueDecoder.decode(T.self, value, defaults: defaults, codingPath, tracker) }
    func decode(_ type: Bool.Type) throws -> Bool { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try ValueDecoder.scalar(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try ValueDecoder.scalar(type, value, codingPath) }
}
