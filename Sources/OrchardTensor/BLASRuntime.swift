import CBLAS
import Foundation

/// Makes sure OpenBLAS runs its fast kernels. Debian's OpenBLAS 0.3.21 does not know newer Intel
/// models (e.g. 0xCF) and silently picks "Prescott" (SSE3, 4-5x slower). It chooses kernels in a
/// load-time constructor, so setenv in main() is too late: call `BLASRuntime.ensureFastKernel()`
/// first thing in main(); when the kernel is generic on an AVX-512/AVX2 CPU it re-executes the
/// process with OPENBLAS_CORETYPE set (once: ORCHARD_BLAS_REEXEC guards against loops).
/// Opt out with ORCHARD_BLAS_KEEP_KERNEL=1.
public enum BLASRuntime {
    static let reexecMarker = "ORCHARD_BLAS_REEXEC"
    static let keepKernel = "ORCHARD_BLAS_KEEP_KERNEL"

    /// The kernel family OpenBLAS selected at load time, e.g. "SkylakeX", "Haswell", "Zen", "Prescott".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    public static var configuration: String { String(cString: openblas_get_config()) }

    /// Kernels OpenBLAS falls back to when it does not recognise a CPU; all far below what AVX2/AVX-512 allow.
    static let genericCores: Set<String> = [
        "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai", "coppermine",
        "northwood", "banias", "unknown", "generic", "opteron", "opteron_sse3", "barcelona",
    ]

    public static func isGeneric(coreName: String) -> Bool { genericCores.contains(coreName.lowercased()) }

    /// Kernels with 16-wide AVX-512 sgemm (OpenBLAS 0.3.21's names).
    static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    public static func hasAVX512Kernel(coreName: String) -> Bool { avx512Cores.contains(coreName.lowercased()) }

    /// The OPENBLAS_CORETYPE to force, or nil when the selected kernel is already fine.
    public static func recommendedCoreType(coreName: String, cpuFlags: Set<String>) -> String? {
        guard isGeneric(coreName: coreName) else { return nil }
        if cpuFlags.contains("avx512f") && cpuFlags.contains("avx512bw") && cpuFlags.contains("avx512vl") { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") { return "Haswell" }
        return nil
    }

    /// CPU feature flags from /proc/cpuinfo (empty where that file does not exist).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> Set<String> {
        guard let text = cpuinfo else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// Call first thing in every main(). Returns the kernel in use (after a possible re-exec) and
    /// logs it to stderr. Also keeps OpenBLAS single-threaded: the engine parallelises itself.
    @discardableResult
    public static func ensureFastKernel(log: Bool = true) -> String {
        let env = ProcessInfo.processInfo.environment
        let core = coreName
        if env[keepKernel] != "1", env[reexecMarker] == nil,
           let wanted = recommendedCoreType(coreName: core, cpuFlags: cpuFlags()) {
            if log { FileHandle.standardError.write(Data("orchard: OpenBLAS picked generic kernel \(core); re-executing with OPENBLAS_CORETYPE=\(wanted)\n".utf8)) }
            setenv("OPENBLAS_CORETYPE", wanted, 1)
            setenv(reexecMarker, "1", 1)
            reexec()  // returns only if execv failed; then carry on with the slow kernel
        }
        openblas_set_num_threads(1)
        if log { FileHandle.standardError.write(Data("orchard: OpenBLAS kernel \(core) (\(configuration))\n".utf8)) }
        return core
    }

    private static func reexec() {
        let args = CommandLine.arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cArgs.append(nil)
        execv("/proc/self/exe", cArgs)
        for p in cArgs { free(p) }
    }

    /// Keeps OpenBLAS on one thread (the engine splits work itself). Idempotent.
    public static func useSingleThreadedBLAS() { openblas_set_num_threads(1) }
}
