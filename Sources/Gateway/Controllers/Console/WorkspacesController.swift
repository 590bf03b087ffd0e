import Core
import Foundation
import Hummingbird
import Tenancy

/// The caller's workspaces: the current one, the list, creating another and switching between them.
struct WorkspacesController {
    let workspaces: WorkspaceService

    struct CreateRequest: Decodable {
        let name: String
    }

    struct SwitchRequest: Decodable {
        let tenant_id: String
    }

    /// A workspace as its member sees it (Dify's `TenantInfo`).
    struct WorkspaceBody: ResponseCodableBody {
        let id: String
        let name: String
        let plan: String
        let status: String
        let created_at: Int
        let role: String
        let in_trial: Bool
        let trial_end_at: JSONValue
        let current: Bool?

        init(_ membership: WorkspaceMembership, current: Bool? = nil) {
            self.id = membership.workspace.id.description
            self.name = membership.workspace.name
            self.plan = membership.workspace.plan
            self.status = membership.workspace.status
            self.created_at = Int(membership.workspace.createdAt.timeIntervalSince1970)
            self.role = membership.role.rawValue
            self.in_trial = false
            self.trial_end_at = .null
            self.current = current
        }
    }

    struct WorkspaceList: ResponseCodableBody {
        let workspaces: [WorkspaceBody]
    }

    struct SwitchBody: ResponseCodableBody {
        struct Token: Encodable {
            let access_token: String
            let expires_in: Int
        }

        let result: String
        let new_tenant: WorkspaceBody
        let data: Token
    }

    func addAccountRoutes(to group: RouterGroup<AccountContext>) {
        group.get("workspaces") { _, context in
            let memberships = try await workspaces.list(for: context.grant.account.id)
            return WorkspaceList(
                workspaces: memberships.map { WorkspaceBody($0, current: $0.workspace.id == context.grant.workspaceID) }
            )
        }
        group.post("workspaces") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: CreateRequest.self)
            let membership = try await workspaces.create(named: body.name, by: context.grant.account.id)
            return EditedResponse(status: .created, response: WorkspaceBody(membership, current: false))
        }
        group.post("workspaces/switch") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: SwitchRequest.self)
            let target = try WorkspaceID.parse(body.tenant_id, field: "tenant_id")
            let switched = try await workspaces.switchTo(target, for: context.grant)
            return SwitchBody(
                result: "success", new_tenant: WorkspaceBody(switched.membership, current: true),
                data: .init(access_token: switched.accessToken, expires_in: switched.expiresIn)
            )
        }
    }

    func addWorkspaceRoutes(to group: RouterGroup<WorkspaceContext>) {
        // Dify moved this read to POST; both answer the same.
        for method in [HTTPRequest.Method.get, .post] {
            group.on("workspaces/current", method: method) { _, context in
                WorkspaceBody(try await workspaces.current(context.scope))
            }
        }
    }
}
