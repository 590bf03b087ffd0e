import Foundation
import GRDB

struct SQLiteFileStore: FileStore {
    let writer: any DatabaseWriter

    func insert(_ file: UploadedFile, limit: Int) async throws -> Bool {
        try await writer.write { db in
            let used = try Int.fetchOne(
                db, sql: "SELECT COALESCE(SUM(size), 0) FROM upload_file WHERE workspace_id = ?", arguments: [file.workspaceID.description]
            ) ?? 0
            guard limit == 0 || used + file.size <= limit else { return false }
            try db.execute(
                sql: """
                    INSERT INTO upload_file (id, workspace_id, app_id, end_user, name, size, extension, mime_type, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    file.id.description, file.workspaceID.description, file.appID?.description, file.endUser, file.name, file.size,
                    file.fileExtension, file.mimeType, file.createdAt.storedValue,
                ]
            )
            return true
        }
    }

    func file(_ id: FileID, in workspace: WorkspaceID) async throws -> UploadedFile? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM upload_file WHERE id = ? AND workspace_id = ?", arguments: [id.description, workspace.description]
            ).map { try UploadedFile(row: $0) }
        }
    }

    func storageUsed(by workspace: WorkspaceID) async throws -> Int {
        try await writer.read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM upload_file WHERE workspace_id = ?", arguments: [workspace.description]) ?? 0
        }
    }
}
