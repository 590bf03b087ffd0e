public import Foundation

/// Requests (and, once chat exists, tokens and credits) counted against one API key of one app on one UTC day.
public struct UsageIncrement: Sendable, Hashable {
    public let workspaceID: WorkspaceID
    public let appID: AppID
    public let apiKeyID: APIKeyID
    /// Days since 1970, UTC.
    public let day: Int

    public init(workspaceID: WorkspaceID, appID: AppID, apiKeyID: APIKeyID, day: Int) {
        self.workspaceID = workspaceID
        self.appID = appID
        self.apiKeyID = apiKeyID
        self.day = day
    }
}

/// Recorded usage totals: Public API requests, and the model tokens their messages used.
public struct UsageTotals: Sendable, Equatable {
    public var requests: Int
    public var tokens: Int

    public init(requests: Int = 0, tokens: Int = 0) {
        self.requests = requests
        self.tokens = tokens
    }

    public static func + (lhs: UsageTotals, rhs: UsageTotals) -> UsageTotals {
        UsageTotals(requests: lhs.requests + rhs.requests, tokens: lhs.tokens + rhs.tokens)
    }

    public static func += (lhs: inout UsageTotals, rhs: UsageTotals) {
        lhs.requests += rhs.requests
        lhs.tokens += rhs.tokens
    }
}

/// Storage of usage, written in batches.
public struct UsageStore: Sendable {
    let database: SQLDatabase

    /// Adds request and token counts, one transaction for the whole batch.
    public func add(_ counts: [UsageIncrement: UsageTotals]) async throws {
        guard !counts.isEmpty else { return }
        let rows = counts.map { increment, count -> SQL in
            "(\(increment.workspaceID), \(increment.appID), \(increment.apiKeyID), \(increment.day), \(count.requests), \(count.tokens))"
        }
        // A batch spans workspaces: it is what every request of the last second left behind.
        try await database.write(.allWorkspaces) { transaction in
            try await transaction.insert(
                "INSERT INTO usage_counter (workspace_id, app_id, api_key_id, day, requests, tokens)", values: rows,
                """
                 ON CONFLICT (workspace_id, app_id, api_key_id, day)
                DO UPDATE SET requests = usage_counter.requests + excluded.requests, tokens = usage_counter.tokens + excluded.tokens
                """
            )
        }
    }

    /// Totals of a workspace from `fromDay` on, overall and per app and per key.
    public func totals(
        of workspace: WorkspaceID, fromDay: Int
    ) async throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
    {
        let rows = try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT app_id, api_key_id, requests, tokens FROM usage_counter
                WHERE workspace_id = \(workspace) AND day >= \(fromDay)
                """)
        }
        return try UsageTotals.summing(rows)
    }
}

extension UsageTotals {
    /// Sums rows of `app_id`, `api_key_id` and `requests`: overall, per app and per key.
    static func summing(
        _ rows: [StoredRow]
    ) throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
    {
        var total = UsageTotals()
        var apps: [AppID: UsageTotals] = [:]
        var keys: [APIKeyID: UsageTotals] = [:]
        for row in rows {
            let counts = UsageTotals(requests: try row.int("requests"), tokens: try row.int("tokens"))
            total += counts
            if let app: AppID = try row.optionalIdentifier("app_id") { apps[app, default: UsageTotals()] += counts }
            if let key: APIKeyID = try row.optionalIdentifier("api_key_id") { keys[key, default: UsageTotals()] += counts }
        }
        return (total, apps, keys)
    }
}
