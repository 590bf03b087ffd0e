public import Foundation

/// Where plugin packages, installs, their key-value storage and tool credentials are kept; every call is scoped to
/// one workspace.
public struct PluginStore: Sendable {
    let database: SQLDatabase

    public func savePackage(_ package: StoredPluginPackage) async throws {
        try await database.write(.workspace(package.workspace)) { transaction in
            try await transaction.execute(
                """
                INSERT INTO plugin_package (workspace_id, identifier, plugin_id, version, declaration, archive, created_at)
                VALUES (\(package.workspace), \(package.identifier), \(package.pluginID), \(package.version),
                \(String(decoding: package.declaration, as: UTF8.self)), \(package.archive.base64EncodedString()),
                \(package.createdAt))
                ON CONFLICT (workspace_id, identifier) DO NOTHING
                """)
        }
    }

    /// The package with its archive.
    public func package(_ identifier: String, in workspace: WorkspaceID) async throws -> StoredPluginPackage? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT * FROM plugin_package WHERE workspace_id = \(workspace) AND identifier = \(identifier)"
            ).first.map { try StoredPluginPackage(row: $0, withArchive: true) }
        }
    }

    /// Installs, replacing the workspace's install of the same plugin (an upgrade keeps its uid). Throws
    /// `SandboxUIDTaken` when another install holds `install.sandboxUID` (or another install of the plugin was saved at
    /// the same moment): the caller tries again.
    public func saveInstall(_ install: PluginInstall) async throws -> PluginInstall {
        try await database.write(.workspace(install.workspace)) { transaction in
            let previous = try await transaction.rows(
                """
                DELETE FROM plugin_install WHERE workspace_id = \(install.workspace) AND plugin_id = \(install.pluginID)
                RETURNING *
                """
            ).first.map { try PluginInstall(row: $0) }
            let saved = PluginInstall(
                id: install.id, workspace: install.workspace, pluginID: install.pluginID, identifier: install.identifier,
                source: install.source, declaration: install.declaration, sandboxUID: previous?.sandboxUID ?? install.sandboxUID,
                createdAt: install.createdAt
            )
            do {
                try await transaction.execute(
                    """
                    INSERT INTO plugin_install (id, workspace_id, plugin_id, identifier, source, declaration, sandbox_uid, created_at)
                    VALUES (\(saved.id), \(saved.workspace), \(saved.pluginID), \(saved.identifier),
                    \(saved.source), \(String(decoding: saved.declaration, as: UTF8.self)), \(saved.sandboxUID),
                    \(saved.createdAt))
                    """)
            } catch  where SQLTransaction.isUniqueViolation(error) {
                throw SandboxUIDTaken()
            }
            return saved
        }
    }

    public func installs(in workspace: WorkspaceID) async throws -> [PluginInstall] {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT * FROM plugin_install WHERE workspace_id = \(workspace) ORDER BY created_at, id"
            ).map { try PluginInstall(row: $0) }
        }
    }

    public func install(_ id: PluginInstallID, in workspace: WorkspaceID) async throws -> PluginInstall? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT * FROM plugin_install WHERE workspace_id = \(workspace) AND id = \(id)"
            ).first.map { try PluginInstall(row: $0) }
        }
    }

    /// Removes the install with its storage and the credentials of `providers`; `nil` when there was none.
    public func deleteInstall(_ id: PluginInstallID, providers: [String], in workspace: WorkspaceID) async throws -> PluginInstall? {
        try await database.write(.workspace(workspace)) { transaction in
            guard
                let install = try await transaction.rows(
                    "DELETE FROM plugin_install WHERE workspace_id = \(workspace) AND id = \(id) RETURNING *"
                ).first.map({ try PluginInstall(row: $0) })
            else { return nil }
            try await transaction.execute(
                "DELETE FROM plugin_storage WHERE workspace_id = \(workspace) AND plugin_id = \(install.pluginID)")
            for provider in providers {
                try await transaction.execute(
                    "DELETE FROM tool_credential WHERE workspace_id = \(workspace) AND provider = \(provider)")
            }
            return install
        }
    }

    /// The install's key-value storage (values hex-encoded, as the protocol sends them).
    public func storageValue(_ key: String, plugin: String, in workspace: WorkspaceID) async throws -> String? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                """
                SELECT value FROM plugin_storage WHERE workspace_id = \(workspace) AND plugin_id = \(plugin) AND key = \(key)
                """
            ).first.map { try $0.string("value") }
        }
    }

    /// Sets a value unless the plugin's values would then hold more than `limit` bytes; returns whether it was set.
    public func setStorageValue(_ value: String, for key: String, plugin: String, limit: Int, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            // One writer per plugin at a time, so two sets cannot both pass the limit.
            try await transaction.lock(workspace.description + "/" + plugin)
            let others =
                try await transaction.rows(
                    """
                    SELECT coalesce(sum(length(key) + length(value) / 2), 0) AS used FROM plugin_storage
                    WHERE workspace_id = \(workspace) AND plugin_id = \(plugin) AND key <> \(key)
                    """
                ).first.map { try $0.int("used") } ?? 0
            guard others + key.utf8.count + value.utf8.count / 2 <= limit else { return false }
            try await transaction.execute(
                """
                INSERT INTO plugin_storage (workspace_id, plugin_id, key, value)
                VALUES (\(workspace), \(plugin), \(key), \(value))
                ON CONFLICT (workspace_id, plugin_id, key) DO UPDATE SET value = excluded.value
                """)
            return true
        }
    }

    public func deleteStorageValue(_ key: String, plugin: String, in workspace: WorkspaceID) async throws -> Bool {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.changes(
                """
                DELETE FROM plugin_storage WHERE workspace_id = \(workspace) AND plugin_id = \(plugin) AND key = \(key)
                RETURNING key
                """) > 0
        }
    }

    public func toolCredentials(of provider: String, in workspace: WorkspaceID) async throws -> String? {
        try await database.read(.workspace(workspace)) { transaction in
            try await transaction.rows(
                "SELECT sealed FROM tool_credential WHERE workspace_id = \(workspace) AND provider = \(provider)"
            ).first.map { try $0.string("sealed") }
        }
    }

    public func saveToolCredentials(_ sealed: String, of provider: String, at date: Date, in workspace: WorkspaceID) async throws {
        try await database.write(.workspace(workspace)) { transaction in
            try await transaction.execute(
                """
                INSERT INTO tool_credential (workspace_id, provider, sealed, updated_at)
                VALUES (\(workspace), \(provider), \(sealed), \(date))
                ON CONFLICT (workspace_id, provider) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                """)
        }
    }
}
/// Another install already runs as this uid.
public struct SandboxUIDTaken: Error {
    public init() {}
}

/// Rows of the plugin tables, read the same way from both engines.
extension PluginInstall {
    init(row: StoredRow) throws {
        self.init(
            id: try row.identifier("id"), workspace: try row.identifier("workspace_id"), pluginID: try row.string("plugin_id"),
            identifier: try row.string("identifier"), source: try row.string("source"), declaration: Data(try row.string("declaration").utf8),
            sandboxUID: try row.int("sandbox_uid"), createdAt: try row.date("created_at")
        )
    }
}

extension StoredPluginPackage {
    init(row: StoredRow, withArchive: Bool) throws {
        self.init(
            workspace: try row.identifier("workspace_id"), identifier: try row.string("identifier"), pluginID: try row.string("plugin_id"),
            version: try row.string("version"), declaration: Data(try row.string("declaration").utf8),
            archive: withArchive ? (Data(base64Encoded: try row.string("archive")) ?? Data()) : Data(),
            createdAt: try row.date("created_at")
        )
    }
}
