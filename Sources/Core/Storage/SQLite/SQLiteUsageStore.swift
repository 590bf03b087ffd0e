import Foundation
import GRDB

struct SQLiteUsageStore: UsageStore {
    let writer: any DatabaseWriter

    func add(_ counts: [UsageIncrement: UsageTotals]) async throws {
        guard !counts.isEmpty else { return }
        try await writer.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO usage_counter (workspace_id, app_id, api_key_id, day, requests, tokens) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (workspace_id, app_id, api_key_id, day)
                    DO UPDATE SET requests = requests + excluded.requests, tokens = tokens + excluded.tokens
                    """
            )
            for (increment, count) in counts {
                try statement.execute(arguments: [
                    increment.workspaceID.description, increment.appID.description, increment.apiKeyID.description, increment.day,
                    count.requests, count.tokens,
                ])
            }
        }
    }

    func totals(of workspace: WorkspaceID, fromDay: Int) async throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
    {
        try await writer.read { db in
            try UsageTotals.summing(
                Row.fetchAll(
                    db, sql: "SELECT app_id, api_key_id, requests, tokens FROM usage_counter WHERE workspace_id = ? AND day >= ?",
                    arguments: [workspace.description, fromDay]
                )
            )
        }
    }
}
