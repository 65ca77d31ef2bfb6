import Foundation
import Testing
@testable import OrchardTensor

/// The Python interpreter with `safetensors` + `numpy` (installed by `scripts/python-test-deps.sh`).
/// `ORCHARD_PYTHON` wins; else `.venv/bin/python3` at the package root; else `python3` on PATH.
enum PythonForInterop {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var interpreter: String {
        if let explicit = ProcessInfo.processInfo.environment["ORCHARD_PYTHON"], !explicit.isEmpty { return explicit }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static let hasPackages: Bool = (try? run(["-c", "import safetensors.numpy, numpy"]).status) == 0

    /// Runs when the packages are there, and always under CI=true, where missing packages must fail the test.
    static var shouldRun: Bool { hasPackages || isCI }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Runs a script; records a test failure with its output when it fails.
    static func script(_ source: String, _ arguments: [String]) throws -> String? {
        let result = try run(["-c", source] + arguments)
        guard result.status == 0 else {
            Issue.record("python (\(interpreter)) exited \(result.status):\n\(result.output)")
            return nil
        }
        return result.output
    }
}

@Suite(.enabled(if: PythonForInterop.shouldRun, "needs safetensors + numpy: run scripts/python-test-deps.sh"))
struct SafeTensorsPythonInteropTests {
    /// Python prints every tensor as float32 bit patterns so the comparison is exact, NaN and -0 included.
    static let dumpScript = """
    import json, sys
    import numpy as np
    from safetensors import safe_open
    out = {"tensors": {}, "metadata": None}
    with safe_open(sys.argv[1], framework="np") as f:
        out["metadata"] = f.metadata()
        for name in f.keys():
            t = f.get_tensor(name)
            assert t.dtype == np.float32, (name, t.dtype)
            out["tensors"][name] = {"shape": list(t.shape), "bits": np.ascontiguousarray(t).view(np.uint32).reshape(-1).tolist()}
    print(json.dumps(out))
    """

    struct Dump: Decodable {
        struct Tensor: Decodable { var shape: [Int]; var bits: [UInt32] }
        var tensors: [String: Tensor]
        var metadata: [String: String]?
    }

    @Test func pythonSafetensorsReadsSwiftFilesExactly() throws {
        guard PythonForInterop.hasPackages else {
            Issue.record("CI=true but \(PythonForInterop.interpreter) cannot import safetensors + numpy: run scripts/python-test-deps.sh")
            return
        }
        let dir = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("checkpoint.safetensors")
        var rng = SafeTensorsTestRandom(state: 2024)
        var tensors = SafeTensorsTests.sampleTensors()
        tensors["h.1.mlp.c_fc.weight"] = TensorRecord(shape: [16, 64], values: (0..<1024).map { _ in rng.float() * 3 })
        tensors["nan"] = TensorRecord(shape: [3], values: [.nan, -.nan, Float(bitPattern: 0x7FC0_1234)])
        let metadata = ["format": "pt", "step": "17", "config": #"{"n_layer":2,"n_embd":128}"#, "tokenizer_sha256": String(repeating: "ab", count: 32)]
        try SafeTensors.write(tensors, metadata: metadata, to: url)

        guard let output = try PythonForInterop.script(Self.dumpScript, [url.path]) else { return }
        let dump = try JSONDecoder().decode(Dump.self, from: Data(output.utf8))
        #expect(dump.metadata == metadata)
        #expect(Set(dump.tensors.keys) == Set(tensors.keys))
        for (name, record) in tensors {
            let got = try #require(dump.tensors[name], "python is missing \(name)")
            #expect(got.shape == record.shape, "\(name)")
            #expect(got.bits == record.values.map(\.bitPattern), "\(name)")
        }
    }

    /// Python writes several dtypes in its own order (alignment, then name); it also prints the float32
    /// values numpy's `astype(np.float32)` gives, which the Swift reader must reproduce bit for bit.
    static let writeScript = """
    import json, sys
    import numpy as np
    from safetensors.numpy import save_file
    rng = np.random.default_rng(5)
    tensors = {
        "wte": rng.standard_normal((7, 5)).astype(np.float32),
        "ln_f.bias": np.zeros((5,), np.float32),
        "scalar": np.array(np.float32(-1.25)),
        "empty": np.zeros((0, 3), np.float32),
        "double": rng.standard_normal((4,)),
        "half": rng.standard_normal((2, 3)).astype(np.float16),
        "long": np.array([-5, 0, 7, 1 << 40], np.int64),
        "bytes": np.array([0, 1, 255], np.uint8),
    }
    save_file(tensors, sys.argv[1], metadata={"written_by": "python", "n": "3"})
    print(json.dumps({name: {"shape": list(t.shape), "bits": np.ascontiguousarray(t.astype(np.float32)).view(np.uint32).reshape(-1).tolist()}
                      for name, t in tensors.items()}))
    """

    @Test func swiftReadsPythonWrittenFilesExactly() throws {
        guard PythonForInterop.hasPackages else {
            Issue.record("CI=true but \(PythonForInterop.interpreter) cannot import safetensors + numpy: run scripts/python-test-deps.sh")
            return
        }
        let dir = try makeSafeTensorsTestDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("from-python.safetensors")
        guard let output = try PythonForInterop.script(Self.writeScript, [url.path]) else { return }
        let expected = try JSONDecoder().decode([String: Dump.Tensor].self, from: Data(output.utf8))
        let loaded = try SafeTensors.read(from: url)
        #expect(loaded.metadata == ["written_by": "python", "n": "3"])
        #expect(Set(loaded.tensors.keys) == Set(expected.keys))
        for (name, want) in expected {
            let got = try #require(loaded.tensors[name], "swift is missing \(name)")
            #expect(got.shape == want.shape, "\(name)")
            #expect(got.values.map(\.bitPattern) == want.bits, "\(name)")
        }
    }
}
