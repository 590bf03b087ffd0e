import Foundation
import GRDB

struct SQLiteModelProviderStore: ModelProviderStore {
    let writer: any DatabaseWriter

    func credentials(in workspace: WorkspaceID) async throws -> [SealedCredentials] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM provider_credential WHERE workspace_id = ? ORDER BY provider", arguments: [workspace.description])
                .map { try SealedCredentials(row: $0) }
        }
    }

    func credentials(of provider: String, in workspace: WorkspaceID) async throws -> SealedCredentials? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM provider_credential WHERE workspace_id = ? AND provider = ?",
                arguments: [workspace.description, provider]
            ).map { try SealedCredentials(row: $0) }
        }
    }

    func save(_ credentials: SealedCredentials, in workspace: WorkspaceID) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO provider_credential (workspace_id, provider, sealed, models, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (workspace_id, provider) DO UPDATE SET sealed = excluded.sealed, models = excluded.models,
                    updated_at = excluded.updated_at
                    """,
                arguments: [
                    workspace.description, credentials.provider, credentials.sealed, StoredJSON.encode(credentials.models),
                    credentials.updatedAt.storedValue,
                ]
            )
        }
    }

    func deleteCredentials(of provider: String, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM default_model WHERE workspace_id = ? AND provider = ?", arguments: [workspace.description, provider]
            )
            try db.execute(
                sql: "DELETE FROM provider_credential WHERE workspace_id = ? AND provider = ?", arguments: [workspace.description, provider]
            )
            return db.changesCount > 0
        }
    }

    func defaultModels(in workspace: WorkspaceID) async throws -> [DefaultModel] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM default_model WHERE workspace_id = ?", arguments: [workspace.description])
                .compactMap { try DefaultModel(row: $0) }
        }
    }

    func setDefaultModel(_ model: DefaultModel, in workspace: WorkspaceID) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO default_model (workspace_id, model_type, provider, model) VALUES (?, ?, ?, ?)
                    ON CONFLICT (workspace_id, model_type) DO UPDATE SET provider = excluded.provider, model = excluded.model
                    """,
                arguments: [workspace.description, model.type.rawValue, model.provider, model.model]
            )
        }
    }
}
