import Core
import Foundation
import Testing

@Suite("Public API authentication and app info")
struct PublicAPITests {
    @Test("info, parameters and meta answer in Dify's shapes under both /v1 and /api")
    func appInfo() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner(name: "Ada")
            let app = try await client.createApp("Helper", mode: "completion", as: owner)
            let key = try await client.issueKey(for: app, as: owner)
            for prefix in ["/v1", "/api"] {
                let info = try await client.get("\(prefix)/info", token: key.secret)
                #expect(info.json == ["name": "Helper", "description": "", "tags": [], "mode": "completion", "author_name": "Ada"])
                let parameters = try await client.get("\(prefix)/parameters", token: key.secret).json
                #expect(parameters["user_input_form"].array.isEmpty)
                #expect(parameters["opening_statement"].string == "")
                #expect(parameters["system_parameters"]["image_file_size_limit"].int == 15)
                #expect(try await client.get("\(prefix)/meta", token: key.secret).json == ["tool_icons": [:]])
            }
        }
    }

    @Test("each way of presenting no valid key gets a 401 with its own message and WWW-Authenticate")
    func authFailures() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Bot", as: owner)
            let key = try await client.issueKey(for: app, as: owner)
            let cases: [(String, [String: String])] = [
                ("/v1/info", [:]),
                ("/v1/info", ["Authorization": "Basic \(key.secret)"]),
                ("/v1/info", ["Authorization": "Bearer "]),
                ("/v1/info", ["Authorization": "Bearer app-unknownunknownunknown1"]),
                ("/v1/info", ["Authorization": "Bearer \(owner.token)"]),
                ("/v1/info?api_key=\(key.secret)", [:]),
            ]
            var messages: Set<String> = []
            for (path, headers) in cases {
                let reply = try await client.get(path, headers: headers)
                expectError(reply, .unauthorized, "unauthorized")
                #expect(reply.header("WWW-Authenticate") == "Bearer realm=\"api\"")
                messages.insert(reply.message ?? "")
            }
            #expect(messages.count == 5)  // the unknown key and the console token share "Invalid API key"
            // The scheme is case-insensitive.
            #expect(try await client.get("/api/info", headers: ["Authorization": "bearer \(key.secret)"]).status == .ok)
        }
    }

    @Test("an app whose API is disabled answers 403 app_api_disabled, at once")
    func disabledAPI() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Bot", as: owner)
            let key = try await client.issueKey(for: app, as: owner)
            #expect(try await client.get("/v1/info", token: key.secret).status == .ok)
            _ = try await client.send(.put, "/console/api/apps/\(app)", token: owner.token, json: ["enable_api": false])
            expectError(try await client.get("/v1/info", token: key.secret), .forbidden, "app_api_disabled")
            _ = try await client.send(.put, "/console/api/apps/\(app)", token: owner.token, json: ["enable_api": true])
            #expect(try await client.get("/v1/info", token: key.secret).status == .ok)
        }
    }
}
