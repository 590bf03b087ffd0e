public import Core
import Synchronization

/// The model providers of a workspace's model plugins, for the model provider service.
///
/// Built before the install service it reads (which itself needs the model provider service for plugins' `llm`
/// callbacks), so the install service is handed over once both exist.
public final class PluginModelProviders: WorkspaceModelProviders {
    private let installs = Mutex<PluginInstallService?>(nil)

    public init() {}

    public func serve(from installs: PluginInstallService) {
        self.installs.withLock { $0 = installs }
    }

    public func providers(in workspace: WorkspaceID) async throws -> [any ModelProvider] {
        guard let installs = installs.withLock({ $0 }) else { return [] }
        return try await installs.installs(in: workspace).flatMap { installed in
            installed.declaration.modelProviders.map { PluginModelProvider($0, of: installed, installs: installs) }
        }
    }
}
