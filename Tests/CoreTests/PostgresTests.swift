import Foundation
import Logging
import PostgresNIO
import RelayTestSupport
import Testing

@testable import Core

/// What only PostgreSQL does: row-level security as a second wall, migrations shared by instances starting together,
/// rate-limit decisions that stay exact across connection pools (as across instances).
@Suite("PostgreSQL", .enabled(if: TestDatabase.isPostgres, "runs when RELAY_TEST_DATABASE_URL names a PostgreSQL server"))
struct PostgresTests {
    @Test("a query that forgets its workspace filter still sees and changes only its own workspace's rows")
    func rowLevelSecurity() async throws {
        try await withStores { stores, location in
            let (_, mine) = try await makeWorkspace(stores, owner: "a@example.com")
            let (_, theirs) = try await makeWorkspace(stores, owner: "b@example.com")
            try await stores.apps.insert(makeApp(in: mine, name: "Mine"))
            try await stores.apps.insert(makeApp(in: theirs, name: "Theirs"))
            guard case .postgres(let server) = location else { throw CancellationError() }

            try await TestDatabase.withConnection(server) { connection in
                func names(_ sql: PostgresQuery) async throws -> [String] {
                    try await connection.query(sql, logger: Logger(label: "test")).collect().map { try $0.decode(String.self) }
                }
                // Nothing set: no tenant rows at all, though the role owns the tables.
                #expect(try await names("SELECT name FROM app").isEmpty)
                #expect(try await names("SELECT name FROM workspace").isEmpty)

                _ = try await connection.query("BEGIN", logger: Logger(label: "test"))
                _ = try await connection.query("SELECT set_config('relay.workspace', \(mine.description), true)", logger: Logger(label: "test"))
                #expect(try await names("SELECT name FROM app") == ["Mine"])
                #expect(try await names("UPDATE app SET description = 'touched' RETURNING name") == ["Mine"])
                #expect(try await names("DELETE FROM api_key RETURNING id").isEmpty)
                // Writing a row into another workspace is refused outright.
                await #expect(throws: PSQLError.self) {
                    _ = try await connection.query(
                        "UPDATE app SET workspace_id = \(theirs.description) WHERE name = 'Mine'", logger: Logger(label: "test")
                    )
                }
                _ = try await connection.query("ROLLBACK", logger: Logger(label: "test"))
            }
            #expect(try await stores.apps.apps(in: theirs, matching: AppQuery()).items.map(\.description) == [""])
        }
    }

    @Test("instances migrating one database at once apply each migration exactly once")
    func concurrentMigrations() async throws {
        try await withStores { _, location in
            // A fresh database of its own, migrated by four instances starting together.
            guard case .postgres(var server) = location else { throw CancellationError() }
            let name = "relay_m_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            try await TestDatabase.withConnection(server) {
                _ = try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "test"))
            }
            server.database = name
            let target = server
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        let database = try RelayDatabase.open(.postgres(target), logger: Logger(label: "test"))
                        _ = try await database.withReady { try await $0.plans.plans().count }
                    }
                }
                try await group.waitForAll()
            }
            let applied = try await TestDatabase.withConnection(target) { connection in
                try await connection.query("SELECT name FROM relay_migration", logger: Logger(label: "test")).collect()
                    .map { try $0.decode(String.self) }
            }
            #expect(applied.count == PostgresSchema.migrations.count && Set(applied).count == applied.count)
        }
    }

    @Test("two connection pools deciding on one budget at once admit exactly the limit, all counters or none")
    func sharedDecisions() async throws {
        try await withStores { _, location in
            let first = try RelayDatabase.open(location, logger: Logger(label: "test"))
            let second = try RelayDatabase.open(location, logger: Logger(label: "test"))
            let minute = RateCounter(key: "ws:x", windowLength: 60, windowStart: 1_800_000_000, limit: 50)
            let day = RateCounter(key: "ws:x", windowLength: 86_400, windowStart: 1_799_971_200, limit: 1_000)
            try await first.withReady { one in
                try await second.withReady { two in
                    let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
                        for index in 0..<128 {
                            let store = index % 2 == 0 ? one.rateLimits : two.rateLimits
                            group.addTask { try await store.hit([minute, day]).admitted }
                        }
                        return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                    }
                    #expect(admitted == 50)
                    // Refused decisions counted nothing, in either window.
                    #expect(try await one.rateLimits.hits([minute, day]) == [50, 50])
                    let tight = RateCounter(key: "ws:x", windowLength: 3_600, windowStart: 1_799_999_200, limit: 1)
                    let other = RateCounter(key: "app:y", windowLength: 60, windowStart: 1_800_000_000, limit: 10)
                    let counted = try await one.rateLimits.hit([other, tight])
                    #expect(counted.admitted && counted.hits == [1, 1])
                    let refused = try await two.rateLimits.hit([other, tight])
                    #expect(!refused.admitted && refused.hits == [1, 1])
                    #expect(try await two.rateLimits.hits([other, tight]) == [1, 1])
                }
            }
        }
    }

    @Test("a write that meets a lock held elsewhere fails as retryable where it waited, and stores nothing")
    func lockTimeoutIsRetryable() async throws {
        try await withStores { stores, location in
            let (_, workspace) = try await makeWorkspace(stores, owner: "a@example.com")
            // A second pool, as another instance, that waits 0.2 s for locks.
            try await RelayDatabase.open(location, busyTimeout: 0.2, logger: Logger(label: "test")).withReady { impatient in
                let refused = try await TestDatabase.withWritesBlocked(location, tables: ["workspace"]) {
                    do {
                        try await impatient.apps.insert(makeApp(in: workspace))
                        return nil as (any Error)?
                    } catch {
                        return error
                    }
                }
                let error = try #require(refused)
                #expect(RelayError(storage: error)?.code == .serviceUnavailable, "\(RelayError.logDescription(of: error))")
            }
            #expect(try await stores.apps.apps(in: workspace, matching: AppQuery()).total == 0)
        }
    }
}
