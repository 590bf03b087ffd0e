import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Workspace isolation")
struct IsolationTests {
    @Test("every route answers 404 to another workspace's ids and changes nothing of it")
    func otherWorkspaceIDs() async throws {
        try await withRelay(configure: { $0.allowsRegistration = true }) { client in
            let alice = try await client.setUpOwner("alice@example.com")
            let bob = try await client.register("bob@example.com")
            let aliceApp = try await client.createApp("Alice's app", as: alice)
            let aliceKey = try await client.issueKey(for: aliceApp, as: alice)
            let aliceWorkspaceKey = try await client.post(
                "/console/api/api-keys", token: alice.token, json: ["name": "A", "permissions": ["chat"]]
            )
            let aliceWorkspaceKeyID = try #require(aliceWorkspaceKey.json["id"].string)
            let aliceMembers = try await client.get("/console/api/workspaces/current/members", token: alice.token).json["accounts"].array
            let aliceID = try #require(aliceMembers.first?["id"].string)
            let bobApp = try await client.createApp("Bob's app", as: bob)
            let bobWorkspaceKey = try await client.post(
                "/console/api/api-keys", token: bob.token, json: ["name": "B", "permissions": ["chat"]]
            )
            let bobWorkspaceSecret = try #require(bobWorkspaceKey.json["token"].string)

            let attempts: [(HTTPRequest.Method, String, JSONValue?)] = [
                (.get, "/console/api/apps/\(aliceApp)", nil),
                (.put, "/console/api/apps/\(aliceApp)", ["name": "Taken over", "enable_api": false]),
                (.delete, "/console/api/apps/\(aliceApp)", nil),
                (.get, "/console/api/apps/\(aliceApp)/api-keys", nil),
                (.post, "/console/api/apps/\(aliceApp)/api-keys", nil),
                (.delete, "/console/api/apps/\(aliceApp)/api-keys/\(aliceKey.id)", nil),
                (.delete, "/console/api/apps/\(bobApp)/api-keys/\(aliceKey.id)", nil),
                (.delete, "/console/api/api-keys/\(aliceWorkspaceKeyID)", nil),
                (.put, "/console/api/workspaces/current/members/\(aliceID)/update-role", ["role": "normal"]),
                (.delete, "/console/api/workspaces/current/members/\(aliceID)", nil),
                (.post, "/console/api/workspaces/switch", ["tenant_id": .string(alice.workspaceID)]),
            ]
            for (method, path, body) in attempts {
                let reply = try await client.send(method, path, token: bob.token, json: body)
                expectError(reply, .notFound, "not_found")
                #expect(!"\(reply.json)".contains("Alice"), "\(path) leaked: \(reply.json)")
            }
            // Bob's workspace key cannot reach Alice's app by naming it.
            expectError(try await client.get("/v1/info", token: bobWorkspaceSecret, headers: ["X-App-Id": aliceApp]), .notFound, "not_found")
            // Bob's lists hold only Bob's things.
            #expect(try await client.get("/console/api/apps", token: bob.token).json["data"].array.compactMap { $0["name"].string } == ["Bob's app"])
            #expect(try await client.get("/console/api/api-keys", token: bob.token).json["data"].array.count == 1)
            #expect(try await client.get("/console/api/workspaces/current/members", token: bob.token).json["accounts"].array.count == 1)

            // Alice's things are exactly as they were.
            let app = try await client.get("/console/api/apps/\(aliceApp)", token: alice.token).json
            #expect(app["name"].string == "Alice's app" && app["enable_api"].bool == true)
            #expect(try await client.get("/console/api/apps/\(aliceApp)/api-keys", token: alice.token).json["data"].array.count == 1)
            #expect(try await client.get("/v1/info", token: aliceKey.secret).status == .ok)
            let members = try await client.get("/console/api/workspaces/current/members", token: alice.token).json["accounts"].array
            #expect(members.count == 1 && members[0]["role"].string == "owner")
            #expect(try await client.get("/console/api/api-keys", token: alice.token).json["data"].array.count == 1)
        }
    }

    @Test("workflow routes answer 404 to another workspace's apps, versions and runs, and change nothing of them")
    func otherWorkspaceWorkflows() async throws {
        try await withRelay(configure: { $0.allowsRegistration = true }) { client in
            let alice = try await client.setUpOwner("alice@example.com")
            let bob = try await client.register("bob@example.com")
            let flow = try await client.workflowApp(WorkflowDraftTests.passthrough, owner: alice)
            let run = try await client.runWorkflow(flow, ["query": "mine"]).json
            let runID = try #require(run["workflow_run_id"].string)
            let task = try #require(run["task_id"].string)
            let version = try #require(
                try await client.get("/console/api/apps/\(flow.id)/workflows", token: alice.token).json["items"][0]["id"].string
            )
            let hash = try #require(try await client.get("/console/api/apps/\(flow.id)/workflows/draft", token: alice.token).json["hash"].string)

            let attempts: [(HTTPRequest.Method, String, JSONValue?)] = [
                (.get, "/console/api/apps/\(flow.id)/workflows/draft", nil),
                (.post, "/console/api/apps/\(flow.id)/workflows/draft", ["graph": WorkflowDraftTests.passthrough, "hash": .string(hash)]),
                (.post, "/console/api/apps/\(flow.id)/workflows/publish", nil),
                (.get, "/console/api/apps/\(flow.id)/workflows", nil),
                (.post, "/console/api/apps/\(flow.id)/workflows/\(version)/restore", nil),
                (.post, "/console/api/apps/\(flow.id)/workflows/draft/run", ["inputs": ["query": "x"]]),
                (.get, "/console/api/apps/\(flow.id)/workflow-runs/\(runID)", nil),
                (.get, "/console/api/apps/\(flow.id)/workflow-runs/\(runID)/node-executions", nil),
            ]
            for (method, path, body) in attempts {
                let reply = try await client.send(method, path, token: bob.token, json: body)
                expectError(reply, .notFound, "not_found")
            }
            // Bob's own workflow app's key reaches none of Alice's runs.
            let bobs = try await client.workflowApp(WorkflowDraftTests.passthrough, owner: bob)
            expectError(try await client.get("/v1/workflows/run/\(runID)", token: bobs.key), .notFound, "not_found")
            expectError(try await client.post("/v1/workflows/tasks/\(task)/stop", token: bobs.key, json: ["user": "alice"]), .notFound, "not_found")
            #expect(try await client.get("/v1/workflows/logs", token: bobs.key).json["total"] == 0)

            // Alice's workflow is as it was: one version, the same draft, the run readable.
            #expect(try await client.get("/console/api/apps/\(flow.id)/workflows", token: alice.token).json["total"] == 1)
            #expect(try await client.get("/console/api/apps/\(flow.id)/workflows/draft", token: alice.token).json["hash"].string == hash)
            #expect(try await client.get("/v1/workflows/run/\(runID)", token: flow.key).json["outputs"] == ["query": "mine"])
        }
    }
}
