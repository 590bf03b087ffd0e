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
public protocol ModelProviderStore: Sendable {
    func credentials(in workspace: WorkspaceID) async throws -> [SealedCredentials]
    func credentials(of provider: String, in workspace: WorkspaceID) async throws -> SealedCredentials?
    func save(_ credentials: SealedCredentials, in workspace: WorkspaceID) async throws
    /// Removes the credentials and any default model of that provider; `false` when there were none.
    func deleteCredentials(of provider: String, in workspace: WorkspaceID) async throws -> Bool
    func defaultModels(in workspace: WorkspaceID) async throws -> [DefaultModel]
    func setDefaultModel(_ model: DefaultModel, in workspace: WorkspaceID) async throws
}
