import Foundation
import GRDB

/// Counters in the database file, so that every process on the same data directory draws on one budget.
/// SQLite serialises write transactions across processes, which makes each decision exact.
struct SQLiteRateLimitStore: RateLimitStore {
    let writer: any DatabaseWriter

    func hit(_ counters: [RateCounter]) async throws -> (admitted: Bool, hits: [Int]) {
        try await writer.write { db in
            let current = try Self.hits(counters, db)
            guard zip(counters, current).allSatisfy({ $1 < $0.limit }) else { return (false, current) }
            let increment = try db.cachedStatement(
                sql: """
                    INSERT INTO rate_limit_counter (counter_key, window_start, hits) VALUES (?, ?, 1)
                    ON CONFLICT (counter_key, window_start) DO UPDATE SET hits = hits + 1
                    """
            )
            for counter in counters { try increment.execute(arguments: [counter.storedKey, counter.windowStart]) }
            // Rows of windows that ended over a day ago are dead weight; dropping them now and then keeps the table small.
            if Int.random(in: 0..<1024) == 0, let newest = counters.map(\.windowStart).max() {
                try db.execute(sql: "DELETE FROM rate_limit_counter WHERE window_start < ?", arguments: [newest - 2 * 86_400])
            }
            return (true, current.map { $0 + 1 })
        }
    }

    func hits(_ counters: [RateCounter]) async throws -> [Int] {
        try await writer.read { db in try Self.hits(counters, db) }
    }

    private static func hits(_ counters: [RateCounter], _ db: Database) throws -> [Int] {
        let select = try db.cachedStatement(sql: "SELECT hits FROM rate_limit_counter WHERE counter_key = ? AND window_start = ?")
        return try counters.map { try Int.fetchOne(select, arguments: [$0.storedKey, $0.windowStart]) ?? 0 }
    }
}

extension RateCounter {
    /// One text key per budget and window length, e.g. `ws:<id>/60`.
    var storedKey: String { "\(key)/\(windowLength)" }
}
