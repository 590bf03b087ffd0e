import Foundation

/// The console's statistics, aggregated in the database a day at a time.
extension ChatStore {
    /// The rollup's unit: a quarter hour, on which every zone's midnight falls.
    static let rollupQuarter = 900.0

    public func statistic(
        _ statistic: AppStatistic, of app: AppID, in workspace: WorkspaceID, over range: StatisticsRange
    ) async throws
        -> [StatisticsDay]
    {
        try await database.read(.workspace(workspace)) { transaction in
            let rows =
                statistic == .averageSessionInteractions
                ? try await Self.sessionInteractions(of: app, in: workspace, over: range, transaction)
                : try await Self.messageStatistic(statistic, of: app, in: workspace, over: range, transaction)
            return try rows.map { row in
                StatisticsDay(date: Self.date(ofDay: try row.int("day")), values: try Self.values(of: statistic, row))
            }
        }
    }

    /// Quarters wholly inside the range are read from the rollup (`message_rollup`, `message_rollup_member`); the part
    /// of a quarter at either end, from the messages themselves.
    private static func messageStatistic(
        _ statistic: AppStatistic, of app: AppID, in workspace: WorkspaceID, over range: StatisticsRange, _ transaction: SQLTransaction
    ) async throws -> [StoredRow] {
        let owned: SQL = "workspace_id = \(workspace) AND app_id = \(app)"
        // Days are cut where the zone's offset says; the offset changes only at transitions inside the data's span.
        var bounds: SQL = ""
        if let start = range.start { bounds += " AND bucket >= \(Int((start.timeIntervalSince1970 / rollupQuarter).rounded(.down)))" }
        if let end = range.end { bounds += " AND bucket <= \(Int((end.timeIntervalSince1970 / rollupQuarter).rounded(.down)))" }
        guard
            let span = try await transaction.row(
                """
                SELECT (SELECT MIN(bucket) FROM message_rollup WHERE \(owned)\(bounds)) AS first,
                (SELECT MAX(bucket) FROM message_rollup WHERE \(owned)\(bounds)) AS last
                """),
            let first = try span.optionalInt("first"), let last = try span.optionalInt("last")
        else { return [] }
        let spans = range.offsets(
            from: Date(timeIntervalSince1970: Double(first) * rollupQuarter), to: Date(timeIntervalSince1970: Double(last + 1) * rollupQuarter))
        let cut = RollupCut(range, aligned: spans.allSatisfy { $0.offset % Int(rollupQuarter) == 0 && $0.until.map(isQuarter) ?? true })
        let rolledDay = day(of: "bucket * 900", spans: spans)
        let messageDay = day(of: "created_at", spans: spans)
        let liked: SQL = """
            CASE WHEN feedback_rating = 'like' THEN 1 ELSE 0 END + CASE WHEN admin_feedback_rating = 'like' THEN 1 ELSE 0 END
            """
        let lone: SQL = "CASE WHEN conversation_id IS NULL THEN 1 ELSE 0 END"
        // Each part's rows as `day` and the columns the statistic adds up.
        var parts: [SQL] = []
        func rolled(_ columns: SQL, from table: String, where condition: SQL = "") {
            guard let quarters = cut.quarters else { return }
            var sql: SQL = "SELECT \(rolledDay) AS day, \(columns) FROM \(unescaped: table) WHERE \(owned)\(condition)"
            if let from = quarters.from { sql += " AND bucket >= \(from)" }
            if let to = quarters.to { sql += " AND bucket < \(to)" }
            parts.append(sql)
        }
        func edges(_ columns: SQL) {
            for edge in cut.edges {
                var sql: SQL = "SELECT \(messageDay) AS day, \(columns) FROM message WHERE \(owned)"
                if let from = edge.from { sql += " AND created_at >= \(from)" }
                if let to = edge.to { sql += " AND created_at < \(to)" }
                parts.append(sql)
            }
        }
        let values: SQL
        switch statistic {
        case .dailyConversations:
            // A completion message stands for a conversation of its own, as in Dify.
            rolled("member, 0 AS lone", from: "message_rollup_member", where: " AND kind = 'conversation'")
            rolled("CAST(NULL AS TEXT) AS member, lone_messages AS lone", from: "message_rollup", where: " AND lone_messages > 0")
            edges("conversation_id AS member, \(lone) AS lone")
            values = "COUNT(DISTINCT member) + SUM(lone) AS conversation_count"
        case .dailyEndUsers:
            rolled("member", from: "message_rollup_member", where: " AND kind = 'end_user'")
            edges("end_user AS member")
            values = "COUNT(DISTINCT member) AS terminal_count"
        default:
            rolled("messages, tokens, answer_tokens, total_price, latency, likes", from: "message_rollup")
            edges(
                "1 AS messages, message_tokens + answer_tokens AS tokens, answer_tokens, total_price, latency, \(liked) AS likes")
            switch statistic {
            case .tokenCosts: values = "SUM(tokens) AS token_count, SUM(total_price) AS total_price"
            case .userSatisfactionRate: values = "SUM(messages) AS message_count, SUM(likes) AS likes"
            case .averageResponseTime: values = "SUM(latency) / SUM(messages) AS latency"
            case .tokensPerSecond: values = "SUM(answer_tokens) AS answer_tokens, SUM(latency) AS latency"
            default: values = "SUM(messages) AS message_count"
            }
        }
        guard !parts.isEmpty else { return [] }
        return try await transaction.rows(
            "SELECT day, \(values) FROM (" + SQL.joined(parts, separator: " UNION ALL ") + ") s GROUP BY day ORDER BY day")
    }

    /// Messages per conversation (`conversation.message_count`, kept by the rollup's triggers), averaged by the day each
    /// conversation began.
    private static func sessionInteractions(
        of app: AppID, in workspace: WorkspaceID, over range: StatisticsRange, _ transaction: SQLTransaction
    ) async throws -> [StoredRow] {
        var filter: SQL = "workspace_id = \(workspace) AND app_id = \(app) AND message_count > 0"
        if let start = range.start { filter += " AND created_at >= \(start)" }
        if let end = range.end { filter += " AND created_at < \(end)" }
        guard
            let span = try await transaction.row(
                """
                SELECT (SELECT MIN(created_at) FROM conversation WHERE \(filter)) AS first,
                (SELECT MAX(created_at) FROM conversation WHERE \(filter)) AS last
                """),
            let first = try span.optionalDouble("first"), let last = try span.optionalDouble("last")
        else { return [] }
        let localDay = day(of: "created_at", spans: range.offsets(from: Date(timeIntervalSince1970: first), to: Date(timeIntervalSince1970: last)))
        return try await transaction.rows(
            """
            SELECT \(localDay) AS day, AVG(CAST(message_count AS DOUBLE PRECISION)) AS interactions FROM conversation WHERE \(filter)
            GROUP BY day ORDER BY day
            """)
    }

    private static func isQuarter(_ date: Date) -> Bool {
        date.timeIntervalSince1970.truncatingRemainder(dividingBy: rollupQuarter) == 0
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

/// How a range splits between the rollup and the messages: the quarters it holds whole (`from` inclusive, `to`
/// exclusive, `nil` for no bound) and the times at either end that only part of a quarter covers.
private struct RollupCut {
    var quarters: (from: Int?, to: Int?)?
    var edges: [(from: Double?, to: Double?)] = []

    /// With `aligned` false (a zone whose days do not start on a quarter hour) the whole range is read from messages.
    init(_ range: StatisticsRange, aligned: Bool) {
        let quarter = ChatStore.rollupQuarter
        let start = range.start?.timeIntervalSince1970
        let end = range.end?.timeIntervalSince1970
        let from = start.map { Int(($0 / quarter).rounded(.up)) }
        let to = end.map { Int(($0 / quarter).rounded(.down)) }
        if !aligned || (from != nil && to != nil && from! >= to!) {
            quarters = nil
            edges = [(start, end)]
            return
        }
        quarters = (from, to)
        if let start, let from, Double(from) * quarter > start { edges.append((start, Double(from) * quarter)) }
        if let end, let to, Double(to) * quarter < end { edges.append((Double(to) * quarter, end)) }
    }
}
