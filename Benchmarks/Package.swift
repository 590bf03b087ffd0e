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
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Measured against Relay's own SQL layer (StorageBenchmarks); Relay does not depend on them.
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
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
        // Approximate (HNSW) against exact semantic search on clustered 384-dimension vectors: build time, memory per
        // vector, p50/p99 per query and recall@10 at several search breadths, with and without a 10% filter. A plain
        // executable: one build at a million rows takes minutes, which the benchmark harness's iterations do not fit.
        // Run: cd Benchmarks && swift run -c release ApproximateSearch 1000000
        .executableTarget(
            name: "ApproximateSearch",
            dependencies: [.product(name: "Core", package: "relay")],
            path: "Benchmarks/ApproximateSearch"
        ),
        // The console's app statistics over 100,000 messages on SQLite (and PostgreSQL with RELAY_BENCH_DATABASE_URL): p50 and
        // p99 of each, against a round trip to the same database. Run: cd Benchmarks && swift run -c release AppStatistics
        .executableTarget(
            name: "AppStatistics",
            dependencies: [.product(name: "Core", package: "relay"), .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/AppStatistics"
        ),
        // Run: cd Benchmarks && swift package benchmark --target MetricsBenchmarks
        .executableTarget(
            name: "MetricsBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Core", package: "relay"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Benchmarks/MetricsBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // sql-kit over sqlite-nio and postgres-nio, in a module of its own: SQLiteNIO and GRDB must not share one.
        .target(
            name: "SQLKitProbe",
            dependencies: [
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/SQLKitProbe"
        ),
        // Run: cd Benchmarks && swift package benchmark --target StorageBenchmarks (PostgreSQL too with
        // RELAY_BENCH_DATABASE_URL=postgres://…)
        .executableTarget(
            name: "StorageBenchmarks",
            dependencies: [
                "SQLKitProbe",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Core", package: "relay"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/StorageBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
