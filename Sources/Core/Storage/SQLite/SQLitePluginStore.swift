import Foundation
import GRDB

struct SQLitePluginStore: PluginStore {
    let writer: any DatabaseWriter

    func savePackage(_ package: StoredPluginPackage) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO plugin_package (workspace_id, identifier, plugin_id, version, declaration, archive, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, identifier) DO NOTHING
                    """,
                arguments: [
                    package.workspace.description, package.identifier, package.pluginID, package.version,
                    String(decoding: package.declaration, as: UTF8.self), package.archive.base64EncodedString(), package.createdAt.storedValue,
                ]
            )
        }
    }

    func package(_ identifier: String, in workspace: WorkspaceID) async throws -> StoredPluginPackage? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM plugin_package WHERE workspace_id = ? AND identifier = ?", arguments: [workspace.description, identifier]
            ).map { try StoredPluginPackage(row: $0, withArchive: true) }
        }
    }

    func saveInstall(_ install: PluginInstall) async throws -> PluginInstall {
        do {
            return try await writer.write { db in
                let previous = try Row.fetchOne(
                    db, sql: "SELECT * FROM plugin_install WHERE workspace_id = ? AND plugin_id = ?",
                    arguments: [install.workspace.description, install.pluginID]
                ).map { try PluginInstall(row: $0) }
                let saved = PluginInstall(
                    id: install.id, workspace: install.workspace, pluginID: install.pluginID, identifier: install.identifier,
                    source: install.source, declaration: install.declaration, sandboxUID: previous?.sandboxUID ?? install.sandboxUID,
                    createdAt: install.createdAt
                )
                try db.execute(
                    sql: "DELETE FROM plugin_install WHERE workspace_id = ? AND plugin_id = ?",
                    arguments: [install.workspace.description, install.pluginID]
                )
                try db.execute(
                    sql: """
                        INSERT INTO plugin_install (id, workspace_id, plugin_id, identifier, source, declaration, sandbox_uid, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        saved.id.description, saved.workspace.description, saved.pluginID, saved.identifier, saved.source,
                        String(decoding: saved.declaration, as: UTF8.self), saved.sandboxUID, saved.createdAt.storedValue,
                    ]
                )
                return saved
            }
        } catch let error as DatabaseError where error.isUniqueViolation {
            throw SandboxUIDTaken()
        }
    }

    func installs(in workspace: WorkspaceID) async throws -> [PluginInstall] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM plugin_install WHERE workspace_id = ? ORDER BY created_at, id", arguments: [workspace.description]
            ).map { try PluginInstall(row: $0) }
        }
    }

    func install(_ id: PluginInstallID, in workspace: WorkspaceID) async throws -> PluginInstall? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM plugin_install WHERE workspace_id = ? AND id = ?", arguments: [workspace.description, id.description]
            ).map { try PluginInstall(row: $0) }
        }
    }

    func deleteInstall(_ id: PluginInstallID, providers: [String], in workspace: WorkspaceID) async throws -> PluginInstall? {
        try await writer.write { db in
            guard
                let install = try Row.fetchOne(
                    db, sql: "SELECT * FROM plugin_install WHERE workspace_id = ? AND id = ?", arguments: [workspace.description, id.description]
                ).map({ try PluginInstall(row: $0) })
            else { return nil }
            try db.execute(sql: "DELETE FROM plugin_install WHERE id = ?", arguments: [id.description])
            try db.execute(
                sql: "DELETE FROM plugin_storage WHERE workspace_id = ? AND plugin_id = ?", arguments: [workspace.description, install.pluginID]
            )
            for provider in providers {
                try db.execute(
                    sql: "DELETE FROM tool_credential WHERE workspace_id = ? AND provider = ?", arguments: [workspace.description, provider]
                )
            }
            return install
        }
    }

    func storageValue(_ key: String, plugin: String, in workspace: WorkspaceID) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(
                db, sql: "SELECT value FROM plugin_storage WHERE workspace_id = ? AND plugin_id = ? AND key = ?",
                arguments: [workspace.description, plugin, key]
            )
        }
    }

    func setStorageValue(_ value: String, for key: String, plugin: String, limit: Int, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            let others = try Int.fetchOne(
                db, sql: """
                    SELECT coalesce(sum(length(key) + length(value) / 2), 0) FROM plugin_storage
                    WHERE workspace_id = ? AND plugin_id = ? AND key <> ?
                    """,
                arguments: [workspace.description, plugin, key]
            ) ?? 0
            guard others + key.utf8.count + value.utf8.count / 2 <= limit else { return false }
            try db.execute(
                sql: """
                    INSERT INTO plugin_storage (workspace_id, plugin_id, key, value) VALUES (?, ?, ?, ?)
                    ON CONFLICT (workspace_id, plugin_id, key) DO UPDATE SET value = excluded.value
                    """,
                arguments: [workspace.description, plugin, key, value]
            )
            return true
        }
    }

    func deleteStorageValue(_ key: String, plugin: String, in workspace: WorkspaceID) async throws -> Bool {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM plugin_storage WHERE workspace_id = ? AND plugin_id = ? AND key = ?",
                arguments: [workspace.description, plugin, key]
            )
            return db.changesCount > 0
        }
    }

    func toolCredentials(of provider: String, in workspace: WorkspaceID) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(
                db, sql: "SELECT sealed FROM tool_credential WHERE workspace_id = ? AND provider = ?", arguments: [workspace.description, provider]
            )
        }
    }

    func saveToolCredentials(_ sealed: String, of provider: String, at date: Date, in workspace: WorkspaceID) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO tool_credential (workspace_id, provider, sealed, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (workspace_id, provider) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                    """,
                arguments: [workspace.description, provider, sealed, date.storedValue]
            )
        }
    }
}
