import Benchmark
import Core
import Foundation
import Logging
import RateLimit

/// Rate-limit decisions per second: the store's atomic check-and-count alone, and the whole `RateLimiter.admit`
/// the middleware calls (counter keys built per request), on one hot key and spread over 10,000 keys; in-process,
/// shared through a SQLite file, and shared through PostgreSQL when `RELAY_BENCH_DATABASE_URL` names a database
/// (`postgres://…`; the benchmark writes its counters there).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3))
    let now = Date()
    let windows: [RateWindow] = [.minute, .hour, .day]

    func counters(_ key: String) -> [RateCounter] {
        windows.map { RateCounter(key: key, windowLength: $0.seconds, windowStart: $0.start(containing: now), limit: .max) }
    }
    func rules(_ key: String) -> [RateLimitRule] {
        windows.map { RateLimitRule(holder: "workspace", key: key, window: $0, limit: .max) }
    }
    let manyKeys = (0..<10_000).map { _ in "ws:\(UUID())" }

    Benchmark("in-process store, one hot key (3 windows)", configuration: .init(scalingFactor: .mega)) { benchmark in
        let store = InProcessRateLimitStore()
        let hot = counters("ws:hot")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(store.hitNow(hot)) }
    }

    Benchmark("in-process store, 10,000 keys (3 windows)", configuration: .init(scalingFactor: .mega)) { benchmark in
        let store = InProcessRateLimitStore()
        let spread = manyKeys.map(counters)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations { blackHole(store.hitNow(spread[index % spread.count])) }
    }

    Benchmark("RateLimiter.admit in-process, one hot key", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let limiter = RateLimiter(store: InProcessRateLimitStore())
        let hot = rules("ws:hot")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await limiter.admit(hot, at: now)) }
    }

    Benchmark("RateLimiter.admit in-process, 10,000 keys", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let limiter = RateLimiter(store: InProcessRateLimitStore())
        let spread = manyKeys.map(rules)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations { blackHole(try await limiter.admit(spread[index % spread.count], at: now)) }
    }

    for (name, keys) in [("one hot key", ["ws:hot"]), ("10,000 keys", manyKeys)] {
        Benchmark("database store (SQLite, shared), \(name)", configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(5))) {
            benchmark in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-bench-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try RelayStores.openSQLite(at: directory.appendingPathComponent("relay.sqlite")).rateLimits
            let spread = keys.map(counters)
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations { blackHole(try await store.hit(spread[index % spread.count])) }
        }
    }

    guard let url = ProcessInfo.processInfo.environment["RELAY_BENCH_DATABASE_URL"], let location = try? DatabaseLocation(url: url) else {
        return
    }
    /// Runs `measure` with PostgreSQL's stores ready: the pool running beside it, the schema migrated.
    func withPostgres(_ measure: (RelayStores) async throws -> Void) async throws {
        let database = try RelayDatabase.open(location, logger: Logger(label: "bench"))
        guard let pool = database.service else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            try await database.migrate()
            try await measure(database.stores)
            group.cancelAll()
        }
    }
    for (name, keys) in [("one hot key", ["ws:hot-\(UUID())"]), ("10,000 keys", manyKeys)] {
        Benchmark("database store (PostgreSQL), \(name)", configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(5))) {
            benchmark in
            let spread = keys.map(counters)
            try await withPostgres { stores in
                benchmark.startMeasurement()
                for index in benchmark.scaledIterations { blackHole(try await stores.rateLimits.hit(spread[index % spread.count])) }
                benchmark.stopMeasurement()
            }
        }
        // As a server issues them: many decisions in flight at once, on the pool's connections.
        Benchmark(
            "database store (PostgreSQL), \(name), 16 in flight",
            configuration: .init(scalingFactor: .kilo, maxDuration: .seconds(5))
        ) { benchmark in
            let spread = keys.map(counters)
            let iterations = benchmark.scaledIterations.count
            try await withPostgres { stores in
                benchmark.startMeasurement()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for lane in 0..<16 {
                        group.addTask {
                            for index in stride(from: lane, to: iterations, by: 16) {
                                blackHole(try await stores.rateLimits.hit(spread[index % spread.count]))
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                benchmark.stopMeasurement()
            }
        }
    }
}
