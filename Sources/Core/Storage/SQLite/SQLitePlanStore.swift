import Foundation
import GRDB

struct SQLitePlanStore: PlanStore {
    let writer: any DatabaseWriter

    func plans() async throws -> [Plan] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(PlanColumns.select("p")) FROM plan p ORDER BY p.rpm = 0, p.rpm, p.name")
                .map { try Plan(row: $0) }
        }
    }

    func define(_ name: String, limits changes: [String: Int]) async throws -> Plan {
        try await writer.write { db in
            let existing = try Row.fetchOne(db, sql: "SELECT \(PlanColumns.select("p")) FROM plan p WHERE p.name = ?", arguments: [name])
            let plan = Plan(name: name, limits: (try existing.map { try Plan(row: $0).limits } ?? PlanLimits()).applying(changes))
            let names = PlanLimits.keys.map(\.name)
            let values: [any DatabaseValueConvertible] = [plan.name] + PlanLimits.keys.map { plan.limits[keyPath: $0.path] }
            try db.execute(
                sql: """
                    INSERT INTO plan (name, \(names.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))
                    ON CONFLICT (name) DO UPDATE SET \(names.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
                    """,
                arguments: StatementArguments(values)
            )
            return plan
        }
    }

    func workspacePlan(_ workspace: WorkspaceID) async throws -> WorkspacePlan? {
        try await writer.read { db in try Self.workspacePlan(workspace, db) }
    }

    func assign(_ plan: String, overrides: [String: Int], to workspace: WorkspaceID) async throws {
        let encoded = try WorkspacePlan.encodedOverrides(overrides)
        try await writer.write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM plan WHERE name = ?", arguments: [plan]) == 1 else {
                throw RelayError.notFound("Plan '\(plan)' not found")
            }
            try db.execute(
                sql: "UPDATE workspace SET plan = ?, plan_overrides = ? WHERE id = ?", arguments: [plan, encoded, workspace.description]
            )
            guard db.changesCount > 0 else { throw RelayError.notFound("Workspace \(workspace) not found") }
        }
    }

    func resourceCounts(of workspace: WorkspaceID) async throws -> ResourceCounts {
        try await writer.read { db in
            ResourceCounts(members: try Self.memberCount(workspace, db), apps: try Self.appCount(workspace, db))
        }
    }

    static func workspacePlan(_ workspace: WorkspaceID, _ db: Database) throws -> WorkspacePlan? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: "SELECT w.plan_overrides, \(PlanColumns.select("p")) FROM workspace w JOIN plan p ON p.name = w.plan WHERE w.id = ?"
            ),
            arguments: [workspace.description]
        ).map { try WorkspacePlan(row: $0, workspace: workspace) }
    }

    static func memberCount(_ workspace: WorkspaceID, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM membership WHERE workspace_id = ?", arguments: [workspace.description]) ?? 0
    }

    static func appCount(_ workspace: WorkspaceID, _ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM app WHERE workspace_id = ?", arguments: [workspace.description]) ?? 0
    }

    /// Refuses with 403 `forbidden` when adding one more would exceed the workspace's plan. Call inside the write
    /// that adds it, so concurrent additions cannot overshoot.
    static func requireRoom(
        for resource: String, _ limit: KeyPath<PlanLimits, Int>, in workspace: WorkspaceID, counting count: (Database) throws -> Int,
        _ db: Database
    ) throws {
        guard let plan = try workspacePlan(workspace, db) else { return }
        let allowed = plan.limits[keyPath: limit]
        guard allowed > 0, try count(db) >= allowed else { return }
        throw RelayError.planLimit(resource, allowed: allowed, plan: plan.plan.name)
    }
}
