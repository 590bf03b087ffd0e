import Foundation

/// Rate-limit counters in the database, so that every process on it draws on one budget.
///
/// On PostgreSQL each decision is one call of `relay_rate_limit_hit`, which locks the counters in a fixed order, checks
/// them all and counts them all or none. SQLite serialises write transactions across processes, which makes a decision
/// read and written in one of them exact.
struct DatabaseRateLimitStore: RateLimitStore {
    let database: SQLDatabase

    func hit(_ counters: [RateCounter]) async throws -> (admitted: Bool, hits: [Int]) {
        let result = try await database.autocommit { transaction -> (admitted: Bool, hits: [Int]) in
            if transaction.dialect == .postgres {
                let row = try await transaction.row(
                    """
                    SELECT admitted, hits FROM relay_rate_limit_hit(\(SQLValue.textArray(counters.map(\.storedKey))),
                    \(SQLValue.integerArray(counters.map { Int($0.windowStart) })), \(SQLValue.integerArray(counters.map(\.limit))))
                    """
                )
                guard let row else { return (false, counters.map { _ in 0 }) }
                return (try row.bool("admitted"), try row.integers("hits"))
            }
            let current = try await Self.hits(counters, transaction)
            guard zip(counters, current).allSatisfy({ $1 < $0.limit }) else { return (false, current) }
            let windows = counters.map { "(\($0.storedKey), \(Int($0.windowStart)), 1)" as SQL }
            try await transaction.execute(
                "INSERT INTO rate_limit_counter (counter_key, window_start, hits) VALUES " + SQL.joined(windows, separator: ", ")
                    + " ON CONFLICT (counter_key, window_start) DO UPDATE SET hits = rate_limit_counter.hits + 1"
            )
            return (true, current.map { $0 + 1 })
        }
        // Rows of windows that ended over a day ago are dead weight; dropping them now and then keeps the table small.
        if Int.random(in: 0..<1024) == 0, let newest = counters.map(\.windowStart).max() {
            _ = try? await database.write(.none) { transaction in
                try await transaction.execute("DELETE FROM rate_limit_counter WHERE window_start < \(Int(newest) - 2 * 86_400)")
            }
        }
        return result
    }

    func hits(_ counters: [RateCounter]) async throws -> [Int] {
        try await database.autocommit(readOnly: true) { transaction in try await Self.hits(counters, transaction) }
    }

    /// Each counter's hits (0 for a window without a counter yet), in one statement.
    private static func hits(_ counters: [RateCounter], _ transaction: SQLTransaction) async throws -> [Int] {
        let windows = counters.map { "(\($0.storedKey), \(Int($0.windowStart)))" as SQL }
        let rows = try await transaction.rows(
            "SELECT counter_key, window_start, hits FROM rate_limit_counter WHERE (counter_key, window_start) IN (VALUES "
                + SQL.joined(windows, separator: ", ") + ")"
        )
        var hits: [String: Int] = [:]
        for row in rows { hits["\(try row.string("counter_key"))/\(try row.int("window_start"))"] = try row.int("hits") }
        return counters.map { hits["\($0.storedKey)/\($0.windowStart)"] ?? 0 }
    }
}

extension RateCounter {
    /// One text key per budget and window length, e.g. `ws:<id>/60`.
    var storedKey: String { "\(key)/\(windowLength)" }
}
