public import Core
public import Foundation

/// What the benchmarks that drive Relay's services directly start from: a fresh SQLite data file in a temporary folder
/// holding one workspace and its owner.
public struct BenchWorkspace {
    public let stores: RelayStores
    public let workspace: Workspace
    public let createdAt: Date

    /// `label` names the temporary folder (`relay-LABEL-bench-…`).
    public static func make(_ label: String) async throws -> BenchWorkspace {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(label)-bench-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let stores = try RelayStores.openSQLite(at: folder.appendingPathComponent("relay.sqlite"))
        let now = Date()
        let workspace = Workspace(id: WorkspaceID(), name: "Bench", createdAt: now)
        try await stores.accounts.register(NewAccount(email: "bench@example.com", name: "Bench", passwordHash: "x"), workspace: workspace, at: now)
        return BenchWorkspace(stores: stores, workspace: workspace, createdAt: now)
    }

    /// The workspace's model providers (the built-in ones), reaching upstreams through `upstream`.
    public func models(upstream: UpstreamClient) -> ModelProviderService {
        ModelProviderService(
            catalogue: .builtIn(client: upstream), installed: nil, store: stores.modelProviders,
            sealer: CredentialSealer(secret: String(repeating: "k", count: 32)), now: Date.init
        )
    }
}
