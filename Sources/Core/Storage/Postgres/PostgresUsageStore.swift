import Foundation
import PostgresNIO

struct PostgresUsageStore: UsageStore {
    let database: PostgresDatabase

    func add(_ requests: [UsageIncrement: Int]) async throws {
        guard !requests.isEmpty else { return }
        let batch = Array(requests)
        // A batch spans workspaces: it is what every request of the last second left behind.
        try await database.transaction(.allWorkspaces) { connection in
            try await connection.run(
                """
                INSERT INTO usage_counter (workspace_id, app_id, api_key_id, day, requests)
                SELECT * FROM unnest(\(batch.map(\.key.workspaceID.description))::TEXT[], \(batch.map(\.key.appID.description))::TEXT[],
                \(batch.map(\.key.apiKeyID.description))::TEXT[], \(batch.map(\.key.day))::INTEGER[], \(batch.map(\.value))::BIGINT[])
                ON CONFLICT (workspace_id, app_id, api_key_id, day)
                DO UPDATE SET requests = usage_counter.requests + excluded.requests
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
                SELECT app_id, api_key_id, requests FROM usage_counter
                WHERE workspace_id = \(workspace.description) AND day >= \(fromDay)
                """,
                logger: database.logger
            )
        }
        return try UsageTotals.summing(rows)
    }
}
