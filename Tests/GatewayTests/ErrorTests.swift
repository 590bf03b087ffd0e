import Core
import Foundation
import HTTPTypes
import Testing

@Suite("The uniform error body")
struct ErrorTests {
    @Test("malformed, empty, non-object and oversized bodies are client errors, never 500")
    func badBodies() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            for raw in ["{", "", "[1,2]", "\"text\"", "null", "{\"name\": \"A\", \"mode\": \"chat\"", "{\"name\": \"A\" \"mode\": 1}"] {
                let reply = try await client.send(.post, "/console/api/apps", token: owner.token, raw: raw)
                expectError(reply, .badRequest, "invalid_param", field: "body")
            }
            expectError(
                try await client.send(.post, "/console/api/apps", token: owner.token, json: ["name": nil, "mode": "chat"]),
                .badRequest, "invalid_param", field: "name"
            )
            let huge = String(repeating: "x", count: 2 << 20)
            let tooLarge = try await client.send(.post, "/console/api/apps", token: owner.token, json: ["name": .string(huge), "mode": "chat"])
            expectError(tooLarge, .contentTooLarge, "payload_too_large")
            #expect(try await client.get("/console/api/apps", token: owner.token).json["total"].int == 0)
        }
    }

    @Test("unknown routes get the uniform 404, with a request id")
    func unknownRoutes() async throws {
        try await withRelay { client in
            for path in ["/nothing", "/console/api/nothing", "/v1/nothing", "/console/api/apps/x/y/z"] {
                let reply = try await client.get(path)
                #expect(reply.status == .notFound || reply.status == .unauthorized, "\(path): \(reply.json)")
                #expect(reply.code != nil)
                #expect(reply.header("X-Request-Id")?.isEmpty == false)
            }
            expectError(try await client.get("/nothing"), .notFound, "not_found")
        }
    }

    @Test("a route asked with a method it does not serve is a 405 naming the methods it does, with or without parameters")
    func methodNotAllowed() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let info = try await client.send(.delete, "/v1/info")
            expectError(info, .methodNotAllowed, "method_not_allowed")
            #expect(info.header("Allow") == "GET")
            let apps = try await client.send(.put, "/console/api/apps", token: owner.token)
            #expect(apps.header("Allow") == "GET, POST", "\(apps.json)")
            let app = try await client.send(.post, "/console/api/apps/\(UUID().uuidString.lowercased())/api-keys/x/y")
            expectError(app, .notFound, "not_found")
            let key = try await client.send(.patch, "/console/api/apps/\(UUID().uuidString.lowercased())/api-keys/\(UUID().uuidString)")
            #expect(key.status == .methodNotAllowed, "\(key.status) \(key.json)")
            #expect(key.header("Allow") == "DELETE")
        }
    }

    @Test("Allow names only the methods of the route the router picks: a constant segment's, not a sibling capture's or wildcard's")
    func allowFollowsTheRouter() async throws {
        // Found by the API fuzz: `datasets/api-keys` allowed DELETE and PATCH (those of `datasets/{dataset_id}`, which
        // the router never reaches from that path), and a tool provider's `update` allowed GET.
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let tools = "/console/api/workspaces/current/tool-provider/builtin/langgenius/search/search"
            for (method, path, allowed) in [
                (HTTPRequest.Method.delete, "/console/api/datasets/api-keys", "GET, POST"),
                (.options, "/console/api/datasets/api-keys", "GET, POST"),
                (.options, "/console/api/workspaces/current/members/invite-email", "POST"),
                (.get, "\(tools)/update", "POST"),
                (.put, "\(tools)/credentials", "GET, POST"),
                (.get, "/console/api/workspaces/current/tools/langgenius/search/search/web/invoke", "POST"),
                (.put, "/console/api/workspaces/current/model-providers/langgenius/openai/openai/credentials", "DELETE, GET, POST"),
            ] {
                let reply = try await client.send(method, path, token: owner.token)
                expectError(reply, .methodNotAllowed, "method_not_allowed")
                #expect(reply.header("Allow") == allowed, "\(method) \(path): \(reply.header("Allow") ?? "no Allow")")
            }
            // The methods named are served there; a provider path without its action is no route at all.
            #expect(try await client.get("/console/api/datasets/api-keys", token: owner.token).status == .ok)
            expectError(try await client.get(tools, token: owner.token), .notFound, "not_found")
            expectError(
                try await client.get("/console/api/workspaces/current/model-providers/openai", token: owner.token), .notFound, "not_found"
            )
        }
    }

    @Test("health answers without authentication")
    func health() async throws {
        try await withRelay { client in
            let reply = try await client.get("/health")
            #expect(reply.json["status"].string == "ok")
            #expect(reply.json["version"].string?.isEmpty == false)
        }
    }
}
