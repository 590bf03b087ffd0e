public import Foundation

/// Message credits of a workspace for one UTC month: spent, and reserved by work still running.
public struct CreditBalance: Sendable, Equatable {
    public let used: Int
    public let reserved: Int

    public init(used: Int, reserved: Int) {
        self.used = used
        self.reserved = reserved
    }
}

/// Storage of message credits. Reserving checks and books in one atomic step, so concurrent work cannot overspend.
public struct CreditStore: Sendable {
    let database: SQLDatabase

    /// Books `amount` as reserved when `used + reserved + amount` stays within `limit` (0: unlimited); `false` otherwise.
    public func reserve(_ amount: Int, for workspace: WorkspaceID, month: Int, limit: Int) async throws -> Bool {
        // The update locks the month's row and checks its condition against the row as it is once the lock is held, so
        // concurrent reservations take turns and none can overspend.
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                """
                INSERT INTO message_credit (workspace_id, month, used, reserved)
                VALUES (\(workspace), \(month), 0, 0) ON CONFLICT (workspace_id, month) DO NOTHING
                """)
            return try await transaction.changes(
                """
                UPDATE message_credit SET reserved = reserved + \(amount)
                WHERE workspace_id = \(workspace) AND month = \(month)
                AND (\(limit) = 0 OR used + reserved + \(amount) <= \(limit)) RETURNING month
                """) == 1
        }
    }

    /// Ends a reservation of `reserved`, of which `used` was spent (0 to give it all back).
    public func settle(reserved: Int, used: Int, for workspace: WorkspaceID, month: Int) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                """
                UPDATE message_credit SET reserved = \(SQL.greatest)(0, reserved - \(reserved)), used = used + \(used)
                WHERE workspace_id = \(workspace) AND month = \(month)
                """)
        }
    }

    public func balance(of workspace: WorkspaceID, month: Int) async throws -> CreditBalance {
        try await database.read(.workspace(workspace)) { transaction in
            let row = try await transaction.rows(
                "SELECT used, reserved FROM message_credit WHERE workspace_id = \(workspace) AND month = \(month)"
            ).first
            return CreditBalance(used: try row?.int("used") ?? 0, reserved: try row?.int("reserved") ?? 0)
        }
    }
}
