import Foundation

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
