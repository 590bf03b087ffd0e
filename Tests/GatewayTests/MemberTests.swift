import Core
import Foundation
import Testing

@Suite("Members and roles")
struct MemberTests {
    @Test("inviting a new address creates a pending member who activates with the token")
    func inviteAndActivate() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let invite = try await client.post(
                "/console/api/workspaces/current/members/invite-email", token: owner.token,
                json: ["emails": ["new@example.com"], "role": "editor"]
            )
            let result = invite.json["invitation_results"][0]
            #expect(result["status"].string == "success")
            let token = try #require(result["token"].string)
            #expect(result["url"].string?.contains(token) == true)

            var members = try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array
            #expect(members.first { $0["email"].string == "new@example.com" }?["status"].string == "pending")
            // A pending account cannot sign in before activating.
            expectError(
                try await client.post("/console/api/login", json: ["email": "new@example.com", "password": "password123"]),
                .unauthorized, "unauthorized"
            )
            expectError(
                try await client.post("/console/api/activate", json: ["token": .string(token), "name": "New", "password": "weak"]),
                .badRequest, "invalid_param", field: "password"
            )
            let activated = try await client.post(
                "/console/api/activate", json: ["token": .string(token), "name": "New", "password": "password123"]
            )
            let access = try #require(activated.json["data"]["access_token"].string)
            let current = try await client.get("/console/api/workspaces/current", token: access)
            #expect(current.json["id"].string == owner.workspaceID)
            #expect(current.json["role"].string == "editor")
            // The token is spent.
            expectError(
                try await client.post("/console/api/activate", json: ["token": .string(token), "name": "New", "password": "password123"]),
                .badRequest, "invalid_param", field: "token"
            )
            members = try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array
            #expect(members.first { $0["email"].string == "new@example.com" }?["status"].string == "active")
        }
    }

    @Test("inviting an existing account adds it at once; inviting a member again fails for that address only")
    func inviteExistingAccount() async throws {
        try await withRelay(configure: { $0.allowsRegistration = true }) { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let bob = try await client.register("bob@example.com")
            let invite = try await client.post(
                "/console/api/workspaces/current/members/invite-email", token: owner.token,
                json: ["emails": ["bob@example.com", "owner@example.com"], "role": "normal"]
            )
            let results = invite.json["invitation_results"].array
            #expect(results[0]["status"].string == "success")
            #expect(results[0]["token"].isNull)
            #expect(results[1]["status"].string == "failed")
            let list = try await client.get("/console/api/workspaces", token: bob.token).json["workspaces"].array
            #expect(list.count == 2)
        }
    }

    @Test("invitations refuse bad roles and addresses")
    func inviteValidation() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let path = "/console/api/workspaces/current/members/invite-email"
            expectError(
                try await client.post(path, token: owner.token, json: ["emails": ["a@example.com"], "role": "owner"]),
                .badRequest, "invalid_param", field: "role"
            )
            expectError(
                try await client.post(path, token: owner.token, json: ["emails": ["a@example.com"], "role": "superuser"]),
                .badRequest, "invalid_param", field: "role"
            )
            expectError(
                try await client.post(path, token: owner.token, json: ["emails": ["not an email"], "role": "normal"]),
                .badRequest, "invalid_param", field: "email"
            )
            expectError(
                try await client.post(path, token: owner.token, json: ["emails": [], "role": "normal"]),
                .badRequest, "invalid_param", field: "emails"
            )
            expectError(
                try await client.post(path, token: owner.token, json: ["emails": [1], "role": "normal"]),
                .badRequest, "invalid_param", field: "emails[0]"
            )
        }
    }

    @Test("each role may do exactly what it should")
    func rolePermissions() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let admin = try await client.addMember("admin@example.com", role: "admin", to: owner)
            let editor = try await client.addMember("editor@example.com", role: "editor", to: owner)
            let normal = try await client.addMember("normal@example.com", role: "normal", to: owner)
            let app = try await client.createApp("Shared", as: owner)

            // Apps: editors and above change them; everyone reads them.
            expectError(
                try await client.post("/console/api/apps", token: normal.token, json: ["name": "N", "mode": "chat"]), .forbidden, "access_denied"
            )
            expectError(
                try await client.send(.put, "/console/api/apps/\(app)", token: normal.token, json: ["name": "X"]), .forbidden, "access_denied")
            expectError(try await client.send(.delete, "/console/api/apps/\(app)", token: normal.token), .forbidden, "access_denied")
            #expect(try await client.get("/console/api/apps/\(app)", token: normal.token).status == .ok)
            #expect(try await client.post("/console/api/apps", token: editor.token, json: ["name": "E", "mode": "workflow"]).status == .created)

            // Keys: owners and admins issue and revoke; editors may only see them; normal members not at all.
            expectError(try await client.post("/console/api/apps/\(app)/api-keys", token: editor.token), .forbidden, "access_denied")
            expectError(try await client.get("/console/api/apps/\(app)/api-keys", token: normal.token), .forbidden, "access_denied")
            #expect(try await client.get("/console/api/apps/\(app)/api-keys", token: editor.token).status == .ok)
            let key = try await client.issueKey(for: app, as: admin)
            expectError(
                try await client.send(.delete, "/console/api/apps/\(app)/api-keys/\(key.id)", token: editor.token), .forbidden, "access_denied"
            )
            expectError(
                try await client.post("/console/api/api-keys", token: editor.token, json: ["name": "k", "permissions": ["chat"]]),
                .forbidden, "access_denied"
            )

            // Members: owners and admins manage them; only owners touch owners.
            let members = try await client.get("/console/api/workspaces/current/members", token: normal.token).json["accounts"].array
            #expect(members.count == 4)
            let id = { (email: String) in members.first { $0["email"].string == email }?["id"].string ?? "" }
            let rolePath = { (email: String) in "/console/api/workspaces/current/members/\(id(email))/update-role" }
            expectError(
                try await client.post(
                    "/console/api/workspaces/current/members/invite-email", token: editor.token,
                    json: ["emails": ["x@example.com"], "role": "normal"]
                ), .forbidden, "access_denied"
            )
            expectError(
                try await client.send(.put, rolePath("normal@example.com"), token: editor.token, json: ["role": "admin"]), .forbidden, "access_denied"
            )
            #expect(try await client.send(.put, rolePath("normal@example.com"), token: admin.token, json: ["role": "editor"]).status == .ok)
            expectError(
                try await client.send(.put, rolePath("owner@example.com"), token: admin.token, json: ["role": "normal"]), .forbidden, "access_denied")
            expectError(
                try await client.send(.put, rolePath("editor@example.com"), token: admin.token, json: ["role": "owner"]), .forbidden, "access_denied")
            expectError(
                try await client.send(.delete, "/console/api/workspaces/current/members/\(id("owner@example.com"))", token: admin.token),
                .forbidden, "access_denied"
            )
            expectError(
                try await client.send(.put, rolePath("normal@example.com"), token: owner.token, json: ["role": "king"]), .badRequest, "invalid_param",
                field: "role")

            // The role change takes effect on the member's next request, with the same token.
            #expect(
                try await client.post("/console/api/apps", token: normal.token, json: ["name": "Now allowed", "mode": "chat"]).status == .created)
        }
    }

    @Test("the last owner can be neither demoted nor removed; with a second owner, either can leave")
    func lastOwner() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let members = try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array
            let ownerID = try #require(members.first?["id"].string)
            let demote = "/console/api/workspaces/current/members/\(ownerID)/update-role"
            expectError(try await client.send(.put, demote, token: owner.token, json: ["role": "admin"]), .forbidden, "access_denied")
            expectError(
                try await client.send(.delete, "/console/api/workspaces/current/members/\(ownerID)", token: owner.token), .forbidden, "access_denied"
            )
            let second = try await client.addMember("second@example.com", role: "admin", to: owner)
            let all = try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array
            let secondID = try #require(all.first { $0["email"].string == "second@example.com" }?["id"].string)
            #expect(
                try await client.send(
                    .put, "/console/api/workspaces/current/members/\(secondID)/update-role", token: owner.token, json: ["role": "owner"]
                )
                .status == .ok
            )
            #expect(try await client.send(.put, demote, token: second.token, json: ["role": "normal"]).status == .ok)
            let roles = try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array
            #expect(roles.filter { $0["role"].string == "owner" }.count == 1)
        }
    }

    @Test("a removed member loses the workspace at once but keeps the account")
    func removeMember() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let member = try await client.addMember("member@example.com", role: "editor", to: owner)
            let members = try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array
            let memberID = try #require(members.first { $0["email"].string == "member@example.com" }?["id"].string)
            let removed = try await client.send(.delete, "/console/api/workspaces/current/members/\(memberID)", token: owner.token)
            #expect(removed.json["result"].string == "success")
            expectError(try await client.get("/console/api/apps", token: member.token), .forbidden, "access_denied")
            #expect(try await client.get("/console/api/workspaces", token: member.token).json["workspaces"].array.isEmpty)
            expectError(
                try await client.send(.delete, "/console/api/workspaces/current/members/\(memberID)", token: owner.token), .notFound, "not_found"
            )
            // Signing in again is refused with a clear reason rather than a session with no workspace.
            expectError(
                try await client.post("/console/api/login", json: ["email": "member@example.com", "password": .string(RelayClient.password)]),
                .forbidden, "access_denied"
            )
        }
    }
}
