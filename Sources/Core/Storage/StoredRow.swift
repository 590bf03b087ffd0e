import Foundation

/// A row read back from either engine, by column name. The mappings below turn rows into Core's values once for both.
///
/// Queries that join select a table's columns under a prefix (`app__name`, …) so that two tables' columns never collide.
protocol StoredRow {
    func string(_ column: String) throws -> String
    func optionalString(_ column: String) throws -> String?
    func double(_ column: String) throws -> Double
    func optionalDouble(_ column: String) throws -> Double?
    func int(_ column: String) throws -> Int
    func bool(_ column: String) throws -> Bool
    func optionalData(_ column: String) throws -> Data?
}

extension StoredRow {
    func date(_ column: String) throws -> Date {
        Date(timeIntervalSince1970: try double(column))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try optionalDouble(column).map(Date.init(timeIntervalSince1970:))
    }

    func identifier<Entity>(_ column: String) throws -> Identifier<Entity> {
        let text = try string(column)
        guard let identifier = Identifier<Entity>(text) else { throw StoredValueError(column: column, value: text) }
        return identifier
    }

    func optionalIdentifier<Entity>(_ column: String) throws -> Identifier<Entity>? {
        try optionalString(column).flatMap(Identifier.init)
    }
}

/// A stored value that does not read as what its column holds: the database was written by something else.
struct StoredValueError: Error, CustomStringConvertible {
    let column: String
    let value: String

    var description: String { "column \(column) holds '\(value)', which is not of its type" }
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
    init(row: some StoredRow, prefix: String = "") throws {
        self.init(
            id: try row.identifier(prefix + "id"), email: try row.string(prefix + "email"), name: try row.string(prefix + "name"),
            status: Account.Status(rawValue: try row.string(prefix + "status")) ?? .pending,
            createdAt: try row.date(prefix + "created_at"), lastLoginAt: try row.optionalDate(prefix + "last_login_at")
        )
    }
}

enum WorkspaceColumns {
    static func select(_ alias: String, prefix: String = "") -> String {
        ["id", "name", "plan", "status", "created_at"].map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }
}

extension Workspace {
    init(row: some StoredRow, prefix: String = "") throws {
        self.init(
            id: try row.identifier(prefix + "id"), name: try row.string(prefix + "name"), plan: try row.string(prefix + "plan"),
            status: try row.string(prefix + "status"), createdAt: try row.date(prefix + "created_at")
        )
    }
}

extension WorkspaceMembership {
    init(row: some StoredRow) throws {
        self.init(workspace: try Workspace(row: row), role: Role(rawValue: try row.string("role")) ?? .normal)
    }
}

extension Member {
    init(row: some StoredRow) throws {
        self.init(
            account: try Account(row: row), role: Role(rawValue: try row.string("role")) ?? .normal, joinedAt: try row.date("joined_at")
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
    init(row: some StoredRow, prefix: String = "") throws {
        self.init(
            id: try row.identifier(prefix + "id"), workspaceID: try row.identifier(prefix + "workspace_id"),
            name: try row.string(prefix + "name"), mode: AppMode(rawValue: try row.string(prefix + "mode")) ?? .chat,
            icon: try row.string(prefix + "icon"), iconBackground: try row.string(prefix + "icon_background"),
            description: try row.string(prefix + "description"), enableSite: try row.bool(prefix + "enable_site"),
            enableAPI: try row.bool(prefix + "enable_api"), apiRPM: try row.int(prefix + "api_rpm"),
            apiRPH: try row.int(prefix + "api_rph"), isDemo: try row.bool(prefix + "is_demo"),
            createdBy: try row.optionalIdentifier(prefix + "created_by"), createdAt: try row.date(prefix + "created_at"),
            updatedAt: try row.date(prefix + "updated_at")
        )
    }
}

extension APIKey {
    static let columns = "k.id, k.workspace_id, k.app_id, k.kind, k.name, k.permissions, k.hint, k.created_at, k.last_used_at"

    init(row: some StoredRow) throws {
        let permissions = try row.string("permissions").split(separator: ",").compactMap {
            APIKey.Permission(rawValue: $0.trimmingCharacters(in: .whitespaces))
        }
        self.init(
            id: try row.identifier("id"), workspaceID: try row.identifier("workspace_id"), appID: try row.optionalIdentifier("app_id"),
            kind: APIKey.Kind(rawValue: try row.string("kind")) ?? .app, name: try row.string("name"), permissions: permissions,
            hint: try row.string("hint"), createdAt: try row.date("created_at"), lastUsedAt: try row.optionalDate("last_used_at")
        )
    }

    /// The stored form of `permissions`.
    var storedPermissions: String { permissions.map(\.rawValue).joined(separator: ", ") }
}

extension APIKeyLookup {
    /// A row of `APIKey.columns`, `k.revoked_at`, the app under `app__` with its author's name as `app__author_name`,
    /// and the plan columns.
    init(row: some StoredRow) throws {
        let key = try APIKey(row: row)
        self.init(
            key: key, isRevoked: try row.optionalDouble("revoked_at") != nil,
            app: try row.optionalString("app__id") == nil ? nil : try App(row: row, prefix: "app__"),
            plan: try WorkspacePlan(row: row, workspace: key.workspaceID), appAuthorName: try row.optionalString("app__author_name")
        )
    }
}

enum PlanColumns {
    static func select(_ alias: String) -> String {
        (["name"] + PlanLimits.keys.map(\.name)).map { "\(alias).\($0) AS plan__\($0)" }.joined(separator: ", ")
    }
}

extension Plan {
    init(row: some StoredRow) throws {
        var limits = PlanLimits()
        for (name, path) in PlanLimits.keys { limits[keyPath: path] = try row.int("plan__" + name) }
        self.init(name: try row.string("plan__name"), limits: limits)
    }
}

extension WorkspacePlan {
    init(row: some StoredRow, workspace: WorkspaceID) throws {
        let overrides = (try? JSONDecoder().decode([String: Int].self, from: Data(try row.string("plan_overrides").utf8))) ?? [:]
        self.init(workspaceID: workspace, plan: try Plan(row: row), overrides: overrides)
    }

    static func encodedOverrides(_ overrides: [String: Int]) throws -> String {
        String(decoding: try JSONEncoder().encode(overrides), as: UTF8.self)
    }
}

extension Session {
    /// A row of the session's `id`, `account_id`, `workspace_id` and `refresh_token_lifetime`.
    init(row: some StoredRow) throws {
        self.init(
            id: try row.identifier("id"), accountID: try row.identifier("account_id"), workspaceID: try row.identifier("workspace_id"),
            refreshTokenLifetime: try row.double("refresh_token_lifetime")
        )
    }
}

extension AccountCredential {
    /// A row of the account's columns, `password_hash` and `last_workspace_id`.
    init(row: some StoredRow) throws {
        self.init(
            account: try Account(row: row), passwordHash: try row.optionalString("password_hash"),
            lastWorkspaceID: try row.optionalIdentifier("last_workspace_id")
        )
    }
}

extension ConsoleGrant {
    /// A row of the account's columns and its `role` in `workspace` (`NULL` when not a member).
    init(row: some StoredRow, session: SessionID, workspace: WorkspaceID) throws {
        self.init(
            account: try Account(row: row), sessionID: session, workspaceID: workspace,
            role: try row.optionalString("role").flatMap(Role.init(rawValue:))
        )
    }
}

extension UsageTotals {
    /// Sums rows of `app_id`, `api_key_id` and `requests`: overall, per app and per key.
    static func summing(_ rows: [some StoredRow]) throws
        -> (workspace: UsageTotals, apps: [AppID: UsageTotals], keys: [APIKeyID: UsageTotals])
    {
        var total = UsageTotals()
        var apps: [AppID: UsageTotals] = [:]
        var keys: [APIKeyID: UsageTotals] = [:]
        for row in rows {
            let counts = UsageTotals(requests: try row.int("requests"), tokens: try row.int("tokens"))
            total += counts
            if let app: AppID = try row.optionalIdentifier("app_id") { apps[app, default: UsageTotals()] += counts }
            if let key: APIKeyID = try row.optionalIdentifier("api_key_id") { keys[key, default: UsageTotals()] += counts }
        }
        return (total, apps, keys)
    }
}

/// How stale an API key's `last_used_at` may get before a lookup writes it again: one write a minute per key at most.
enum APIKeyLastUse {
    static let resolution: TimeInterval = 60
}

extension AppStore {
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

/// The answer to a plan limit that adding one more would exceed.
extension RelayError {
    static func planLimit(_ resource: String, allowed: Int, plan: String) -> RelayError {
        RelayError(
            .forbidden, "The '\(plan)' plan of this workspace allows \(allowed) \(resource); remove one or change plans",
            details: ["limit": .string(resource), "plan": .string(plan), "allowed": .number(Double(allowed))]
        )
    }

    static func duplicateAppName(_ name: String) -> RelayError {
        RelayError.invalidParam("name", "An app named '\(name)' already exists in this workspace", type: "duplicate")
    }

    static func duplicateTagName() -> RelayError {
        RelayError.invalidParam("name", "A tag of this name already exists in this workspace", type: "duplicate")
    }

    static func duplicateDatasetName() -> RelayError {
        RelayError.invalidParam("name", "A dataset of this name already exists in this workspace", type: "duplicate")
    }

    static let duplicateEmail = RelayError.invalidParam(
        "email", "An account with this e-mail address already exists", type: "duplicate"
    )
}
