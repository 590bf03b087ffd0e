import Benchmark
import Core
import Foundation
import GRDB
import Logging
import PostgresNIO
import SQLKitProbe

/// What one storage access costs on each path Relay could take, for the same read (a workspace's plan: one join, one
/// bound value, inside a read transaction): Relay's SQL layer (`RelayStores`, what every request uses), GRDB's
/// `DatabasePool.read` with a cached statement (Relay's SQLite path before the layer), and sql-kit over sqlite-nio; on
/// PostgreSQL (`RELAY_BENCH_DATABASE_URL=postgres://…`) Relay's layer against postgres-nio's own query API and sql-kit
/// over the same connection, each in a transaction that sets the workspace for row-level security.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3))

    /// A fresh SQLite file with one workspace; the path and the workspace's id.
    func sqliteWorkspace() async throws -> (URL, RelayStores, WorkspaceID) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("relay.sqlite")
        let stores = try RelayStores.openSQLite(at: file)
        let workspace = Workspace(id: WorkspaceID(), name: "Bench", plan: "sandbox", status: "normal", createdAt: Date())
        try await stores.accounts.register(
            NewAccount(email: "bench-\(UUID())@example.com", name: "Bench", passwordHash: "x"), workspace: workspace, at: Date())
        return (file, stores, workspace.id)
    }

    Benchmark("SQLite: Relay's SQL layer (SQLDatabase.read)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let (_, stores, workspace) = try await sqliteWorkspace()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await stores.plans.workspacePlan(workspace)) }
    }

    Benchmark("SQLite: GRDB DatabasePool.read, cached statement", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let (file, _, workspace) = try await sqliteWorkspace()
        let pool = try DatabasePool(path: file.path)
        let id = workspace.description
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await pool.read { db in try Row.fetchOne(db.cachedStatement(sql: ProbeQuery.sqlite), arguments: [id])?["rpm"] as Int? })
        }
    }

    Benchmark("SQLite: sql-kit over sqlite-nio", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let (file, _, workspace) = try await sqliteWorkspace()
        let probe = try await SQLKitSQLiteProbe(path: file.path)
        let id = workspace.description
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(try await probe.plan(of: id)) }
        benchmark.stopMeasurement()
        try await probe.close()
    }

    guard let url = ProcessInfo.processInfo.environment["RELAY_BENCH_DATABASE_URL"], let location = try? DatabaseLocation(url: url),
        case .postgres(let server) = location
    else { return }

    /// Runs `measure` with PostgreSQL's stores ready and one workspace in them.
    func withPostgres(_ measure: (RelayStores, WorkspaceID) async throws -> Void) async throws {
        let database = try RelayDatabase.open(location, logger: Logger(label: "bench"))
        guard let pool = database.service else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            try await database.migrate()
            let workspace = Workspace(id: WorkspaceID(), name: "Bench", plan: "sandbox", status: "normal", createdAt: Date())
            try await database.stores.accounts.register(
                NewAccount(email: "bench-\(UUID())@example.com", name: "Bench", passwordHash: "x"),
                workspace: workspace,
                at: Date()
            )
            try await measure(database.stores, workspace.id)
            group.cancelAll()
        }
    }

    /// Runs `measure` on one postgres-nio connection of its own.
    func withConnection(_ measure: (PostgresConnection) async throws -> Void) async throws {
        let configuration = PostgresConnection.Configuration(
            host: server.host, port: server.port, username: server.user, password: server.password, database: server.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "bench"))
        do { try await measure(connection) } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    Benchmark("PostgreSQL: Relay's SQL layer (SQLDatabase.read)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        try await withPostgres { stores, workspace in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(try await stores.plans.workspacePlan(workspace)) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("PostgreSQL: postgres-nio query API", configuration: .init(scalingFactor: .kilo)) { benchmark in
        try await withPostgres { _, workspace in
            let id = workspace.description
            try await withConnection { connection in
                let logger = Logger(label: "bench")
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    try await connection.query("BEGIN", logger: logger).collect()
                    try await connection.query("SELECT set_config('relay.workspace', \(id), true)", logger: logger).collect()
                    let rows = try await connection.query(
                        "SELECT w.plan_overrides, p.name, p.rpm, p.rph, p.rpd FROM workspace w JOIN plan p ON p.name = w.plan WHERE w.id = \(id)",
                        logger: logger
                    ).collect()
                    try await connection.query("COMMIT", logger: logger).collect()
                    blackHole(try rows.first?.makeRandomAccess()["rpm"].decode(Int.self))
                }
                benchmark.stopMeasurement()
            }
        }
    }

    Benchmark("PostgreSQL: sql-kit over postgres-nio", configuration: .init(scalingFactor: .kilo)) { benchmark in
        try await withPostgres { _, workspace in
            let id = workspace.description
            try await withConnection { connection in
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { blackHole(try await SQLKitPostgresProbe.plan(of: id, on: connection)) }
                benchmark.stopMeasurement()
            }
        }
    }
}
