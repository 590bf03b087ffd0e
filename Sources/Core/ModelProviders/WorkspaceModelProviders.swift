/// Model providers that come from a workspace's own installs (model-type plugins). The plugin host serves them;
/// Gateway wires it in, since Core imports no plugin code.
public protocol WorkspaceModelProviders: Sendable {
    func providers(in workspace: WorkspaceID) async throws -> [any ModelProvider]
}
