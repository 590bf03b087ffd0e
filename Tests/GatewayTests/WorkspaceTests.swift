import Core
import Foundation
import Testing

@Suite("Workspaces: current, list, create, switch")
struct WorkspaceTests {
    @Test("an account creates a second workspace, lists both and switches between them")
    func createListSwitch() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let created = try await client.post("/console/api/workspaces", token: owner.token, json: ["name": "Second"])
            #expect(created.status == .created)
            #expect(created.json["role"].string == "owner")
            let secondID = try #require(created.json["id"].string)

            let list = try await client.get("/console/api/workspaces", token: owner.token)
            let workspaces = list.json["workspaces"].array
            #expect(workspaces.count == 2)
            #expect(workspaces.first { $0["current"].bool == true }?["id"].string == owner.workspaceID)

            let switched = try await client.post("/console/api/workspaces/switch", token: owner.token, json: ["tenant_id": .string(secondID)])
            #expect(switched.json["result"].string == "success")
            #expect(switched.json["new_tenant"]["id"].string == secondID)
            let token = try #require(switched.json["data"]["access_token"].string)
            let current = try await client.post("/console/api/workspaces/current", token: token)
            #expect(current.json["id"].string == secondID)
            #expect(current.json["name"].string == "Second")

            // Apps are per workspace: the second one starts empty.
            _ = try await client.createApp("Only in first", as: owner)
            #expect(try await client.get("/console/api/apps", token: token).json["total"].int == 0)

            // Refreshing the session keeps the switched-to workspace, and so does the next sign-in.
            let refreshed = try await client.post("/console/api/refresh-token", json: ["refresh_token": .string(owner.refreshToken)])
            let refreshedToken = try #require(refreshed.json["data"]["access_token"].string)
            #expect(try await client.get("/console/api/workspaces/current", token: refreshedToken).json["id"].string == secondID)
            #expect(try await client.signIn(owner.email).workspaceID == secondID)
        }
    }

    @Test("switching to a workspace the account is not in answers 404")
    func switchToForeignWorkspace() async throws {
        try await withRelay(configure: { $0.allowsRegistration = true }) { client in
            let alice = try await client.setUpOwner("alice@example.com")
            let bob = try await client.register("bob@example.com")
            let reply = try await client.post("/console/api/workspaces/switch", token: bob.token, json: ["tenant_id": .string(alice.workspaceID)])
            expectError(reply, .notFound, "not_found")
            expectError(
                try await client.post("/console/api/workspaces/switch", token: bob.token, json: ["tenant_id": "nope"]),
                .badRequest, "invalid_param", field: "tenant_id"
            )
            expectError(
                try await client.post("/console/api/workspaces", token: bob.token, json: ["name": ""]),
                .badRequest, "invalid_param", field: "name"
            )
        }
    }
}
