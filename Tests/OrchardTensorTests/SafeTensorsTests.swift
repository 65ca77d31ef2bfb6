import Foundation
import Testing
@testable import OrchardTensor

/// Deterministic test data without depending on the engine's RNG.
struct SafeTensorsTestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func float() -> Float { Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1) }
}

func makeSafeTensorsTestDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("orchard-st-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Builds a raw safetensors file from a header string and data bytes (for hand-made corrupt files).
func rawSafeTensors(header: String, data: [UInt8], claimedLength: UInt64? = nil) -> Data {
    let h = Array(header.utf8)
    var out = Data()
    var n = (claimedLength ?? UInt64(h.count)).littleEndian
    withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
    out.append(contentsOf: h)
    out.append(contentsOf: data)
    return out
}

@Suite struct SafeTensorsTests {
    static func sampleTensors() -> [String: TensorRecord] {
        var rng = SafeTensorsTestRandom(state: 7)
        return [
            "wte": TensorRecord(shape: [5, 3], values: (0..<15).map { _ in rng.float() }),
            "h.0.attn.c_attn.bias": TensorRecord(shape: [9], values: (0..<9).map { _ in rng.float() }),
            "scalar": TensorRecord(shape: [], values: [-0.0]),
            "empty": TensorRecord(shape: [0, 4], values: []),
            "special": TensorRecord(shape: [2, 2], values: [.infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude]),
        ]
    }

    @Test func roundTripsEveryBitAndMetadata() throws {
        let dir = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        let tensors = Self.sampleTensors()
        let metadata = ["step": "42", "config": #"{"n_layer":2,"quote":"\"x\""}"#, "unicode": "ünï\u{1F600}\n\t\u{01}"]
        try SafeTensors.write(tensors, metadata: metadata, to: url)
        let loaded = try SafeTensors.read(from: url)
        #expect(loaded.metadata == metadata)
        #expect(Set(loaded.tensors.keys) == Set(tensors.keys))
        for (name, record) in tensors {
            let got = try #require(loaded.tensors[name])
            #expect(got.shape == record.shape, "\(name)")
            #expect(got.values.map(\.bitPattern) == record.values.map(\.bitPattern), "\(name)")
        }
        // No temporary files left behind by the atomic write.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["model.safetensors"])
        // The streamed file and the in-memory encoding are the same bytes.
        #expect(try Data(contentsOf: url) == SafeTensors.encode(tensors, metadata: metadata))
    }

    @Test func layoutIsPaddedSortedAndContiguous() throws {
        let data = try SafeTensors.encode(["b": TensorRecord(shape: [1], values: [2]), "a": TensorRecord(shape: [2], values: [1, 1.5])], metadata: [:])
        let n = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) })
        #expect(n % 8 == 0)
        let header = String(decoding: data[8..<(8 + n)], as: UTF8.self)
        #expect(header.hasPrefix("{"))
        #expect(header.trimmingCharacters(in: .whitespaces) ==
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#)
        #expect(data.count == 8 + n + 12)
        let floats = data[(8 + n)...].withUnsafeBytes { raw in (0..<3).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
        #expect(floats == [1, 1.5, 2])
    }

    @Test func writeRejectsBadRecordsWithoutTouchingTheDestination() throws {
        let dir = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("x.safetensors")
        #expect(throws: SafeTensorsError.self) {
            try SafeTensors.write(["w": TensorRecord(shape: [2, 3], values: [1, 2, 3])], metadata: [:], to: url)
        }
        #expect(throws: SafeTensorsError.self) {
            try SafeTensors.write(["w": TensorRecord(shape: [-1], values: [])], metadata: [:], to: url)
        }
        #expect(throws: SafeTensorsError.self) {
            try SafeTensors.write(["__metadata__": TensorRecord(shape: [1], values: [1])], metadata: [:], to: url)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func everyTruncationThrowsAndNeverCrashes() throws {
        let full = try SafeTensors.encode(Self.sampleTensors(), metadata: ["k": "v"])
        #expect(throws: Never.self) { try SafeTensors.decode(full) }
        for length in 0..<full.count {
            #expect(throws: SafeTensorsError.self, "prefix of \(length) bytes") { try SafeTensors.decode(full.prefix(length)) }
        }
        // One extra trailing byte is also a size mismatch.
        #expect(throws: SafeTensorsError.self) { try SafeTensors.decode(full + [0]) }
    }

    @Test func randomByteCorruptionNeverCrashes() throws {
        let full = [UInt8](try SafeTensors.encode(Self.sampleTensors(), metadata: ["k": "v"]))
        var rng = SafeTensorsTestRandom(state: 99)
        var threw = 0
        for _ in 0..<3000 {
            var bytes = full
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            do { _ = try SafeTensors.decode(Data(bytes)) } catch is SafeTensorsError { threw += 1 }
        }
        // Most corruptions hit the header or length; flips inside the data section still decode (by design: no checksum).
        #expect(threw > 0)
    }

    @Test(arguments: [
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, 12, "gap"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "overlap"),
        (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, 8, "shape vs bytes"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, 8, "reversed offsets"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "duplicate key"),
        (#"{"a":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}"#, 4, "unsupported dtype"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}"#, 4, "unknown field"),
        (#"{"a":{"dtype":"F32","shape":[1]}}"#, 4, "missing offsets"),
        (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, 4, "negative dim"),
        (#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, 4, "overflowing shape"),
        (#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, 4, "fractional dim"),
        (#"{"__metadata__":{"k":1}}"#, 0, "non-string metadata"),
        (#"{"__metadata__":{"k":{"nested":"x"}}}"#, 0, "nested metadata"),
        (#"[1,2]"#, 0, "not an object"),
        (#" {}"#, 0, "leading space"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#, 4, "unterminated"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x"#, 4, "trailing garbage"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 8, "extra data"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551615]}}"#, 4, "huge offset"),
    ])
    func rejectsMalformedHeaders(header: String, dataBytes: Int, why: String) {
        let file = rawSafeTensors(header: header, data: [UInt8](repeating: 0, count: dataBytes))
        #expect(throws: SafeTensorsError.self, "\(why)") { try SafeTensors.decode(file) }
    }

    @Test func rejectsBadLengthPrefixes() {
        #expect(throws: SafeTensorsError.fileTooSmall(bytes: 3)) { try SafeTensors.decode(Data([1, 2, 3])) }
        #expect(throws: SafeTensorsError.headerTooLarge(bytes: UInt64.max, limit: SafeTensors.maxHeaderBytes)) {
            try SafeTensors.decode(rawSafeTensors(header: "{}", data: [], claimedLength: UInt64.max))
        }
        #expect(throws: SafeTensorsError.headerOutOfBounds(headerBytes: 1000, fileBytes: 2)) {
            try SafeTensors.decode(rawSafeTensors(header: "{}", data: [], claimedLength: 1000))
        }
        #expect(throws: SafeTensorsError.self) { try SafeTensors.decode(rawSafeTensors(header: "", data: [])) }
    }

    @Test func headerOnlyReadAgreesWithFullReadAndValidatesSize() throws {
        let dir = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("model.safetensors")
        let tensors = Self.sampleTensors()
        try SafeTensors.write(tensors, metadata: ["step": "9"], to: url)
        let header = try SafeTensors.readHeader(from: url)
        #expect(header.metadata == ["step": "9"])
        #expect(header.tensors.mapValues(\.shape) == tensors.mapValues(\.shape))
        #expect(header.tensors.values.allSatisfy { $0.dtype == "F32" })
        let full = try Data(contentsOf: url)
        for length in [0, 4, 8, 9, 20, full.count - 4, full.count - 1] {
            let cut = dir.appendingPathComponent("cut-\(length).safetensors")
            try full.prefix(length).write(to: cut)
            #expect(throws: SafeTensorsError.self, "prefix \(length)") { try SafeTensors.readHeader(from: cut) }
        }
        #expect(throws: SafeTensorsError.self) { try SafeTensors.readHeader(from: dir.appendingPathComponent("missing")) }
    }

    @Test func missingFileIsAClearError() {
        do {
            _ = try SafeTensors.read(from: URL(fileURLWithPath: "/nonexistent-orchard/model.safetensors"))
            Issue.record("expected an error")
        } catch let error as SafeTensorsError {
            guard case .unreadable = error else { Issue.record("unexpected \(error)"); return }
            #expect(error.description.contains("/nonexistent-orchard/model.safetensors"))
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func errorsExplainThemselves() {
        let file = rawSafeTensors(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        do {
            _ = try SafeTensors.decode(file)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("\"w\""))
            #expect("\(error)".contains("needs 12"))
        }
    }

    @Test func acceptsEmptyFileAndHeaderWhitespacePadding() throws {
        let empty = try SafeTensors.decode(rawSafeTensors(header: "{}      ", data: []))
        #expect(empty.tensors.isEmpty && empty.metadata.isEmpty)
        let spaced = rawSafeTensors(header: "{ \"x\" : { \"dtype\" : \"F32\" , \"shape\" : [ ] , \"data_offsets\" : [ 0 , 4 ] } }   ",
                                    data: Array(withUnsafeBytes(of: Float(3.5).bitPattern.littleEndian, Array.init)))
        #expect(try SafeTensors.decode(spaced).tensors["x"] == TensorRecord(shape: [], values: [3.5]))
    }

    @Test func convertsOtherDtypesToFloat() throws {
        func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
        let f64: [Double] = [1.5, -2.25, 1e-3]
        let i64: [Int64] = [-3, 0, 1 << 20]
        let f16: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7BFF, 0x7C00, 0x8000] // 1, -2, smallest subnormal, 65504, inf, -0
        let bf16: [UInt16] = [0x3F80, 0xC040] // 1, -3
        let u8: [UInt8] = [0, 255]
        let data = bytes(f64) + bytes(i64) + bytes(f16) + bytes(bf16) + u8
        let header = #"{"a":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},"b":{"dtype":"I64","shape":[3],"data_offsets":[24,48]},"#
            + #""c":{"dtype":"F16","shape":[2,3],"data_offsets":[48,60]},"d":{"dtype":"BF16","shape":[2],"data_offsets":[60,64]},"#
            + #""e":{"dtype":"U8","shape":[2],"data_offsets":[64,66]}}"#
        let t = try SafeTensors.decode(rawSafeTensors(header: header, data: data)).tensors
        #expect(t["a"]?.values == f64.map(Float.init))
        #expect(t["b"]?.values == [-3, 0, 1_048_576])
        #expect(t["c"]?.shape == [2, 3])
        #expect(t["c"]?.values.map(\.bitPattern) == [Float(1), -2, Float(sign: .plus, exponent: -24, significand: 1), 65504, .infinity, -0.0].map(\.bitPattern))
        #expect(t["d"]?.values == [1, -3])
        #expect(t["e"]?.values == [0, 255])
    }

    @Test func halfConversionMatchesFloat16ForEveryBitPattern() {
        #if arch(x86_64) || arch(arm64)
        for bits in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let got = SafeTensors.halfToFloat(bits)
            if expected.isNaN { #expect(got.isNaN) } else if got.bitPattern != expected.bitPattern {
                Issue.record("half 0x\(String(bits, radix: 16)): got \(got), expected \(expected)")
                return
            }
        }
        #endif
    }
}
