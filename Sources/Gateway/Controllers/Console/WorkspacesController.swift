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
        let tenantID: String

        enum CodingKeys: String, CodingKey {
            case tenantID = "tenant_id"
        }
    }

    /// A workspace as its member sees it (Dify's `TenantInfo`).
    struct WorkspaceBody: ResponseCodableBody {
        let id: String
        let name: String
        let plan: String
        let status: String
        let createdAt: Int
        let role: String
        let inTrial: Bool
        let trialEndAt: JSONValue
        let current: Bool?

        enum CodingKeys: String, CodingKey {
            case id, name, plan, status
            case createdAt = "created_at"
            case role
            case inTrial = "in_trial"
            case trialEndAt = "trial_end_at"
            case current
        }

        init(_ membership: WorkspaceMembership, current: Bool? = nil) {
            self.id = membership.workspace.id.description
            self.name = membership.workspace.name
            self.plan = membership.workspace.plan
            self.status = membership.workspace.status
            self.createdAt = Int(membership.workspace.createdAt.timeIntervalSince1970)
            self.role = membership.role.rawValue
            self.inTrial = false
            self.trialEndAt = .null
            self.current = current
        }
    }

    struct WorkspaceList: ResponseCodableBody {
        let workspaces: [WorkspaceBody]
    }

    struct SwitchBody: ResponseCodableBody {
        struct Token: Encodable {
            let accessToken: String
            let expiresIn: Int

            enum CodingKeys: String, CodingKey {
                case accessToken = "access_token"
                case expiresIn = "expires_in"
            }
        }

        let result: String
        let newTenant: WorkspaceBody
        let data: Token

        enum CodingKeys: String, CodingKey {
            case result
            case newTenant = "new_tenant"
            case data
        }
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
            let target = try WorkspaceID.parse(body.tenantID, field: "tenant_id")
            let switched = try await workspaces.switchTo(target, for: context.grant)
            return SwitchBody(
                result: "success", newTenant: WorkspaceBody(switched.membership, current: true),
                data: .init(accessToken: switched.accessToken, expiresIn: switched.expiresIn)
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
