public import Core
import Foundation

/// Plans as data: listing and defining them, and putting workspaces on them. Operator actions, not a member's.
public struct PlanService: Sendable {
    let store: PlanStore

    public init(store: PlanStore) {
        self.store = store
    }

    public func plans() async throws -> [Plan] {
        try await store.plans()
    }

    /// Creates a plan or changes some of its limits; limits not named keep their value (0, unlimited, for a new plan).
    public func define(_ name: String, limits changes: [String: Int]) async throws -> Plan {
        let name = try TextRules.required(name, field: "name", maxLength: 40)
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw RelayError.invalidParam("name", "A plan name may hold letters, digits, '-' and '_' only")
        }
        try PlanLimits.validate(changes, field: "limits")
        return try await store.define(name, limits: changes)
    }

    /// Puts a workspace on a plan, replacing its overrides. Takes effect without a restart.
    public func assign(_ plan: String, overrides: [String: Int], to workspace: WorkspaceID) async throws -> WorkspacePlan {
        try PlanLimits.validate(overrides, field: "overrides")
        try await store.assign(plan, overrides: overrides, to: workspace)
        return try await workspacePlan(workspace)
    }

    public func workspacePlan(_ workspace: WorkspaceID) async throws -> WorkspacePlan {
        guard let plan = try await store.workspacePlan(workspace) else { throw RelayError.notFound("Workspace \(workspace) not found") }
        return plan
    }

    public func resourceCounts(of workspace: WorkspaceID) async throws -> ResourceCounts {
        try await store.resourceCounts(of: workspace)
    }
}
