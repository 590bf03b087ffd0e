import Foundation
import PostgresNIO

struct PostgresCreditStore: CreditStore {
    let database: PostgresDatabase

    func reserve(_ amount: Int, for workspace: WorkspaceID, month: Int, limit: Int) async throws -> Bool {
        // The update locks the month's row and checks its condition against the row as it is once the lock is held, so
        // concurrent reservations take turns and none can overspend.
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.run(
                """
                INSERT INTO message_credit (workspace_id, month, used, reserved)
                VALUES (\(workspace.description), \(month), 0, 0) ON CONFLICT (workspace_id, month) DO NOTHING
                """,
                logger: database.logger
            )
            return try await connection.changes(
                """
                UPDATE message_credit SET reserved = reserved + \(amount)
                WHERE workspace_id = \(workspace.description) AND month = \(month)
                AND (\(limit) = 0 OR used + reserved + \(amount) <= \(limit)) RETURNING month
                """,
                logger: database.logger
            ) == 1
        }
    }

    func settle(reserved: Int, used: Int, for workspace: WorkspaceID, month: Int) async throws {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.run(
                """
                UPDATE message_credit SET reserved = GREATEST(0, reserved - \(reserved)), used = used + \(used)
                WHERE workspace_id = \(workspace.description) AND month = \(month)
                """,
                logger: database.logger
            )
        }
    }

    func balance(of workspace: WorkspaceID, month: Int) async throws -> CreditBalance {
        try await database.transaction(.workspace(workspace)) { connection in
            let row = try await connection.rows(
                "SELECT used, reserved FROM message_credit WHERE workspace_id = \(workspace.description) AND month = \(month)",
                logger: database.logger
            ).first
            return CreditBalance(used: try row?.int("used") ?? 0, reserved: try row?.int("reserved") ?? 0)
        }
    }
}
