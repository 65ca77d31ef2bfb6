import Foundation
import Testing
@testable import OrchardTensor

@Suite struct BLASRuntimeTests {
    @Test func genericKernelsAreReplacedOnCapableCPUs() {
        let avx512: Set<String> = ["fma", "avx2", "avx512f", "avx512bw", "avx512vl"]
        #expect(BLASRuntime.recommendedCoreType(coreName: "Prescott", cpuFlags: avx512) == "SkylakeX")
        #expect(BLASRuntime.recommendedCoreType(coreName: "Core2", cpuFlags: ["fma", "avx2"]) == "Haswell")
        #expect(BLASRuntime.recommendedCoreType(coreName: "Prescott", cpuFlags: ["sse3"]) == nil)
        #expect(BLASRuntime.recommendedCoreType(coreName: "SkylakeX", cpuFlags: avx512) == nil)
        #expect(BLASRuntime.recommendedCoreType(coreName: "Zen", cpuFlags: ["fma", "avx2"]) == nil)
    }

    @Test func parsesCPUFlags() {
        let text = "processor\t: 0\nmodel\t\t: 207\nflags\t\t: fpu sse avx2 fma avx512f\nbugs\t\t: x\n"
        #expect(BLASRuntime.cpuFlags(cpuinfo: text) == ["fpu", "sse", "avx2", "fma", "avx512f"])
        #expect(BLASRuntime.cpuFlags(cpuinfo: nil).isEmpty)
    }

    /// The test process cannot re-exec itself mid-run; `make test` / `make test-engine` start it with
    /// OPENBLAS_CORETYPE from scripts/openblas-coretype.sh and ORCHARD_REQUIRE_FAST_BLAS=1, under which this
    /// test fails if the kernel is a generic fallback on a CPU that can do better. Plain `swift test` only warns.
    @Test func testProcessRunsAFastKernel() {
        let core = BLASRuntime.coreName
        let wanted = BLASRuntime.recommendedCoreType(coreName: core, cpuFlags: BLASRuntime.cpuFlags())
        print("OpenBLAS kernel in the test process: \(core)")
        if ProcessInfo.processInfo.environment["ORCHARD_REQUIRE_FAST_BLAS"] == "1" {
            #expect(wanted == nil, "OpenBLAS fell back to \(core); run tests with OPENBLAS_CORETYPE=\(wanted ?? "")")
        } else if let wanted {
            print("WARNING: OpenBLAS runs the generic \(core) kernel (4-5x slower); set OPENBLAS_CORETYPE=\(wanted)")
        }
    }

    @Test func gemmMatchesNaiveProduct() {
        let m = 7, n = 5, k = 9
        let a = randomFloats(m * k, seed: 1), b = randomFloats(k * n, seed: 2)
        let res = withBuffers([a, b, .init(repeating: 0, count: m * n)]) { p in
            sgemm(m: m, n: n, k: k, a: p[0], lda: k, b: p[1], ldb: n, c: p[2], ldc: n)
        }
        for i in 0..<m { for j in 0..<n {
            let ref = (0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[$1 * n + j]) }
            #expect(abs(Double(res[2][i * n + j]) - ref) < 1e-4)
        } }
    }
}
