import Foundation
import PostgresNIO

struct PostgresPlanStore: PlanStore {
    let database: PostgresDatabase

    func plans() async throws -> [Plan] {
        try await database.rows("SELECT \(unescaped: PlanColumns.select("p")) FROM plan p ORDER BY p.rpm = 0, p.rpm, p.name")
            .map { try Plan(row: $0) }
    }

    func define(_ name: String, limits changes: [String: Int]) async throws -> Plan {
        try await database.transaction(.none) { connection in
            // Concurrent changes of one plan take turns on its row (or, for a new plan, on its name).
            try await connection.run("SELECT pg_advisory_xact_lock(hashtext('plan:' || \(name)))", logger: database.logger)
            let existing = try await connection.rows(
                "SELECT \(unescaped: PlanColumns.select("p")) FROM plan p WHERE p.name = \(name)", logger: database.logger
            ).first
            let plan = Plan(name: name, limits: (try existing.map { try Plan(row: $0).limits } ?? PlanLimits()).applying(changes))
            var query = PostgresQuery(unsafeSQL: "")
            var bindings = PostgresBindings()
            bindings.append(plan.name)
            for key in PlanLimits.keys { bindings.append(plan.limits[keyPath: key.path]) }
            let names = PlanLimits.keys.map(\.name)
            query = PostgresQuery(
                unsafeSQL: """
                    INSERT INTO plan (name, \(names.joined(separator: ", ")))
                    VALUES (\((1...bindings.count).map { "$\($0)" }.joined(separator: ", ")))
                    ON CONFLICT (name) DO UPDATE SET \(names.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
                    """,
                binds: bindings
            )
            try await connection.run(query, logger: database.logger)
            return plan
        }
    }

    func workspacePlan(_ workspace: WorkspaceID) async throws -> WorkspacePlan? {
        try await database.transaction(.workspace(workspace)) { connection in
            try await Self.workspacePlan(workspace, connection, database)
        }
    }

    func assign(_ plan: String, overrides: [String: Int], to workspace: WorkspaceID) async throws {
        let encoded = try WorkspacePlan.encodedOverrides(overrides)
        try await database.transaction(.workspace(workspace)) { connection in
            guard try await !connection.rows("SELECT 1 FROM plan WHERE name = \(plan)", logger: database.logger).isEmpty else {
                throw RelayError.notFound("Plan '\(plan)' not found")
            }
            let changed = try await connection.changes(
                "UPDATE workspace SET plan = \(plan), plan_overrides = \(encoded) WHERE id = \(workspace.description) RETURNING id",
                logger: database.logger
            )
            guard changed > 0 else { throw RelayError.notFound("Workspace \(workspace) not found") }
        }
    }

    func resourceCounts(of workspace: WorkspaceID) async throws -> ResourceCounts {
        try await database.transaction(.workspace(workspace)) { connection in
            let row = try await connection.rows(
                """
                SELECT (SELECT COUNT(*) FROM membership WHERE workspace_id = \(workspace.description)) AS members,
                (SELECT COUNT(*) FROM app WHERE workspace_id = \(workspace.description)) AS apps
                """,
                logger: database.logger
            ).first
            return ResourceCounts(members: try row?.int("members") ?? 0, apps: try row?.int("apps") ?? 0)
        }
    }

    static func workspacePlan(_ workspace: WorkspaceID, _ connection: PostgresConnection, _ database: PostgresDatabase) async throws
        -> WorkspacePlan?
    {
        try await connection.rows(
            """
            SELECT w.plan_overrides, \(unescaped: PlanColumns.select("p")) FROM workspace w JOIN plan p ON p.name = w.plan
            WHERE w.id = \(workspace.description)
            """,
            logger: database.logger
        ).first.map { try WorkspacePlan(row: $0, workspace: workspace) }
    }

    /// Makes the transaction's changes to what a workspace holds take turns with every other such change: what SQLite's
    /// single writer gives for free, so that a count checked against a quota still holds at commit.
    static func lockWorkspace(_ workspace: WorkspaceID, _ connection: PostgresConnection, _ database: PostgresDatabase) async throws {
        try await connection.run("SELECT 1 FROM workspace WHERE id = \(workspace.description) FOR UPDATE", logger: database.logger)
    }

    /// Refuses with 403 `forbidden` when adding one more would exceed the workspace's plan; `count` selects the current
    /// number as `n`. Call after `lockWorkspace`, inside the transaction that adds it.
    static func requireRoom(
        for resource: String, _ limit: KeyPath<PlanLimits, Int>, in workspace: WorkspaceID, count: PostgresQuery,
        _ connection: PostgresConnection, _ database: PostgresDatabase
    ) async throws {
        guard let plan = try await workspacePlan(workspace, connection, database) else { return }
        let allowed = plan.limits[keyPath: limit]
        guard allowed > 0 else { return }
        let current = try await connection.rows(count, logger: database.logger).first?.int("n") ?? 0
        guard current >= allowed else { return }
        throw RelayError.planLimit(resource, allowed: allowed, plan: plan.plan.name)
    }
}
