import Foundation
import GRDB

struct SQLiteCreditStore: CreditStore {
    let writer: any DatabaseWriter

    func reserve(_ amount: Int, for workspace: WorkspaceID, month: Int, limit: Int) async throws -> Bool {
        try await writer.write { db in
            let balance = try Self.balance(workspace, month, db)
            guard limit == 0 || balance.used + balance.reserved + amount <= limit else { return false }
            try db.execute(
                sql: """
                    INSERT INTO message_credit (workspace_id, month, used, reserved) VALUES (?, ?, 0, ?)
                    ON CONFLICT (workspace_id, month) DO UPDATE SET reserved = reserved + excluded.reserved
                    """,
                arguments: [workspace.description, month, amount]
            )
            return true
        }
    }

    func settle(reserved: Int, used: Int, for workspace: WorkspaceID, month: Int) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE message_credit SET reserved = MAX(0, reserved - ?), used = used + ?
                    WHERE workspace_id = ? AND month = ?
                    """,
                arguments: [reserved, used, workspace.description, month]
            )
        }
    }

    func balance(of workspace: WorkspaceID, month: Int) async throws -> CreditBalance {
        try await writer.read { db in try Self.balance(workspace, month, db) }
    }

    private static func balance(_ workspace: WorkspaceID, _ month: Int, _ db: Database) throws -> CreditBalance {
        let row = try Row.fetchOne(
            db, sql: "SELECT used, reserved FROM message_credit WHERE workspace_id = ? AND month = ?",
            arguments: [workspace.description, month]
        )
        return CreditBalance(used: row?["used"] ?? 0, reserved: row?["reserved"] ?? 0)
    }
}
