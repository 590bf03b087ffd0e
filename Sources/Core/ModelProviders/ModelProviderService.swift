public import Foundation

/// A workspace's view of the model providers: which are configured, with what credentials, and which model answers
/// by default. Credentials are checked against the upstream before they are kept, and kept only sealed.
public struct ModelProviderService: Sendable {
    public let catalogue: ProviderCatalogue
    /// Providers of the workspace's model plugins, beside the built-in catalogue.
    let installed: (any WorkspaceModelProviders)?
    let store: ModelProviderStore
    let sealer: CredentialSealer
    /// Where the calls of resolved models are counted and timed; `nil` measures nothing.
    let metrics: ModelCallMetrics?
    let now: @Sendable () -> Date

    public init(
        catalogue: ProviderCatalogue, installed: (any WorkspaceModelProviders)? = nil, store: ModelProviderStore, sealer: CredentialSealer,
        metrics: ModelCallMetrics? = nil, now: @escaping @Sendable () -> Date
    ) {
        self.catalogue = catalogue
        self.metrics = metrics
        self.installed = installed
        self.store = store
        self.sealer = sealer
        self.now = now
    }

    /// Every provider a workspace can use: the built-in ones, then those of its model plugins.
    public func available(in workspace: WorkspaceID) async throws -> [any ModelProvider] {
        catalogue.providers + (try await installed?.providers(in: workspace) ?? [])
    }

    /// A provider as one workspace sees it.
    public struct ProviderState: Sendable {
        public let descriptor: ProviderDescriptor
        public let isConfigured: Bool
        public let models: [ModelDescriptor]
    }

    /// A model ready to be called: its provider, the workspace's credentials, and its price.
    public struct ResolvedModel: Sendable {
        public let provider: any ModelProvider
        public let credentials: [String: String]
        public let descriptor: ModelDescriptor
    }

    public func providers(of workspace: WorkspaceID) async throws -> [ProviderState] {
        let stored = Dictionary(try await store.credentials(in: workspace).map { ($0.provider, $0) }, uniquingKeysWith: { a, _ in a })
        return try await available(in: workspace).map { provider in
            let descriptor = provider.descriptor
            var models = descriptor.predefinedModels
            for name in stored[descriptor.id]?.models ?? [] where !models.contains(where: { $0.name == name }) {
                models.append(Self.discovered(name))
            }
            return ProviderState(descriptor: descriptor, isConfigured: stored[descriptor.id] != nil, models: models)
        }
    }

    /// The workspace's credentials with every secret masked; `nil` when none are stored.
    public func maskedCredentials(of providerID: String, in workspace: WorkspaceID) async throws -> [String: String]? {
        let provider = try await self.provider(providerID, in: workspace)
        guard let stored = try await store.credentials(of: providerID, in: workspace) else { return nil }
        return Self.form(of: provider).masked(try sealer.open(stored.sealed, workspace: workspace, provider: providerID))
    }

    /// Checks `credentials` against the upstream and keeps them. A secret sent back exactly as it was shown masked keeps
    /// its stored value, so a form can be saved again without retyping its keys.
    public func saveCredentials(_ credentials: [String: String], of providerID: String, in workspace: WorkspaceID) async throws {
        let provider = try await self.provider(providerID, in: workspace)
        var previous: [String: String]?
        if let stored = try await store.credentials(of: providerID, in: workspace) {
            previous = try? sealer.open(stored.sealed, workspace: workspace, provider: providerID)
        }
        let credentials = try Self.form(of: provider).accept(credentials, previous: previous)
        let models = try await provider.validate(credentials)
        try await store.save(
            SealedCredentials(
                provider: providerID, sealed: try sealer.seal(credentials, workspace: workspace, provider: providerID),
                models: models, updatedAt: now()
            ),
            in: workspace
        )
    }

    public func deleteCredentials(of providerID: String, in workspace: WorkspaceID) async throws {
        _ = try await provider(providerID, in: workspace)
        guard try await store.deleteCredentials(of: providerID, in: workspace) else {
            throw RelayError.notFound("This workspace has no \(providerID) credentials")
        }
    }

    public func defaultModel(_ type: ModelType, in workspace: WorkspaceID) async throws -> DefaultModel? {
        try await store.defaultModels(in: workspace).first { $0.type == type }
    }

    /// Makes `model` the workspace's default for its type; the provider must be configured and offer the model.
    public func setDefaultModel(_ model: DefaultModel, in workspace: WorkspaceID) async throws {
        _ = try await resolve(provider: model.provider, model: model.model, type: model.type, in: workspace)
        try await store.setDefaultModel(model, in: workspace)
    }

    /// The model to call, with the workspace's credentials; 400 `provider_not_initialize` saying how to configure
    /// the provider when it is not, `model_currently_not_support` when it does not offer the model.
    public func resolve(
        provider providerID: String, model name: String, type: ModelType = .llm, in workspace: WorkspaceID
    )
        async throws -> ResolvedModel
    {
        guard let provider = try await find(providerID, in: workspace) else {
            throw RelayError(.providerNotInitialize, "This workspace has no model provider '\(providerID)'")
        }
        guard let stored = try await store.credentials(of: providerID, in: workspace) else {
            throw RelayError(
                .providerNotInitialize,
                "The model provider '\(providerID)' is not configured in this workspace: an admin can add its credentials with "
                    + "POST /console/api/workspaces/current/model-providers/\(providerID)/credentials"
            )
        }
        let descriptor: ModelDescriptor
        if let known = provider.descriptor.predefinedModels.first(where: { $0.name == name && $0.type == type }) {
            descriptor = known
        } else if provider.descriptor.acceptsAnyModel {
            descriptor = ModelDescriptor(name: name, type: type)
        } else {
            throw RelayError(.modelCurrentlyNotSupport, "\(providerID) has no \(type.rawValue) model '\(name)'")
        }
        let credentials = try sealer.open(stored.sealed, workspace: workspace, provider: providerID)
        let measured: any ModelProvider = metrics.map { MeteredModelProvider(base: provider, metrics: $0, workspace: workspace) } ?? provider
        return ResolvedModel(provider: measured, credentials: credentials, descriptor: descriptor)
    }

    /// Embeds `texts` with the workspace's `provider`/`model` embedding model.
    public func embed(_ texts: [String], provider: String, model: String, in workspace: WorkspaceID) async throws -> Embeddings {
        let resolved = try await resolve(provider: provider, model: model, type: .textEmbedding, in: workspace)
        return try await resolved.provider.embed(texts, model: model, credentials: resolved.credentials)
    }

    /// Relevance scores (0–1) of `documents` for `query`, in their order, from a rerank model of the workspace.
    public func rerank(_ query: String, documents: [String], provider: String, model: String, in workspace: WorkspaceID) async throws -> [Double] {
        let resolved = try await resolve(provider: provider, model: model, type: .rerank, in: workspace)
        return try await resolved.provider.rerank(query, documents: documents, model: model, credentials: resolved.credentials)
    }

    private func provider(_ id: String, in workspace: WorkspaceID) async throws -> any ModelProvider {
        guard let provider = try await find(id, in: workspace) else { throw RelayError.notFound("No model provider '\(id)'") }
        return provider
    }

    /// A built-in provider without reading the workspace's installs (every chat message resolves one), else a plugin's.
    public func find(_ id: String, in workspace: WorkspaceID) async throws -> (any ModelProvider)? {
        if let builtIn = catalogue.provider(id) { return builtIn }
        return try await installed?.providers(in: workspace).first { $0.descriptor.id == id }
    }

    /// A model an upstream reported: an embedding model by its name, else a chat model.
    static func discovered(_ name: String) -> ModelDescriptor {
        let lower = name.lowercased()
        return ModelDescriptor(name: name, type: lower.contains("rerank") ? .rerank : lower.contains("embed") ? .textEmbedding : .llm)
    }

    static func form(of provider: any ModelProvider) -> CredentialForm {
        CredentialForm(fields: provider.descriptor.credentialFields, owner: provider.descriptor.id)
    }
}
