public import Foundation

/// A workspace's credentials for one provider, sealed, with the models its upstream reported when they were checked.
public struct SealedCredentials: Sendable, Equatable {
    public let provider: String
    public let sealed: String
    public let models: [String]
    public let updatedAt: Date

    public init(provider: String, sealed: String, models: [String], updatedAt: Date) {
        self.provider = provider
        self.sealed = sealed
        self.models = models
        self.updatedAt = updatedAt
    }
}

/// The model a workspace uses for one type of work unless an app says otherwise.
public struct DefaultModel: Sendable, Equatable {
    public let type: ModelType
    public let provider: String
    public let model: String

    public init(type: ModelType, provider: String, model: String) {
        self.type = type
        self.provider = provider
        self.model = model
    }
}

/// Storage of model-provider credentials and default models, per workspace.
public struct ModelProviderStore: Sendable {
    let database: SQLDatabase

    public func credentials(in workspace: WorkspaceID) async throws -> [SealedCredentials] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT * FROM provider_credential WHERE workspace_id = \(workspace) ORDER BY provider"
            ).map { try SealedCredentials(row: $0) }
        }
    }

    public func credentials(of provider: String, in workspace: WorkspaceID) async throws -> SealedCredentials? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT * FROM provider_credential WHERE workspace_id = \(workspace) AND provider = \(provider)"
            ).first.map { try SealedCredentials(row: $0) }
        }
    }

    public func save(_ credentials: SealedCredentials, in workspace: WorkspaceID) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                """
                INSERT INTO provider_credential (workspace_id, provider, sealed, models, updated_at)
                VALUES (\(workspace), \(credentials.provider), \(credentials.sealed), \(StoredJSON.encode(credentials.models)),
                \(credentials.updatedAt))
                ON CONFLICT (workspace_id, provider) DO UPDATE SET sealed = excluded.sealed, models = excluded.models,
                updated_at = excluded.updated_at
                """)
        }
    }

    /// Removes the credentials and any default model of that provider; `false` when there were none.
    public func deleteCredentials(of provider: String, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                "DELETE FROM default_model WHERE workspace_id = \(workspace) AND provider = \(provider)")
            return try await transaction.changes(
                "DELETE FROM provider_credential WHERE workspace_id = \(workspace) AND provider = \(provider) RETURNING provider") > 0
        }
    }

    public func defaultModels(in workspace: WorkspaceID) async throws -> [DefaultModel] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows("SELECT * FROM default_model WHERE workspace_id = \(workspace)")
                .compactMap { try DefaultModel(row: $0) }
        }
    }

    public func setDefaultModel(_ model: DefaultModel, in workspace: WorkspaceID) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                """
                INSERT INTO default_model (workspace_id, model_type, provider, model)
                VALUES (\(workspace), \(model.type.rawValue), \(model.provider), \(model.model))
                ON CONFLICT (workspace_id, model_type) DO UPDATE SET provider = excluded.provider, model = excluded.model
                """)
        }
    }
}

extension SealedCredentials {
    init(row: StoredRow) throws {
        self.init(
            provider: try row.string("provider"), sealed: try row.string("sealed"),
            models: try StoredJSON.decode([String].self, try row.string("models"), column: "models"), updatedAt: try row.date("updated_at")
        )
    }
}

extension DefaultModel {
    init?(row: StoredRow) throws {
        guard let type = ModelType(rawValue: try row.string("model_type")) else { return nil }
        self.init(type: type, provider: try row.string("provider"), model: try row.string("model"))
    }
}
