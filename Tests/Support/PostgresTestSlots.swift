import Foundation

/// How many tests use the PostgreSQL server at once. Swift Testing starts every test of the run together; on PostgreSQL
/// each one creates a database and starts servers with pools of their own, and on a 2-core CI machine two hundred of
/// them at once starved the pools past their 15 s lease timeout (logins answered 503). The SQLite run is not limited.
///
/// A test holds one slot for as long as its database lives; whatever it runs inside (more servers on the same data
/// directory, child tasks, a nested fresh database) shares that slot, so a test never waits for itself.
/// `RELAY_TEST_POSTGRES_CONCURRENCY` sets the number (12 unless set).
actor PostgresTestSlots {
    static let shared = PostgresTestSlots(
        count: ProcessInfo.processInfo.environment["RELAY_TEST_POSTGRES_CONCURRENCY"].flatMap(Int.init).map { max(1, $0) } ?? 12
    )

    @TaskLocal private static var isHolding = false

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private init(count: Int) { free = count }

    nonisolated func holding<T>(_ body: () async throws -> T) async throws -> T {
        if Self.isHolding { return try await body() }
        await take()
        do {
            let result = try await Self.$isHolding.withValue(true) { try await body() }
            await give()
            return result
        } catch {
            await give()
            throw error
        }
    }

    private func take() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func give() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
