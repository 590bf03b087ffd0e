import Foundation
import PostgresNIO

struct PostgresModelProviderStore: ModelProviderStore {
    let database: PostgresDatabase

    func credentials(in workspace: WorkspaceID) async throws -> [SealedCredentials] {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT * FROM provider_credential WHERE workspace_id = \(workspace.description) ORDER BY provider", logger: database.logger
            ).map { try SealedCredentials(row: $0) }
        }
    }

    func credentials(of provider: String, in workspace: WorkspaceID) async throws -> SealedCredentials? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT * FROM provider_credential WHERE workspace_id = \(workspace.description) AND provider = \(provider)",
                logger: database.logger
            ).first.map { try SealedCredentials(row: $0) }
        }
    }

    func save(_ credentials: SealedCredentials, in workspace: WorkspaceID) async throws {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.run(
                """
                INSERT INTO provider_credential (workspace_id, provider, sealed, models, updated_at)
                VALUES (\(workspace.description), \(credentials.provider), \(credentials.sealed), \(StoredJSON.encode(credentials.models)),
                \(credentials.updatedAt.storedValue))
                ON CONFLICT (workspace_id, provider) DO UPDATE SET sealed = excluded.sealed, models = excluded.models,
                updated_at = excluded.updated_at
                """,
                logger: database.logger
            )
        }
    }

    func deleteCredentials(of provider: String, in workspace: WorkspaceID) async throws -> Bool {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.run(
                "DELETE FROM default_model WHERE workspace_id = \(workspace.description) AND provider = \(provider)", logger: database.logger
            )
            return try await connection.changes(
                "DELETE FROM provider_credential WHERE workspace_id = \(workspace.description) AND provider = \(provider) RETURNING provider",
                logger: database.logger
            ) > 0
        }
    }

    func defaultModels(in workspace: WorkspaceID) async throws -> [DefaultModel] {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows("SELECT * FROM default_model WHERE workspace_id = \(workspace.description)", logger: database.logger)
                .compactMap { try DefaultModel(row: $0) }
        }
    }

    func setDefaultModel(_ model: DefaultModel, in workspace: WorkspaceID) async throws {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.run(
                """
                INSERT INTO default_model (workspace_id, model_type, provider, model)
                VALUES (\(workspace.description), \(model.type.rawValue), \(model.provider), \(model.model))
                ON CONFLICT (workspace_id, model_type) DO UPDATE SET provider = excluded.provider, model = excluded.model
                """,
                logger: database.logger
            )
        }
    }
}
