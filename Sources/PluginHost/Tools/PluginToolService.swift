public import Core
public import Foundation

/// The tools of a workspace's installs: their providers as declared, credentials per provider (sealed, checked by the
/// plugin's `validate_tool_credentials`), and invocation. Agents and the workflow engine call the same `invoke`.
public struct PluginToolService: Sendable {
    public let installs: PluginInstallService
    let store: PluginStore
    let sealer: CredentialSealer
    let now: @Sendable () -> Date

    public init(installs: PluginInstallService, store: PluginStore, sealer: CredentialSealer, now: @escaping @Sendable () -> Date) {
        self.installs = installs
        self.store = store
        self.sealer = sealer
        self.now = now
    }

    /// Dify's tool provider id: `author/plugin/provider`.
    static func providerID(_ declaration: PluginDeclaration, _ provider: ToolProviderDeclaration) -> String {
        "\(declaration.pluginID)/\(provider.name)"
    }

    public struct Provider: Sendable {
        public let id: String
        public let installed: PluginInstallService.Installed
        public let declaration: ToolProviderDeclaration
    }

    public func providers(in workspace: WorkspaceID) async throws -> [Provider] {
        try await installs.installs(in: workspace).flatMap { installed in
            installed.declaration.toolProviders.map { provider in
                Provider(id: Self.providerID(installed.declaration, provider), installed: installed, declaration: provider)
            }
        }
    }

    /// Whether the provider can be called: it needs no credentials, or the workspace has stored them.
    public func isAuthorized(_ provider: Provider, in workspace: WorkspaceID) async throws -> Bool {
        if provider.declaration.credentials.allSatisfy({ !$0.required }) { return true }
        return try await store.toolCredentials(of: provider.id, in: workspace) != nil
    }

    /// The provider named by `id` (`author/plugin/provider`, or just the provider's name when that is unambiguous).
    public func provider(_ id: String, in workspace: WorkspaceID) async throws -> Provider {
        let all = try await providers(in: workspace)
        if let exact = all.first(where: { $0.id == id }) { return exact }
        let byName = all.filter { $0.declaration.name == id }
        guard byName.count == 1 else { throw RelayError.notFound("No tool provider '\(id)' among this workspace's plugins") }
        return byName[0]
    }

    /// Checks `credentials` through the plugin and keeps them sealed. A secret sent back as it was shown masked keeps its
    /// stored value.
    public func saveCredentials(_ credentials: [String: String], of providerID: String, user: String, in workspace: WorkspaceID) async throws {
        let provider = try await provider(providerID, in: workspace)
        let credentials = try Self.form(of: provider).accept(credentials, previous: try await storedCredentials(provider, in: workspace))
        let chunks: [JSONValue]
        do {
            chunks = try await call(
                provider,
                [
                    "user_id": .string(user), "type": "tool", "action": "validate_tool_credentials", "provider": .string(provider.declaration.name),
                    "credentials": .object(credentials.mapValues { .string($0) }),
                ],
                in: workspace
            )
        } catch let error as RelayError where error.code == .pluginInvocationError {
            throw RelayError(.invalidParam, "\(provider.id) refused these credentials: \(error.message)", details: ["field": "credentials"])
        }
        guard chunks.contains(where: { $0["result"].bool == true }) else {
            throw RelayError.invalidParam("credentials", "\(provider.id) refused these credentials")
        }
        try await store.saveToolCredentials(
            try sealer.seal(credentials, workspace: workspace, provider: "tool:" + provider.id), of: provider.id, at: now(), in: workspace
        )
    }

    /// The stored credentials with secrets masked; `nil` when there are none.
    public func maskedCredentials(of providerID: String, in workspace: WorkspaceID) async throws -> [String: String]? {
        let provider = try await provider(providerID, in: workspace)
        guard let credentials = try await storedCredentials(provider, in: workspace) else { return nil }
        return Self.form(of: provider).masked(credentials)
    }

    /// The provider's credential form, as the model providers' forms work.
    static func form(of provider: Provider) -> CredentialForm {
        CredentialForm(fields: provider.declaration.credentials.map(\.formField), owner: provider.id)
    }

    /// Runs a tool and returns its messages (`{type, message, meta}`), blobs reassembled.
    public func invoke(
        _ providerID: String, tool name: String, parameters: [String: JSONValue], user: String, in workspace: WorkspaceID
    ) async throws -> [JSONValue] {
        let provider = try await provider(providerID, in: workspace)
        guard let tool = provider.declaration.tools.first(where: { $0.name == name }) else {
            throw RelayError.notFound("The tool provider \(provider.id) has no tool '\(name)'")
        }
        for parameter in tool.parameters {
            let value = parameters[parameter.name]
            if parameter.required, value == nil || value == .null || value == "" { throw RelayError.required("parameters.\(parameter.name)") }
            if parameter.type == "select", !parameter.options.isEmpty, let value = value?.string, !parameter.options.contains(value) {
                throw RelayError.invalidParam("parameters.\(parameter.name)", "must be one of \(parameter.options.joined(separator: ", "))")
            }
        }
        if let unknown = parameters.keys.sorted().first(where: { key in !tool.parameters.contains { $0.name == key } }) {
            throw RelayError.invalidParam("parameters.\(unknown)", "\(provider.id)/\(name) has no parameter '\(unknown)'")
        }
        let credentials = try await storedCredentials(provider, in: workspace) ?? [:]
        if provider.declaration.credentials.contains(where: { $0.required }), credentials.isEmpty {
            throw RelayError(
                .providerNotInitialize,
                "The tool provider \(provider.id) has no credentials in this workspace: an admin can add them with "
                    + "POST /console/api/workspaces/current/tool-provider/builtin/\(provider.id)/credentials"
            )
        }
        return try await call(
            provider,
            [
                "user_id": .string(user), "type": "tool", "action": "invoke_tool", "provider": .string(provider.declaration.name),
                "tool": .string(name), "tool_parameters": .object(parameters), "credentials": .object(credentials.mapValues { .string($0) }),
                "credential_type": "api-key",
            ],
            in: workspace
        )
    }

    private func call(_ provider: Provider, _ data: JSONValue, in workspace: WorkspaceID) async throws -> [JSONValue] {
        let runtime = try await installs.runtime(for: provider.installed)
        var chunks: [JSONValue] = []
        for try await chunk in try await installs.supervisor.call(data, on: runtime) { chunks.append(chunk) }
        return chunks
    }

    private func storedCredentials(_ provider: Provider, in workspace: WorkspaceID) async throws -> [String: String]? {
        guard let sealed = try await store.toolCredentials(of: provider.id, in: workspace) else { return nil }
        return try sealer.open(sealed, workspace: workspace, provider: "tool:" + provider.id)
    }
}
