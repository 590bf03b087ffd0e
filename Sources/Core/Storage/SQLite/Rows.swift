import Foundation
import GRDB

// Mapping of stored rows to Core's values. Queries that join select a table's columns under a prefix
// (`app_name`, …) so that two tables' columns never collide.

extension Row {
    func date(_ column: String) -> Date {
        Date(timeIntervalSince1970: self[column])
    }

    func optionalDate(_ column: String) -> Date? {
        (self[column] as Double?).map(Date.init(timeIntervalSince1970:))
    }

    func identifier<Entity>(_ column: String) -> Identifier<Entity> {
        Identifier(self[column] as String)!
    }

    func optionalIdentifier<Entity>(_ column: String) -> Identifier<Entity>? {
        (self[column] as String?).flatMap(Identifier.init)
    }
}

extension Date {
    var storedValue: Double { timeIntervalSince1970 }
}

enum AccountColumns {
    static func select(_ alias: String, prefix: String = "") -> String {
        ["id", "email", "name", "status", "created_at", "last_login_at"]
            .map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }
}

extension Account {
    init(row: Row, prefix: String = "") {
        self.init(
            id: row.identifier(prefix + "id"), email: row[prefix + "email"], name: row[prefix + "name"],
            status: Account.Status(rawValue: row[prefix + "status"]) ?? .pending, createdAt: row.date(prefix + "created_at"),
            lastLoginAt: row.optionalDate(prefix + "last_login_at")
        )
    }
}

enum WorkspaceColumns {
    static func select(_ alias: String, prefix: String = "") -> String {
        ["id", "name", "plan", "status", "created_at"].map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }
}

extension Workspace {
    init(row: Row, prefix: String = "") {
        self.init(
            id: row.identifier(prefix + "id"), name: row[prefix + "name"], plan: row[prefix + "plan"],
            status: row[prefix + "status"], createdAt: row.date(prefix + "created_at")
        )
    }
}

enum AppColumns {
    static let names = [
        "id", "workspace_id", "name", "mode", "icon", "icon_background", "description", "enable_site", "enable_api",
        "api_rpm", "api_rph", "is_demo", "created_by", "created_at", "updated_at",
    ]

    static func select(_ alias: String, prefix: String = "") -> String {
        names.map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }
}

extension App {
    init(row: Row, prefix: String = "") {
        self.init(
            id: row.identifier(prefix + "id"), workspaceID: row.identifier(prefix + "workspace_id"),
            name: row[prefix + "name"], mode: AppMode(rawValue: row[prefix + "mode"]) ?? .chat,
            icon: row[prefix + "icon"], iconBackground: row[prefix + "icon_background"],
            description: row[prefix + "description"], enableSite: row[prefix + "enable_site"],
            enableAPI: row[prefix + "enable_api"], apiRPM: row[prefix + "api_rpm"], apiRPH: row[prefix + "api_rph"],
            isDemo: row[prefix + "is_demo"], createdBy: row.optionalIdentifier(prefix + "created_by"),
            createdAt: row.date(prefix + "created_at"), updatedAt: row.date(prefix + "updated_at")
        )
    }

    /// Values in the order of `AppColumns.names`.
    var storedArguments: StatementArguments {
        [
            id.description, workspaceID.description, name, mode.rawValue, icon, iconBackground, description, enableSite,
            enableAPI, apiRPM, apiRPH, isDemo, createdBy?.description, createdAt.storedValue, updatedAt.storedValue,
        ]
    }
}

extension APIKey {
    static let columns = "k.id, k.workspace_id, k.app_id, k.kind, k.name, k.permissions, k.hint, k.created_at, k.last_used_at"

    init(row: Row) {
        let permissions = (row["permissions"] as String).split(separator: ",").compactMap {
            APIKey.Permission(rawValue: String($0))
        }
        self.init(
            id: row.identifier("id"), workspaceID: row.identifier("workspace_id"), appID: row.optionalIdentifier("app_id"),
            kind: APIKey.Kind(rawValue: row["kind"]) ?? .app, name: row["name"], permissions: permissions,
            hint: row["hint"], createdAt: row.date("created_at"), lastUsedAt: row.optionalDate("last_used_at")
        )
    }
}

extension DatabaseError {
    var isUniqueViolation: Bool { extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY }
}
