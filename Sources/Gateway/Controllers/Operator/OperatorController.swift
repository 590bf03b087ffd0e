import Core
import Foundation
import HTTPTypes
import Hummingbird
import Tenancy

/// The operator API under `/admin/api`: plans, and which plan each workspace is on. Guarded by the admin key.
struct OperatorController {
    static let workspaceHeader = HTTPField.Name("X-WORKSPACE-ID")!
    let services: RelayServices

    struct PlanRequest: Decodable {
        let limits: [String: JSONInteger]
    }

    struct AssignRequest: Decodable {
        let plan: String
        let overrides: [String: JSONInteger]?
    }

    struct PlanBody: ResponseCodableBody {
        let name: String
        let limits: [String: Int]

        init(_ plan: Plan) {
            name = plan.name
            limits = Dictionary(uniqueKeysWithValues: PlanLimits.keys.map { ($0.name, plan.limits[keyPath: $0.path]) })
        }
    }

    struct PlanList: ResponseCodableBody {
        let data: [PlanBody]
    }

    func addRoutes(to group: RouterGroup<RelayRequestContext>) {
        group.get("plans") { _, _ in
            PlanList(data: try await services.plans.plans().map(PlanBody.init))
        }
        group.put("plans/:name") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: PlanRequest.self)
            let plan = try await services.plans.define(try context.parameters.require("name"), limits: body.limits.mapValues(\.value))
            services.apiKeys.forgetCachedGrants()
            return PlanBody(plan)
        }
        // Dify's admin key names the workspace in `X-WORKSPACE-ID`; a path parameter works too.
        group.put("workspace/plan") { request, _ in
            try await assign(request, to: try Self.workspace(in: request))
        }
        group.put("workspaces/:workspace_id/plan") { request, context in
            try await assign(request, to: try context.id("workspace_id"))
        }
        group.get("workspace/usage") { request, _ in
            try await UsageReport.make(for: try Self.workspace(in: request), services: services)
        }
        group.get("workspaces/:workspace_id/usage") { _, context in
            try await UsageReport.make(for: try context.id("workspace_id"), services: services)
        }
    }

    private func assign(_ request: Request, to workspace: WorkspaceID) async throws -> UsageReport {
        var request = request
        let body = try await request.decodeJSON(as: AssignRequest.self)
        _ = try await services.plans.assign(body.plan, overrides: (body.overrides ?? [:]).mapValues(\.value), to: workspace)
        services.apiKeys.forgetCachedGrants()
        return try await UsageReport.make(for: workspace, services: services)
    }

    static func workspace(in request: Request) throws -> WorkspaceID {
        guard let header = request.headers[workspaceHeader], !header.isEmpty else {
            throw RelayError.invalidParam("X-WORKSPACE-ID", "Name the workspace in the X-WORKSPACE-ID header", type: "required")
        }
        return try WorkspaceID.parse(header, field: "X-WORKSPACE-ID")
    }
}
