import Core
import Foundation
import Hummingbird
import Tenancy

/// The members of the current workspace: listing, inviting, changing roles and removing.
struct MembersController {
    let members: MemberService

    struct InviteRequest: Decodable {
        let emails: [String]
        let role: String
    }

    struct RoleRequest: Decodable {
        let role: String
    }

    struct MemberBody: Encodable {
        let id: String
        let name: String
        let email: String
        let avatar: JSONValue
        let lastLoginAt: Int?
        let createdAt: Int
        let role: String
        let status: String

        enum CodingKeys: String, CodingKey {
            case id, name, email, avatar
            case lastLoginAt = "last_login_at"
            case createdAt = "created_at"
            case role, status
        }
    }

    struct MemberList: ResponseCodableBody {
        let result: String
        let accounts: [MemberBody]
    }

    struct InvitationBody: Encodable {
        let status: String
        let email: String
        /// Where the invitee activates their account; carries the token, which is shown only here.
        let url: String?
        let token: String?
        let message: String?
    }

    struct InvitationList: ResponseCodableBody {
        let result: String
        let invitationResults: [InvitationBody]
        let tenantID: String

        enum CodingKeys: String, CodingKey {
            case result
            case invitationResults = "invitation_results"
            case tenantID = "tenant_id"
        }
    }

    func addRoutes(to group: RouterGroup<WorkspaceContext>) {
        group.get("workspaces/current/members") { _, context in
            let members = try await members.members(in: context.scope)
            return MemberList(
                result: "success",
                accounts: members.map { member in
                    MemberBody(
                        id: member.account.id.description, name: member.account.name, email: member.account.email,
                        avatar: .null, lastLoginAt: member.account.lastLoginAt.map { Int($0.timeIntervalSince1970) },
                        createdAt: Int(member.joinedAt.timeIntervalSince1970), role: member.role.rawValue,
                        status: member.account.status.rawValue
                    )
                }
            )
        }
        group.post("workspaces/current/members/invite-email") { request, context in
            var request = request
            let body = try await request.decodeJSON(as: InviteRequest.self)
            let role: Role = try parseEnum(body.role, field: "role")
            let results = try await members.invite(body.emails, as: role, in: context.scope)
            return InvitationList(
                result: "success",
                invitationResults: results.map { result in
                    InvitationBody(
                        status: result.status.rawValue, email: result.email,
                        url: result.activationToken.map { Self.activationURL(email: result.email, token: $0) },
                        token: result.activationToken, message: result.message
                    )
                },
                tenantID: context.scope.workspaceID.description
            )
        }
        group.put("workspaces/current/members/:member_id/update-role") { request, context in
            var request = request
            let member: AccountID = try context.id("member_id")
            let body = try await request.decodeJSON(as: RoleRequest.self)
            try await members.changeRole(of: member, to: try parseEnum(body.role, field: "role"), in: context.scope)
            return SuccessBody()
        }
        group.delete("workspaces/current/members/:member_id") { _, context in
            try await members.remove(try context.id("member_id"), in: context.scope)
            return SuccessBody()
        }
    }

    static func activationURL(email: String, token: String) -> String {
        var components = URLComponents()
        components.path = "/activate"
        components.queryItems = [URLQueryItem(name: "email", value: email), URLQueryItem(name: "token", value: token)]
        return components.string ?? "/activate"
    }
}
