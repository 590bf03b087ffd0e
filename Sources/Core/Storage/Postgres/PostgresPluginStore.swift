import Foundation
import PostgresNIO

struct PostgresPluginStore: PluginStore {
    let database: PostgresDatabase

    func savePackage(_ package: StoredPluginPackage) async throws {
        try await database.transaction(.workspace(package.workspace)) { connection in
            try await connection.run(
                """
                INSERT INTO plugin_package (workspace_id, identifier, plugin_id, version, declaration, archive, created_at)
                VALUES (\(package.workspace.description), \(package.identifier), \(package.pluginID), \(package.version),
                \(String(decoding: package.declaration, as: UTF8.self)), \(package.archive.base64EncodedString()),
                \(package.createdAt.storedValue))
                ON CONFLICT (workspace_id, identifier) DO NOTHING
                """,
                logger: database.logger
            )
        }
    }

    func package(_ identifier: String, in workspace: WorkspaceID) async throws -> StoredPluginPackage? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT * FROM plugin_package WHERE workspace_id = \(workspace.description) AND identifier = \(identifier)",
                logger: database.logger
            ).first.map { try StoredPluginPackage(row: $0, withArchive: true) }
        }
    }

    func saveInstall(_ install: PluginInstall) async throws -> PluginInstall {
        try await database.transaction(.workspace(install.workspace)) { connection in
            let previous = try await connection.rows(
                """
                DELETE FROM plugin_install WHERE workspace_id = \(install.workspace.description) AND plugin_id = \(install.pluginID)
                RETURNING *
                """,
                logger: database.logger
            ).first.map { try PluginInstall(row: $0) }
            let saved = PluginInstall(
                id: install.id, workspace: install.workspace, pluginID: install.pluginID, identifier: install.identifier,
                source: install.source, declaration: install.declaration, sandboxUID: previous?.sandboxUID ?? install.sandboxUID,
                createdAt: install.createdAt
            )
            do {
                try await connection.run(
                    """
                    INSERT INTO plugin_install (id, workspace_id, plugin_id, identifier, source, declaration, sandbox_uid, created_at)
                    VALUES (\(saved.id.description), \(saved.workspace.description), \(saved.pluginID), \(saved.identifier),
                    \(saved.source), \(String(decoding: saved.declaration, as: UTF8.self)), \(saved.sandboxUID),
                    \(saved.createdAt.storedValue))
                    """,
                    logger: database.logger
                )
            } catch let error as PSQLError where error.isUniqueViolation {
                throw SandboxUIDTaken()
            }
            return saved
        }
    }

    func installs(in workspace: WorkspaceID) async throws -> [PluginInstall] {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT * FROM plugin_install WHERE workspace_id = \(workspace.description) ORDER BY created_at, id", logger: database.logger
            ).map { try PluginInstall(row: $0) }
        }
    }

    func install(_ id: PluginInstallID, in workspace: WorkspaceID) async throws -> PluginInstall? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT * FROM plugin_install WHERE workspace_id = \(workspace.description) AND id = \(id.description)",
                logger: database.logger
            ).first.map { try PluginInstall(row: $0) }
        }
    }

    func deleteInstall(_ id: PluginInstallID, providers: [String], in workspace: WorkspaceID) async throws -> PluginInstall? {
        try await database.transaction(.workspace(workspace)) { connection in
            guard
                let install = try await connection.rows(
                    "DELETE FROM plugin_install WHERE workspace_id = \(workspace.description) AND id = \(id.description) RETURNING *",
                    logger: database.logger
                ).first.map({ try PluginInstall(row: $0) })
            else { return nil }
            try await connection.run(
                "DELETE FROM plugin_storage WHERE workspace_id = \(workspace.description) AND plugin_id = \(install.pluginID)",
                logger: database.logger
            )
            for provider in providers {
                try await connection.run(
                    "DELETE FROM tool_credential WHERE workspace_id = \(workspace.description) AND provider = \(provider)",
                    logger: database.logger
                )
            }
            return install
        }
    }

    func storageValue(_ key: String, plugin: String, in workspace: WorkspaceID) async throws -> String? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                """
                SELECT value FROM plugin_storage WHERE workspace_id = \(workspace.description) AND plugin_id = \(plugin) AND key = \(key)
                """,
                logger: database.logger
            ).first.map { try $0.string("value") }
        }
    }

    func setStorageValue(_ value: String, for key: String, plugin: String, limit: Int, in workspace: WorkspaceID) async throws -> Bool {
        try await database.transaction(.workspace(workspace)) { connection in
            // One writer per plugin at a time, so two sets cannot both pass the limit.
            try await connection.run(
                "SELECT pg_advisory_xact_lock(hashtext(\(workspace.description + "/" + plugin)))", logger: database.logger
            )
            let others = try await connection.rows(
                """
                SELECT coalesce(sum(length(key) + length(value) / 2), 0)::BIGINT AS used FROM plugin_storage
                WHERE workspace_id = \(workspace.description) AND plugin_id = \(plugin) AND key <> \(key)
                """,
                logger: database.logger
            ).first.map { try $0.int("used") } ?? 0
            guard others + key.utf8.count + value.utf8.count / 2 <= limit else { return false }
            try await connection.run(
                """
                INSERT INTO plugin_storage (workspace_id, plugin_id, key, value)
                VALUES (\(workspace.description), \(plugin), \(key), \(value))
                ON CONFLICT (workspace_id, plugin_id, key) DO UPDATE SET value = excluded.value
                """,
                logger: database.logger
            )
            return true
        }
    }

    func deleteStorageValue(_ key: String, plugin: String, in workspace: WorkspaceID) async throws -> Bool {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.changes(
                """
                DELETE FROM plugin_storage WHERE workspace_id = \(workspace.description) AND plugin_id = \(plugin) AND key = \(key)
                RETURNING key
                """,
                logger: database.logger
            ) > 0
        }
    }

    func toolCredentials(of provider: String, in workspace: WorkspaceID) async throws -> String? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.rows(
                "SELECT sealed FROM tool_credential WHERE workspace_id = \(workspace.description) AND provider = \(provider)",
                logger: database.logger
            ).first.map { try $0.string("sealed") }
        }
    }

    func saveToolCredentials(_ sealed: String, of provider: String, at date: Date, in workspace: WorkspaceID) async throws {
        try await database.transaction(.workspace(workspace)) { connection in
            try await connection.run(
                """
                INSERT INTO tool_credential (workspace_id, provider, sealed, updated_at)
                VALUES (\(workspace.description), \(provider), \(sealed), \(date.storedValue))
                ON CONFLICT (workspace_id, provider) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                """,
                logger: database.logger
            )
        }
    }
}
