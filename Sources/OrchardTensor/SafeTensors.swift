import Foundation

/// One named tensor as stored in a checkpoint: row-major Float32 values and their shape.
public struct TensorRecord: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }
}

/// Why a safetensors file could not be written or read. Every corrupt-file path ends here, never in a trap.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case invalidTensor(name: String, reason: String)
    case fileTooSmall(bytes: Int)
    case headerTooLarge(bytes: UInt64, limit: Int)
    case headerOutOfBounds(headerBytes: UInt64, fileBytes: Int)
    case invalidHeader(String)
    case unsupportedDtype(name: String, dtype: String)
    case invalidOffsets(name: String, reason: String)
    case sizeMismatch(expectedBytes: Int, actualBytes: Int)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "safetensors: cannot read \(path): \(reason)"
        case let .invalidTensor(name, reason): return "safetensors: tensor \"\(name)\": \(reason)"
        case let .fileTooSmall(bytes): return "safetensors: file has \(bytes) bytes, fewer than the 8-byte header length"
        case let .headerTooLarge(bytes, limit): return "safetensors: header of \(bytes) bytes exceeds the \(limit)-byte limit"
        case let .headerOutOfBounds(header, file):
            return "safetensors: header claims \(header) bytes but the file has only \(file) bytes after the length prefix"
        case let .invalidHeader(reason): return "safetensors: invalid header: \(reason)"
        case let .unsupportedDtype(name, dtype): return "safetensors: tensor \"\(name)\" has unsupported dtype \(dtype)"
        case let .invalidOffsets(name, reason): return "safetensors: tensor \"\(name)\": \(reason)"
        case let .sizeMismatch(expected, actual):
            return "safetensors: data section should be \(expected) bytes (from the header) but the file holds \(actual)"
        }
    }
}

/// The safetensors checkpoint format (huggingface/safetensors): u64 little-endian header length N,
/// N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {str: str}}`
/// padded with spaces to a multiple of 8, then the tensors' bytes, contiguous, little-endian, row-major.
///
/// Writes F32, tensors in sorted-name order (all share one dtype, so this is also the reference
/// writer's alignment-then-name order), atomically. Reads F32 exactly and converts F64, F16, BF16 and
/// the integer/bool dtypes to Float (F64 and 64/32-bit integers may round); FP8/sub-byte/complex dtypes
/// are rejected. Validation follows the reference reader: header size cap, UTF-8 JSON starting with
/// `{`, no duplicate keys, offsets tiling the data section with no gap or overlap, byte length equal to
/// element count × dtype size, file length equal to 8 + N + data length.
public enum SafeTensors {
    /// Same cap as the reference implementation (`MAX_HEADER_SIZE`).
    public static let maxHeaderBytes = 100_000_000
    static let metadataKey = "__metadata__"

    // MARK: Writing

    public static func write(_ tensors: [String: TensorRecord], metadata: [String: String], to url: URL) throws {
        let (header, names) = try makeHeader(tensors, metadata: metadata)
        try AtomicFile.write(to: url) { writer in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try writer.write($0) }
            try writer.write(header)
            for name in names {
                try writeLittleEndian(tensors[name]!.values, to: &writer)
            }
        }
    }

    /// The complete file as bytes (for tests and in-memory use); `write` streams the same bytes.
    public static func encode(_ tensors: [String: TensorRecord], metadata: [String: String]) throws -> Data {
        let (header, names) = try makeHeader(tensors, metadata: metadata)
        var data = Data()
        var length = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header)
        for name in names {
            for v in tensors[name]!.values {
                var bits = v.bitPattern.littleEndian
                withUnsafeBytes(of: &bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    private static func writeLittleEndian(_ values: [Float], to writer: inout AtomicFileWriter) throws {
        #if _endian(little)
        try values.withUnsafeBytes { try writer.write($0) }
        #else
        try values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { try writer.write($0) }
        #endif
    }

    /// Sorts names bytewise (stable across platforms and locales).
    static func sortedNames<T>(_ tensors: [String: T]) -> [String] {
        tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private static func makeHeader(_ tensors: [String: TensorRecord], metadata: [String: String]) throws -> ([UInt8], [String]) {
        let names = sortedNames(tensors)
        var json = "{"
        var first = true
        if !metadata.isEmpty {
            json += JSONStringLiteral.quote(metadataKey) + ":{"
            json += sortedNames(metadata).map { JSONStringLiteral.quote($0) + ":" + JSONStringLiteral.quote(metadata[$0]!) }.joined(separator: ",")
            json += "}"
            first = false
        }
        var offset = 0
        for name in names {
            guard name != metadataKey else {
                throw SafeTensorsError.invalidTensor(name: name, reason: "the name \(metadataKey) is reserved")
            }
            let record = tensors[name]!
            guard let count = elementCount(record.shape) else {
                throw SafeTensorsError.invalidTensor(name: name, reason: "shape \(record.shape) has a negative or overflowing dimension")
            }
            guard count == record.values.count else {
                throw SafeTensorsError.invalidTensor(name: name, reason: "shape \(record.shape) holds \(count) elements but values has \(record.values.count)")
            }
            let end = offset + 4 * count
            if !first { json += "," }
            first = false
            json += JSONStringLiteral.quote(name) + ":{\"dtype\":\"F32\",\"shape\":[" + record.shape.map(String.init).joined(separator: ",")
                + "],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        json += "}"
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        return (header, names)
    }

    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            count = product
        }
        // Leave room for the byte length (× up to 8) without overflow.
        return count <= Int.max / 8 ? count : nil
    }

    // MARK: Reading

    public static func read(from url: URL) throws -> (tensors: [String: TensorRecord], metadata: [String: String]) {
        // Read, not mmap: a mapping of a file that someone truncates meanwhile would crash with SIGBUS.
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data)
    }

    public static func decode(_ data: Data) throws -> (tensors: [String: TensorRecord], metadata: [String: String]) {
        try data.withUnsafeBytes { try decode(bytes: $0) }
    }

    private struct Entry {
        var name: String
        var dtype: Dtype
        var shape: [Int]
        var begin: Int
        var end: Int
    }

    /// Name, dtype and shape of one stored tensor, as the header describes it.
    public struct TensorInfo: Sendable, Equatable {
        public var dtype: String
        public var shape: [Int]
    }

    /// Reads and validates only the header (tensor list and metadata) against the file's size, without
    /// loading tensor data: cheap access to a checkpoint's metadata (step, config, tokenizer hash).
    public static func readHeader(from url: URL) throws -> (tensors: [String: TensorInfo], metadata: [String: String]) {
        let handle: FileHandle
        let fileSize: UInt64
        do {
            handle = try FileHandle(forReadingFrom: url)
            fileSize = try handle.seekToEnd()
            try handle.seek(toOffset: 0)
        } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        defer { try? handle.close() }
        do {
            let prefix = try handle.read(upToCount: 8) ?? Data()
            guard prefix.count == 8 else { throw SafeTensorsError.fileTooSmall(bytes: prefix.count) }
            let headerLength = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
            guard headerLength <= UInt64(maxHeaderBytes) else {
                throw SafeTensorsError.headerTooLarge(bytes: headerLength, limit: maxHeaderBytes)
            }
            guard headerLength <= fileSize - 8 else { throw SafeTensorsError.headerOutOfBounds(headerBytes: headerLength, fileBytes: Int(fileSize - 8)) }
            let header = try handle.read(upToCount: Int(headerLength)) ?? Data()
            guard header.count == Int(headerLength) else { throw SafeTensorsError.headerOutOfBounds(headerBytes: headerLength, fileBytes: 8 + header.count) }
            let parsed = try header.withUnsafeBytes { try parseHeader($0, dataLength: Int(fileSize) - 8 - header.count) }
            var infos: [String: TensorInfo] = [:]
            for entry in parsed.entries { infos[entry.name] = TensorInfo(dtype: entry.dtype.rawValue, shape: entry.shape) }
            return (infos, parsed.metadata)
        } catch let error as SafeTensorsError {
            throw error
        } catch {
            throw SafeTensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    static func decode(bytes: UnsafeRawBufferPointer) throws -> (tensors: [String: TensorRecord], metadata: [String: String]) {
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooSmall(bytes: bytes.count) }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << UInt64(8 * i) }
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw SafeTensorsError.headerTooLarge(bytes: headerLength, limit: maxHeaderBytes)
        }
        let n = Int(headerLength)
        guard n <= bytes.count - 8 else { throw SafeTensorsError.headerOutOfBounds(headerBytes: headerLength, fileBytes: bytes.count - 8) }
        let dataStart = 8 + n
        let (entries, metadata) = try parseHeader(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]), dataLength: bytes.count - dataStart)

        var tensors: [String: TensorRecord] = [:]
        tensors.reserveCapacity(entries.count)
        for entry in entries {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[(dataStart + entry.begin)..<(dataStart + entry.end)])
            tensors[entry.name] = TensorRecord(shape: entry.shape, values: entry.dtype.convert(raw))
        }
        return (tensors, metadata)
    }

    /// Parses and validates the JSON header; `dataLength` is the size of the byte buffer after it.
    private static func parseHeader(_ headerBytes: UnsafeRawBufferPointer, dataLength: Int) throws -> (entries: [Entry], metadata: [String: String]) {
        guard headerBytes.count > 0, headerBytes[0] == UInt8(ascii: "{") else { throw SafeTensorsError.invalidHeader("does not start with '{'") }
        let json: StrictJSON
        do { json = try StrictJSON.parse(headerBytes) } catch let e as StrictJSON.ParseError {
            throw SafeTensorsError.invalidHeader(e.description)
        }
        guard case let .object(members) = json else { throw SafeTensorsError.invalidHeader("top level is not an object") }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (key, value) in members {
            if key == metadataKey {
                metadata = try parseMetadata(value)
            } else {
                entries.append(try parseEntry(name: key, value))
            }
        }

        // Offsets must tile [0, dataLength) exactly: sorted by begin, each begin equals the previous end.
        let ordered = entries.sorted { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expectedBegin = 0
        for entry in ordered {
            guard entry.begin == expectedBegin else {
                let problem = entry.begin < expectedBegin ? "overlaps the previous tensor" : "leaves a gap after the previous tensor"
                throw SafeTensorsError.invalidOffsets(name: entry.name, reason: "data_offsets [\(entry.begin), \(entry.end)] \(problem) (expected begin \(expectedBegin))")
            }
            expectedBegin = entry.end
        }
        guard expectedBegin == dataLength else {
            throw SafeTensorsError.sizeMismatch(expectedBytes: expectedBegin, actualBytes: dataLength)
        }
        return (entries, metadata)
    }

    private static func parseMetadata(_ value: StrictJSON) throws -> [String: String] {
        guard case let .object(pairs) = value else { throw SafeTensorsError.invalidHeader("\(metadataKey) is not an object") }
        var metadata: [String: String] = [:]
        for (k, v) in pairs {
            guard case let .string(s) = v else {
                throw SafeTensorsError.invalidHeader("\(metadataKey)[\"\(k)\"] is not a string (metadata values must be strings)")
            }
            metadata[k] = s
        }
        return metadata
    }

    private static func parseEntry(name: String, _ value: StrictJSON) throws -> Entry {
        guard case let .object(fields) = value else { throw SafeTensorsError.invalidHeader("entry \"\(name)\" is not an object") }
        var dtypeName: String?
        var shape: [Int]?
        var offsets: [Int]?
        for (key, field) in fields {
            switch key {
            case "dtype":
                guard case let .string(s) = field else { throw SafeTensorsError.invalidTensor(name: name, reason: "dtype is not a string") }
                dtypeName = s
            case "shape":
                shape = try integers(field, name: name, what: "shape")
            case "data_offsets":
                offsets = try integers(field, name: name, what: "data_offsets")
            default:
                throw SafeTensorsError.invalidTensor(name: name, reason: "unknown field \"\(key)\"")
            }
        }
        guard let dtypeName, let shape, let offsets else {
            throw SafeTensorsError.invalidTensor(name: name, reason: "needs dtype, shape and data_offsets")
        }
        guard let dtype = Dtype(rawValue: dtypeName) else { throw SafeTensorsError.unsupportedDtype(name: name, dtype: dtypeName) }
        guard offsets.count == 2, offsets[0] <= offsets[1] else {
            throw SafeTensorsError.invalidOffsets(name: name, reason: "data_offsets \(offsets) is not [begin, end] with begin <= end")
        }
        guard let count = elementCount(shape) else {
            throw SafeTensorsError.invalidTensor(name: name, reason: "shape \(shape) overflows")
        }
        let expected = count * dtype.byteSize
        guard offsets[1] - offsets[0] == expected else {
            throw SafeTensorsError.invalidOffsets(name: name, reason: "spans \(offsets[1] - offsets[0]) bytes but shape \(shape) of \(dtypeName) needs \(expected)")
        }
        return Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    private static func integers(_ value: StrictJSON, name: String, what: String) throws -> [Int] {
        guard case let .array(items) = value else { throw SafeTensorsError.invalidTensor(name: name, reason: "\(what) is not an array") }
        return try items.map { item in
            guard case let .unsignedInteger(v) = item, v <= UInt64(Int.max / 8) else {
                throw SafeTensorsError.invalidTensor(name: name, reason: "\(what) must hold non-negative integers that fit in memory")
            }
            return Int(v)
        }
    }

    /// The dtypes that convert to Float without ambiguity; anything else is rejected by name.
    enum Dtype: String {
        case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
        case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8", bool = "BOOL"

        var byteSize: Int {
            switch self {
            case .f64, .i64, .u64: return 8
            case .f32, .i32, .u32: return 4
            case .f16, .bf16, .i16, .u16: return 2
            case .i8, .u8, .bool: return 1
            }
        }

        func convert(_ raw: UnsafeRawBufferPointer) -> [Float] {
            let count = raw.count / byteSize
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                #if _endian(little)
                if self == .f32 {
                    // Same bit layout: one copy (the data section is not necessarily 4-byte aligned).
                    if count > 0 { UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: 4 * count) }
                    initialized = count
                    return
                }
                #endif
                for i in 0..<count {
                    out[i] = element(raw, i)
                }
                initialized = count
            }
        }

        @inline(__always) private func element(_ raw: UnsafeRawBufferPointer, _ i: Int) -> Float {
            switch self {
            case .f32: return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            case .f64: return Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            case .f16: return SafeTensors.halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            case .bf16: return Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            case .i64: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            case .i32: return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            case .i16: return Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
            case .i8: return Float(Int8(bitPattern: raw[i]))
            case .u64: return Float(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
            case .u32: return Float(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            case .u16: return Float(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            case .u8: return Float(raw[i])
            case .bool: return raw[i] == 0 ? 0 : 1
            }
        }
    }

    /// IEEE 754 binary16 → binary32, exact (subnormals, infinities and NaN payloads included).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        var mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal: normalise the mantissa.
            var e: UInt32 = 127 - 15 + 1
            while mantissa & 0x400 == 0 { mantissa <<= 1; e -= 1 }
            mantissa &= 0x3FF
            return Float(bitPattern: sign | (e << 23) | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
    }
}
