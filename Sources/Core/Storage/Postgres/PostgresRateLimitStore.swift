import Foundation
import PostgresNIO

/// Counters in PostgreSQL, so that every instance on the database draws on one budget. Each decision is one call of
/// `relay_rate_limit_hit`, which locks the counters in a fixed order, checks them all and counts them all or none.
struct PostgresRateLimitStore: RateLimitStore {
    let database: PostgresDatabase

    func hit(_ counters: [RateCounter]) async throws -> (admitted: Bool, hits: [Int]) {
        let rows = try await database.rows(
            """
            SELECT admitted, hits FROM relay_rate_limit_hit(
                \(counters.map(\.storedKey))::TEXT[], \(counters.map(\.windowStart))::BIGINT[], \(counters.map(\.limit))::BIGINT[])
            """
        )
        guard let row = rows.first else { return (false, counters.map { _ in 0 }) }
        let result = (admitted: try row.bool("admitted"), hits: try row["hits"].decode([Int].self))
        // Rows of windows that ended over a day ago are dead weight; dropping them now and then keeps the table small.
        if Int.random(in: 0..<1024) == 0, let newest = counters.map(\.windowStart).max() {
            _ = try? await database.rows("DELETE FROM rate_limit_counter WHERE window_start < \(newest - 2 * 86_400)")
        }
        return result
    }

    func hits(_ counters: [RateCounter]) async throws -> [Int] {
        let rows = try await database.rows(
            """
            SELECT coalesce(c.hits, 0) AS hits FROM unnest(\(counters.map(\.storedKey))::TEXT[], \(counters.map(\.windowStart))::BIGINT[])
            WITH ORDINALITY AS t(k, w, i) LEFT JOIN rate_limit_counter c ON c.counter_key = t.k AND c.window_start = t.w
            ORDER BY t.i
            """
        )
        return try rows.map { try $0.int("hits") }
    }
}
