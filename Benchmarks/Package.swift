// swift-tools-version:6.2
// Benchmarks live in their own package so that building and testing Relay does not build the benchmark harness.
// Run: cd Benchmarks && swift package benchmark --target RateLimitBenchmarks
import PackageDescription

let package = Package(
    name: "relay-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "relay", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        // A fresh data file with one workspace, for the benchmarks that drive the services directly.
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Core", package: "relay")],
            path: "Benchmarks/BenchmarkSupport"
        ),
        .executableTarget(
            name: "RateLimitBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RateLimit", package: "relay"),
                .product(name: "Core", package: "relay"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/RateLimitBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Run: cd Benchmarks && swift package benchmark --target PluginBenchmarks (after `make -C ../plugins/echo-c`).
        .executableTarget(
            name: "PluginBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PluginHost", package: "relay"),
                .product(name: "Core", package: "relay"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/PluginBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Run: cd Benchmarks && swift package benchmark --target WorkflowBenchmarks
        .executableTarget(
            name: "WorkflowBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Core", package: "relay"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/WorkflowBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Run: cd Benchmarks && swift package benchmark --target KnowledgeBenchmarks
        .executableTarget(
            name: "KnowledgeBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Core", package: "relay"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Benchmarks/KnowledgeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
