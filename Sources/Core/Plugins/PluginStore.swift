public import Foundation

/// Where plugin packages, installs, their key-value storage and tool credentials are kept; every call is scoped to
/// one workspace.
public protocol PluginStore: Sendable {
    func savePackage(_ package: StoredPluginPackage) async throws
    /// The package with its archive.
    func package(_ identifier: String, in workspace: WorkspaceID) async throws -> StoredPluginPackage?

    /// Installs, replacing the workspace's install of the same plugin (an upgrade keeps its uid). Throws
    /// `SandboxUIDTaken` when another install holds `install.sandboxUID` (or another install of the plugin was saved at
    /// the same moment): the caller tries again.
    func saveInstall(_ install: PluginInstall) async throws -> PluginInstall
    func installs(in workspace: WorkspaceID) async throws -> [PluginInstall]
    func install(_ id: PluginInstallID, in workspace: WorkspaceID) async throws -> PluginInstall?
    /// Removes the install with its storage and the credentials of `providers`; `nil` when there was none.
    func deleteInstall(_ id: PluginInstallID, providers: [String], in workspace: WorkspaceID) async throws -> PluginInstall?

    /// The install's key-value storage (values hex-encoded, as the protocol sends them).
    func storageValue(_ key: String, plugin: String, in workspace: WorkspaceID) async throws -> String?
    /// Sets a value unless the plugin's values would then hold more than `limit` bytes; returns whether it was set.
    func setStorageValue(_ value: String, for key: String, plugin: String, limit: Int, in workspace: WorkspaceID) async throws -> Bool
    func deleteStorageValue(_ key: String, plugin: String, in workspace: WorkspaceID) async throws -> Bool

    func toolCredentials(of provider: String, in workspace: WorkspaceID) async throws -> String?
    func saveToolCredentials(_ sealed: String, of provider: String, at date: Date, in workspace: WorkspaceID) async throws
}

/// Another install already runs as this uid.
public struct SandboxUIDTaken: Error {
    public init() {}
}
