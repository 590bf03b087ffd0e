import Foundation
import PostgresNIO

struct PostgresFileStore: FileStore {
    let database: PostgresDatabase

    func insert(_ file: UploadedFile, limit: Int) async throws -> Bool {
        try await database.transaction(.workspace(file.workspaceID)) { connection in
            // Concurrent uploads of one workspace take turns, so together they cannot pass the limit.
            try await PostgresPlanStore.lockWorkspace(file.workspaceID, connection, database)
            let used = try await Self.used(by: file.workspaceID, connection, database)
            guard limit == 0 || used + file.size <= limit else { return false }
            try await connection.run(
                """
                INSERT INTO upload_file (id, workspace_id, app_id, end_user, name, size, extension, mime_type, created_at)
                VALUES (\(file.id.description), \(file.workspaceID.description), \(file.appID?.description), \(file.endUser), \(file.name),
                \(file.size), \(file.fileExtension), \(file.mimeType), \(file.createdAt.storedValue))
                """,
                logger: database.logger
            )
            return true
        }
    }

    func file(_ id: FileID, in workspace: WorkspaceID) async throws -> UploadedFile? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT * FROM upload_file WHERE id = \(id.description) AND workspace_id = \(workspace.description)", logger: database.logger
            ).first.map { try UploadedFile(row: $0) }
        }
    }

    func storageUsed(by workspace: WorkspaceID) async throws -> Int {
        try await database.transaction(.workspace(workspace)) { connection in try await Self.used(by: workspace, connection, database) }
    }

    private static func used(by workspace: WorkspaceID, _ connection: PostgresConnection, _ database: PostgresDatabase) async throws -> Int {
        try await connection.rows(
            "SELECT COALESCE(SUM(size), 0)::BIGINT AS used FROM upload_file WHERE workspace_id = \(workspace.description)",
            logger: database.logger
        ).first?.int("used") ?? 0
    }
}
