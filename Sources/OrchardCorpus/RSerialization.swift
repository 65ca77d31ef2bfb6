import Foundation

/// A value read from R's XDR serialization format (version 2 or 3): just the types that data sets
/// shipped as R lazy-load databases use (character/integer/double/logical/raw vectors, lists,
/// pairlists, symbols, environments).
public indirect enum RValue: Equatable, Sendable {
    case null
    case symbol(String)
    case strings([String?])   // STRSXP; nil = NA_character_
    case integers([Int32])    // INTSXP and LGLSXP
    case doubles([Double])    // REALSXP
    case raw([UInt8])
    case list([RValue])       // VECSXP / EXPRSXP
    case pairlist([(tag: String?, value: RValue)])
    case environment
    case attributed(RValue, attributes: [String: RValue])

    /// The value without its attributes.
    public var bare: RValue {
        if case .attributed(let inner, _) = self { return inner }
        return self
    }

    public var attributes: [String: RValue] {
        if case .attributed(_, let attributes) = self { return attributes }
        return [:]
    }

    /// `names(x)` for a named list or vector.
    public var names: [String]? {
        guard case .strings(let values)? = attributes["names"]?.bare else { return nil }
        return values.map { $0 ?? "" }
    }

    public static func == (lhs: RValue, rhs: RValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null), (.environment, .environment): return true
        case (.symbol(let a), .symbol(let b)): return a == b
        case (.strings(let a), .strings(let b)): return a == b
        case (.integers(let a), .integers(let b)): return a == b
        case (.doubles(let a), .doubles(let b)): return a == b
        case (.raw(let a), .raw(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.pairlist(let a), .pairlist(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.tag == $1.tag && $0.value == $1.value }
        case (.attributed(let a, let x), .attributed(let b, let y)): return a == b && x == y
        default: return false
        }
    }
}

/// Reader for R's XDR (big-endian) serialization stream, `X\n` header.
public struct RDeserializer {
    private let bytes: [UInt8]
    private var position = 0
    private var references: [RValue] = []

    public init(_ data: Data) { bytes = [UInt8](data) }

    /// Parses the whole stream: header, then one object.
    public static func read(_ data: Data) throws -> RValue {
        var reader = RDeserializer(data)
        return try reader.readTop()
    }

    private mutating func readTop() throws -> RValue {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "X"), bytes[1] == UInt8(ascii: "\n") else {
            throw CorpusError.malformed(format: "R serialization", detail: "missing XDR header 'X\\n' (only the XDR format is supported)")
        }
        position = 2
        let version = try int32()
        _ = try int32()  // writer's R version
        _ = try int32()  // minimal reader version
        guard version == 2 || version == 3 else {
            throw CorpusError.malformed(format: "R serialization", detail: "unsupported format version \(version)")
        }
        if version == 3 {
            let length = try int32()
            try skip(Int(length))  // native encoding name
        }
        return try object()
    }

    private mutating func int32() throws -> Int32 {
        guard position + 4 <= bytes.count else { throw truncated() }
        let value = UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16
            | UInt32(bytes[position + 2]) << 8 | UInt32(bytes[position + 3])
        position += 4
        return Int32(bitPattern: value)
    }

    private mutating func skip(_ count: Int) throws {
        guard count >= 0, position + count <= bytes.count else { throw truncated() }
        position += count
    }

    private func truncated() -> CorpusError {
        .malformed(format: "R serialization", detail: "stream ends early at byte \(position)")
    }

    private mutating func length() throws -> Int {
        let n = try int32()
        if n == -1 {  // long vector: two more ints
            let high = try int32(), low = try int32()
            return Int(high) << 32 | Int(UInt32(bitPattern: low))
        }
        guard n >= 0 else { throw CorpusError.malformed(format: "R serialization", detail: "negative length \(n)") }
        return Int(n)
    }

    private mutating func object() throws -> RValue {
        let flags = try int32()
        let type = flags & 0xFF
        let hasAttributes = flags & (1 << 9) != 0
        let hasTag = flags & (1 << 10) != 0
        switch type {
        case 254, 242, 253, 251, 0:  // NILVALUE, EMPTYENV, GLOBALENV, MISSINGARG, NILSXP
            return .null
        case 255:  // REFSXP: index in the high bits, or in the next int when it does not fit
            var index = Int(flags >> 8)
            if index == 0 { index = Int(try int32()) }
            guard index >= 1, index <= references.count else {
                throw CorpusError.malformed(format: "R serialization", detail: "reference \(index) out of range")
            }
            return references[index - 1]
        case 1:  // SYMSXP: its name is a CHARSXP; symbols enter the reference table
            let name = try object()
            guard case .strings(let values) = name, let text = values.first ?? nil else {
                throw CorpusError.malformed(format: "R serialization", detail: "symbol without a name")
            }
            let symbol = RValue.symbol(text)
            references.append(symbol)
            return symbol
        case 9:  // CHARSXP, returned as a one-element STRSXP so callers can treat it uniformly
            let n = try int32()
            if n == -1 { return .strings([nil]) }
            guard n >= 0, position + Int(n) <= bytes.count else { throw truncated() }
            let text = String(decoding: bytes[position..<position + Int(n)], as: UTF8.self)
            position += Int(n)
            return .strings([text])
        case 2, 6:  // LISTSXP (pairlist), LANGSXP
            var items: [(tag: String?, value: RValue)] = []
            var currentFlags = flags
            while true {
                let attributed = currentFlags & (1 << 9) != 0
                let tagged = currentFlags & (1 << 10) != 0
                if attributed { _ = try object() }
                var tag: String? = nil
                if tagged, case .symbol(let name) = try object() { tag = name }
                items.append((tag, try object()))
                // The cdr is usually another pairlist cell: read it iteratively so long lists do not recurse.
                let next = try int32()
                let nextType = next & 0xFF
                if nextType == 2 || nextType == 6 { currentFlags = next; continue }
                position -= 4
                _ = try object()
                break
            }
            return .pairlist(items)
        case 16, 19, 20, 10, 13, 14, 24:
            let n = try length()
            var value: RValue
            switch type {
            case 16:
                var strings: [String?] = []
                strings.reserveCapacity(n)
                for _ in 0..<n {
                    guard case .strings(let one) = try object(), one.count == 1 else {
                        throw CorpusError.malformed(format: "R serialization", detail: "STRSXP element is not a CHARSXP")
                    }
                    strings.append(one[0])
                }
                value = .strings(strings)
            case 19, 20:
                var items: [RValue] = []
                items.reserveCapacity(n)
                for _ in 0..<n { items.append(try object()) }
                value = .list(items)
            case 10, 13:
                var ints: [Int32] = []
                ints.reserveCapacity(n)
                for _ in 0..<n { ints.append(try int32()) }
                value = .integers(ints)
            case 14:
                var doubles: [Double] = []
                doubles.reserveCapacity(n)
                for _ in 0..<n {
                    let high = UInt64(UInt32(bitPattern: try int32())), low = UInt64(UInt32(bitPattern: try int32()))
                    doubles.append(Double(bitPattern: high << 32 | low))
                }
                value = .doubles(doubles)
            default:
                guard position + n <= bytes.count else { throw truncated() }
                value = .raw(Array(bytes[position..<position + n]))
                position += n
            }
            if hasAttributes {
                guard case .pairlist(let pairs) = try object() else {
                    throw CorpusError.malformed(format: "R serialization", detail: "attributes are not a pairlist")
                }
                var attributes: [String: RValue] = [:]
                for pair in pairs { attributes[pair.tag ?? ""] = pair.value }
                value = .attributed(value, attributes: attributes)
            }
            return value
        case 4:  // ENVSXP: locked flag, then enclosure, frame, hash table, attributes
            _ = try int32()
            references.append(.environment)
            for _ in 0..<4 { _ = try object() }
            return .environment
        default:
            _ = hasTag
            throw CorpusError.malformed(format: "R serialization", detail: "R type \(type) is not supported")
        }
    }
}
