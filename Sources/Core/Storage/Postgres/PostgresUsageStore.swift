import Foundation
import PostgresNIO

struct PostgresUsageStore: UsageStore {
    let database: PostgresDatabase

    func add(_ counts: [UsageIncrement: UsageTotals]) async throws {
        guard !counts.isEmpty else { return }
        let batch = Array(counts)
        // A batch spans workspaces: it is what every request of the last second left behind.
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.run(
                """
                INSERT INTO usage_counter (workspace_id, app_id, api_key_id, day, requests, tokens)
                SELECT * FROM unnest(\(batch.map(\.key.workspaceID.description))::TEXT[], \(batch.map(\.key.appID.description))::TEXT[],
                \(batch.map(\.key.apiKeyID.description))::TEXT[], \(batch.map(\.key.day))::INTEGER[],
                \(batch.map(\.value.requests))::BIGINT[], \(batch.map(\.value.tokens))::BIGINT[])
                ON CONFLICT (workspace_id, app_id, api_key_id, day)
                DO UPDATE SET requests = usage_counter.requests + excluded.requests, tokens = usage_counter.tokens + excluded.tokens
                """,
                logger: database.logger
            )
        }
    }

    func totals(of workspace: WorkspaceID, fromDay: Int) async throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
    {
        let rows = try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT app_id, api_key_id, requests, tokens FROM usage_counter
                WHERE workspace_id = \(workspace.description) AND day >= \(fromDay)
                """,
                logger: database.logger
            )
        }
        return try UsageTotals.summing(rows)
    }
}
