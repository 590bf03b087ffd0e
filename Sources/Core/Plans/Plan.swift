public import Foundation

/// What a plan allows. Every limit is a count; 0 means unlimited.
public struct PlanLimits: Sendable, Equatable, Codable {
    public var requestsPerMinute: Int
    public var requestsPerHour: Int
    public var requestsPerDay: Int
    public var members: Int
    public var apps: Int
    public var documents: Int
    /// Bytes of stored vectors and text.
    public var vectorSpace: Int
    public var messageCreditsPerMonth: Int
    /// Requests of one app in flight at once, blocking and streaming alike.
    public var maxActiveRequests: Int
    /// Bytes of files uploaded through the Public API.
    public var fileStorage: Int

    public init(
        requestsPerMinute: Int = 0, requestsPerHour: Int = 0, requestsPerDay: Int = 0, members: Int = 0, apps: Int = 0,
        documents: Int = 0, vectorSpace: Int = 0, messageCreditsPerMonth: Int = 0, maxActiveRequests: Int = 0, fileStorage: Int = 0
    ) {
        self.requestsPerMinute = requestsPerMinute
        self.requestsPerHour = requestsPerHour
        self.requestsPerDay = requestsPerDay
        self.members = members
        self.apps = apps
        self.documents = documents
        self.vectorSpace = vectorSpace
        self.messageCreditsPerMonth = messageCreditsPerMonth
        self.maxActiveRequests = maxActiveRequests
        self.fileStorage = fileStorage
    }

    /// The wire and CLI name of each limit, and where it lives. Key paths are immutable values; the array is never changed.
    nonisolated(unsafe) public static let keys: [(name: String, path: WritableKeyPath<PlanLimits, Int>)] = [
        ("rpm", \.requestsPerMinute), ("rph", \.requestsPerHour), ("rpd", \.requestsPerDay), ("members", \.members),
        ("apps", \.apps), ("documents", \.documents), ("vector_space", \.vectorSpace),
        ("message_credits", \.messageCreditsPerMonth), ("max_active_requests", \.maxActiveRequests),
        ("file_storage", \.fileStorage),
    ]

    public static func path(named name: String) -> WritableKeyPath<PlanLimits, Int>? {
        keys.first { $0.name == name }?.path
    }

    /// These limits with `overrides` (by key name) applied; unknown names are ignored.
    public func applying(_ overrides: [String: Int]) -> PlanLimits {
        var limits = self
        for (name, value) in overrides {
            if let path = Self.path(named: name) { limits[keyPath: path] = value }
        }
        return limits
    }

    /// Checks each override names a limit and is a non-negative count; throws `invalid_param` otherwise.
    public static func validate(_ overrides: [String: Int], field: String) throws {
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard path(named: name) != nil else {
                throw RelayError.invalidParam(
                    field, "Unknown limit '\(name)'; limits are \(keys.map(\.name).joined(separator: ", "))", type: "enum"
                )
            }
            guard value >= 0 else { throw RelayError.invalidParam(field, "Limit '\(name)' must be 0 (unlimited) or more") }
        }
    }
}

/// A named plan: what operators sell and assign to workspaces.
public struct Plan: Sendable, Equatable {
    public let name: String
    public var limits: PlanLimits

    public init(name: String, limits: PlanLimits) {
        self.name = name
        self.limits = limits
    }
}

/// The plan a workspace is on, with its per-workspace overrides, and the limits that result.
public struct WorkspacePlan: Sendable, Equatable {
    public let workspaceID: WorkspaceID
    public let plan: Plan
    public let overrides: [String: Int]

    public init(workspaceID: WorkspaceID, plan: Plan, overrides: [String: Int]) {
        self.workspaceID = workspaceID
        self.plan = plan
        self.overrides = overrides
    }

    public var limits: PlanLimits { plan.limits.applying(overrides) }
}

/// Storage of plans and of which plan each workspace is on.
public struct PlanStore: Sendable {
    let database: SQLDatabase

    public func plans() async throws -> [Plan] {
        try await database.read(.none) { transaction in
            try await transaction.rows("SELECT \(unescaped: PlanColumns.select("p")) FROM plan p ORDER BY p.rpm = 0, p.rpm, p.name")
                .map(Plan.init(row:))
        }
    }

    /// Creates a plan or sets some of its limits (by key name), in one transaction so concurrent changes of different
    /// limits both stand; limits not named keep their value (0 for a new plan). Returns the plan as stored.
    public func define(_ name: String, limits changes: [String: Int]) async throws -> Plan {
        try await database.write(.none) { transaction in
            // Concurrent changes of one plan take turns on its name (SQLite's writer already takes them one at a time).
            try await transaction.lock("plan:" + name)
            let existing = try await transaction.row("SELECT \(unescaped: PlanColumns.select("p")) FROM plan p WHERE p.name = \(name)")
            let plan = Plan(name: name, limits: (try existing.map { try Plan(row: $0).limits } ?? PlanLimits()).applying(changes))
            let names = PlanLimits.keys.map(\.name)
            let values = [plan.name.sqlValue] + PlanLimits.keys.map { plan.limits[keyPath: $0.path].sqlValue }
            try await transaction.execute(
                """
                INSERT INTO plan (name, \(unescaped: names.joined(separator: ", "))) VALUES (\(list: values))
                ON CONFLICT (name) DO UPDATE SET \(unescaped: names.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
                """
            )
            return plan
        }
    }

    /// `nil` when there is no such workspace.
    public func workspacePlan(_ workspace: WorkspaceID) async throws -> WorkspacePlan? {
        try await database.read(.workspace(workspace)) { transaction in
            try await Self.workspacePlan(workspace, transaction)
        }
    }

    /// Puts a workspace on a plan with these overrides. Throws `not_found` for an unknown plan or workspace.
    public func assign(_ plan: String, overrides: [String: Int], to workspace: WorkspaceID) async throws {
        let encoded = try WorkspacePlan.encodedOverrides(overrides)
        try await database.write(.workspace(workspace)) { transaction in
            guard try await !transaction.rows("SELECT 1 FROM plan WHERE name = \(plan)").isEmpty else {
                throw RelayError.notFound("Plan '\(plan)' not found")
            }
            let changed = try await transaction.changes(
                "UPDATE workspace SET plan = \(plan), plan_overrides = \(encoded) WHERE id = \(workspace) RETURNING id")
            guard changed > 0 else { throw RelayError.notFound("Workspace \(workspace) not found") }
        }
    }

    /// Counts of what a workspace holds now, for the quotas that count stored things.
    public func resourceCounts(of workspace: WorkspaceID) async throws -> ResourceCounts {
        try await database.read(.workspace(workspace)) { transaction in
            let row = try await transaction.rows(
                """
                SELECT (SELECT COUNT(*) FROM membership WHERE workspace_id = \(workspace)) AS members,
                (SELECT COUNT(*) FROM app WHERE workspace_id = \(workspace)) AS apps
                """
            ).first
            return ResourceCounts(members: try row?.int("members") ?? 0, apps: try row?.int("apps") ?? 0)
        }
    }

    static func workspacePlan(
        _ workspace: WorkspaceID, _ transaction: SQLTransaction
    ) async throws
        -> WorkspacePlan?
    {
        try await transaction.rows(
            """
            SELECT w.plan_overrides, \(unescaped: PlanColumns.select("p")) FROM workspace w JOIN plan p ON p.name = w.plan
            WHERE w.id = \(workspace)
            """
        ).first.map { try WorkspacePlan(row: $0, workspace: workspace) }
    }

    /// Refuses with 403 `forbidden` when adding one more would exceed the workspace's plan; `count` selects the current
    /// number as `n`. Call after `SQLTransaction.lockWorkspace`, inside the transaction that adds it.
    static func requireRoom(
        for resource: String, _ limit: KeyPath<PlanLimits, Int>, in workspace: WorkspaceID, count: SQL,
        _ transaction: SQLTransaction
    ) async throws {
        guard let plan = try await workspacePlan(workspace, transaction) else { return }
        let allowed = plan.limits[keyPath: limit]
        guard allowed > 0 else { return }
        let current = try await transaction.count(count)
        guard current >= allowed else { return }
        throw RelayError.planLimit(resource, allowed: allowed, plan: plan.plan.name)
    }
}

public struct ResourceCounts: Sendable, Equatable {
    public let members: Int
    public let apps: Int

    public init(members: Int, apps: Int) {
        self.members = members
        self.apps = apps
    }
}

enum PlanColumns {
    static func select(_ alias: String) -> String {
        (["name"] + PlanLimits.keys.map(\.name)).map { "\(alias).\($0) AS plan__\($0)" }.joined(separator: ", ")
    }
}

extension Plan {
    init(row: StoredRow) throws {
        var limits = PlanLimits()
        for (name, path) in PlanLimits.keys { limits[keyPath: path] = try row.int("plan__" + name) }
        self.init(name: try row.string("plan__name"), limits: limits)
    }
}

extension WorkspacePlan {
    init(row: StoredRow, workspace: WorkspaceID) throws {
        let overrides = (try? JSONDecoder().decode([String: Int].self, from: Data(try row.string("plan_overrides").utf8))) ?? [:]
        self.init(workspaceID: workspace, plan: try Plan(row: row), overrides: overrides)
    }

    static func encodedOverrides(_ overrides: [String: Int]) throws -> String {
        String(decoding: try JSONEncoder().encode(overrides), as: UTF8.self)
    }
}
