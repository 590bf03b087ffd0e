import Core
import Foundation
import HTTPTypes
import Testing

/// A signed-in console user in their current workspace.
struct Owner: Sendable {
    let email: String
    let token: String
    let refreshToken: String
    let workspaceID: String
}

extension RelayClient {
    static let password = "correct horse 1"
    static let adminKey = "operator-key-for-tests"

    /// Puts the owner's workspace on `plan` through the operator API, with optional overrides.
    @discardableResult
    func setPlan(_ plan: String, overrides: JSONValue = [:], for owner: Owner) async throws -> Reply {
        let reply = try await send(
            .put, "/admin/api/workspace/plan", token: Self.adminKey, json: ["plan": .string(plan), "overrides": overrides],
            headers: ["X-WORKSPACE-ID": owner.workspaceID]
        )
        try #require(reply.status == .ok, "set plan: \(reply.json)")
        return reply
    }

    /// Runs first-run setup and signs its owner in.
    func setUpOwner(_ email: String = "owner@example.com", name: String = "Owner") async throws -> Owner {
        let setup = try await post("/console/api/setup", json: ["email": .string(email), "name": .string(name), "password": .string(Self.password)])
        try #require(setup.status == .created, "setup: \(setup.json)")
        return try await signIn(email)
    }

    /// Registers a new account with its own workspace (registration must be allowed) and signs it in.
    func register(_ email: String, name: String = "Someone") async throws -> Owner {
        let reply = try await post(
            "/console/api/register", json: ["email": .string(email), "name": .string(name), "password": .string(Self.password)])
        try #require(reply.status == .created, "register: \(reply.json)")
        return try await signIn(email)
    }

    func signIn(_ email: String, password: String = RelayClient.password) async throws -> Owner {
        let reply = try await post("/console/api/login", json: ["email": .string(email), "password": .string(password)])
        try #require(reply.status == .ok, "login: \(reply.json)")
        let token = try #require(reply.json["data"]["access_token"].string)
        let current = try await get("/console/api/workspaces/current", token: token)
        return Owner(
            email: email, token: token, refreshToken: try #require(reply.json["data"]["refresh_token"].string),
            workspaceID: try #require(current.json["id"].string)
        )
    }

    func createApp(_ name: String, mode: String = "chat", as owner: Owner) async throws -> String {
        let reply = try await post("/console/api/apps", token: owner.token, json: ["name": .string(name), "mode": .string(mode)])
        try #require(reply.status == .created, "create app: \(reply.json)")
        return try #require(reply.json["id"].string)
    }

    /// Issues an app key and returns (key id, full secret).
    func issueKey(for app: String, as owner: Owner) async throws -> (id: String, secret: String) {
        let reply = try await post("/console/api/apps/\(app)/api-keys", token: owner.token)
        try #require(reply.status == .created, "issue key: \(reply.json)")
        return (try #require(reply.json["id"].string), try #require(reply.json["token"].string))
    }

    /// Invites `email` to the owner's workspace as `role`, activates the account and signs it in there.
    func addMember(_ email: String, role: String, to owner: Owner) async throws -> Owner {
        let invite = try await post(
            "/console/api/workspaces/current/members/invite-email", token: owner.token,
            json: ["emails": [.string(email)], "role": .string(role)]
        )
        try #require(invite.status == .ok, "invite: \(invite.json)")
        let token = try #require(invite.json["invitation_results"][0]["token"].string)
        let activated = try await post(
            "/console/api/activate", json: ["token": .string(token), "name": "Member", "password": .string(Self.password)]
        )
        try #require(activated.status == .ok, "activate: \(activated.json)")
        return try await signIn(email)
    }
}

/// Checks the uniform error body and status.
func expectError(
    _ reply: Reply, _ status: HTTPResponse.Status, _ code: String, field: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "\(reply.json)", sourceLocation: sourceLocation)
    #expect(reply.code == code, "\(reply.json)", sourceLocation: sourceLocation)
    #expect(reply.json["status"].int == Int(status.code), sourceLocation: sourceLocation)
    #expect(reply.message?.isEmpty == false, sourceLocation: sourceLocation)
    if let field {
        #expect(reply.json["details"]["field"].string == field, "\(reply.json)", sourceLocation: sourceLocation)
    }
    #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
}
