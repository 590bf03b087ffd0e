public import Foundation

public enum PluginInstallTag {}
/// Identifies one install of a plugin in one workspace.
public typealias PluginInstallID = Identifier<PluginInstallTag>

/// A plugin installed in a workspace: which package, what it declared, and the uid its processes run as.
public struct PluginInstall: Sendable, Hashable {
    public let id: PluginInstallID
    public let workspace: WorkspaceID
    /// `author/name`.
    public let pluginID: String
    /// `author/name:version@sha256`.
    public let identifier: String
    /// `package` (uploaded to this workspace) or `builtin` (from the server's own catalogue).
    public let source: String
    /// The package's declarations (manifest, tool providers and tools) as read at install time, as JSON.
    public let declaration: Data
    /// The uid (and gid) the install's processes get when the server runs as root: one per install, never shared.
    public let sandboxUID: Int
    public let createdAt: Date

    public init(
        id: PluginInstallID, workspace: WorkspaceID, pluginID: String, identifier: String, source: String, declaration: Data,
        sandboxUID: Int, createdAt: Date
    ) {
        self.id = id
        self.workspace = workspace
        self.pluginID = pluginID
        self.identifier = identifier
        self.source = source
        self.declaration = declaration
        self.sandboxUID = sandboxUID
        self.createdAt = createdAt
    }
}

/// A package a workspace uploaded: kept whole (base64 of the zip), so that any instance can unpack it.
public struct StoredPluginPackage: Sendable {
    public let workspace: WorkspaceID
    public let identifier: String
    public let pluginID: String
    public let version: String
    public let declaration: Data
    /// The `.difypkg` bytes; empty in listings.
    public let archive: Data
    public let createdAt: Date

    public init(
        workspace: WorkspaceID, identifier: String, pluginID: String, version: String, declaration: Data, archive: Data, createdAt: Date
    ) {
        self.workspace = workspace
        self.identifier = identifier
        self.pluginID = pluginID
        self.version = version
        self.declaration = declaration
        self.archive = archive
        self.createdAt = createdAt
    }
}
