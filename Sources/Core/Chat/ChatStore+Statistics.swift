import Foundation

/// The console's statistics, aggregated in the database a day at a time.
extension ChatStore {
    public func statistic(
        _ statistic: AppStatistic, of app: AppID, in workspace: WorkspaceID, over range: StatisticsRange
    ) async throws
        -> [StatisticsDay]
    {
        try await database.read(.workspace(workspace)) { transaction in
            // Every figure but session interactions reads only columns of the `message_statistics` index, so a statistic is
            // one pass over that index's range for the app and never touches the table.
            func within(_ column: String) -> SQL {
                var sql: SQL = ""
                if let start = range.start { sql += " AND \(unescaped: column) >= \(start)" }
                if let end = range.end { sql += " AND \(unescaped: column) < \(end)" }
                return sql
            }
            let table = statistic == .averageSessionInteractions ? "conversation" : "message"
            let filter: SQL = "workspace_id = \(workspace) AND app_id = \(app)" + within("created_at")
            // Days are cut where the zone's offset says; the offset changes only at transitions inside the data's span
            // (each end read from the index's edge).
            guard
                let span = try await transaction.row(
                    """
                    SELECT (SELECT MIN(created_at) FROM \(unescaped: table) WHERE \(filter)) AS first,
                    (SELECT MAX(created_at) FROM \(unescaped: table) WHERE \(filter)) AS last
                    """),
                let first = try span.optionalDouble("first"), let last = try span.optionalDouble("last")
            else { return [] }
            let day = Self.day(
                of: "created_at", spans: range.offsets(from: Date(timeIntervalSince1970: first), to: Date(timeIntervalSince1970: last)))
            let values: String
            switch statistic {
            case .dailyMessages: values = "COUNT(*) AS message_count"
            // A completion message stands for a conversation of its own, as in Dify.
            case .dailyConversations:
                values = "COUNT(DISTINCT conversation_id) + SUM(CASE WHEN conversation_id IS NULL THEN 1 ELSE 0 END) AS conversation_count"
            case .dailyEndUsers: values = "COUNT(DISTINCT end_user) AS terminal_count"
            case .tokenCosts: values = "SUM(message_tokens + answer_tokens) AS token_count, SUM(total_price) AS total_price"
            case .averageSessionInteractions: values = "AVG(messages) AS interactions"
            case .userSatisfactionRate:
                values = """
                    COUNT(*) AS message_count, SUM(CASE WHEN feedback_rating = 'like' THEN 1 ELSE 0 END)
                    + SUM(CASE WHEN admin_feedback_rating = 'like' THEN 1 ELSE 0 END) AS likes
                    """
            case .averageResponseTime: values = "AVG(latency) AS latency"
            case .tokensPerSecond: values = "SUM(answer_tokens) AS answer_tokens, SUM(latency) AS latency"
            }
            let rows: [StoredRow]
            if statistic == .averageSessionInteractions {
                // Messages counted per conversation from the index, then averaged by the day each conversation began.
                rows = try await transaction.rows(
                    """
                    SELECT \(day) AS day, \(unescaped: values) FROM (
                        SELECT c.created_at AS created_at, m.messages AS messages FROM conversation c JOIN (
                            SELECT conversation_id, COUNT(*) AS messages FROM message
                            WHERE workspace_id = \(workspace) AND app_id = \(app) AND conversation_id IS NOT NULL GROUP BY conversation_id
                        ) m ON m.conversation_id = c.id
                        WHERE c.workspace_id = \(workspace) AND c.app_id = \(app)\(within("c.created_at"))
                    ) s GROUP BY day ORDER BY day
                    """
                )
            } else {
                rows = try await transaction.rows("SELECT \(day) AS day, \(unescaped: values) FROM message WHERE \(filter) GROUP BY day ORDER BY day")
            }
            return try rows.map { row in
                StatisticsDay(date: Self.date(ofDay: try row.int("day")), values: try Self.values(of: statistic, row))
            }
        }
    }

    /// The day number (days since 1970-01-01 in local time) of `column`, for each span of constant offset.
    private static func day(of column: String, spans: [(until: Date?, offset: Int)]) -> SQL {
        func local(_ offset: Int) -> SQL {
            SQL.dialect(sqlite: "CAST((\(column) + \(offset)) / 86400 AS INTEGER)", postgres: "FLOOR((\(column) + \(offset)) / 86400)::BIGINT")
        }
        guard spans.count > 1 else { return local(spans[0].offset) }
        var sql: SQL = "CASE"
        for span in spans {
            if let until = span.until {
                sql += " WHEN \(unescaped: column) < \(until) THEN " + local(span.offset)
            } else {
                sql += " ELSE " + local(span.offset)
            }
        }
        return sql + " END"
    }

    private static func date(ofDay day: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(day) * 86_400))
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    private static func values(of statistic: AppStatistic, _ row: StoredRow) throws -> [String: JSONValue] {
        func rounded(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
        switch statistic {
        case .dailyMessages: return ["message_count": .number(Double(try row.int("message_count")))]
        case .dailyConversations: return ["conversation_count": .number(Double(try row.int("conversation_count")))]
        case .dailyEndUsers: return ["terminal_count": .number(Double(try row.int("terminal_count")))]
        case .tokenCosts:
            let price = Decimal(try row.optionalDouble("total_price") ?? 0)
            return [
                "token_count": .number(Double(try row.optionalInt("token_count") ?? 0)),
                "total_price": .string(MessageUsage.format(price, scale: 7)), "currency": "USD",
            ]
        case .averageSessionInteractions: return ["interactions": .number(rounded(try row.optionalDouble("interactions") ?? 0, 100))]
        case .userSatisfactionRate:
            let messages = try row.int("message_count")
            let likes = try row.optionalInt("likes") ?? 0
            return ["rate": .number(messages == 0 ? 0 : rounded(Double(likes) * 1000 / Double(messages), 100))]
        case .averageResponseTime: return ["latency": .number(rounded((try row.optionalDouble("latency") ?? 0) * 1000, 10_000))]
        case .tokensPerSecond:
            let latency = try row.optionalDouble("latency") ?? 0
            let tokens = Double(try row.optionalInt("answer_tokens") ?? 0)
            return ["tps": .number(latency == 0 ? 0 : rounded(tokens / latency, 10_000))]
        }
    }
}
