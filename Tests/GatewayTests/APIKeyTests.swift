import Core
import Foundation
import Testing

@Suite("API keys: issuance, listing, limits, revocation")
struct APIKeyTests {
    @Test("an app key is app- plus 24 random characters, shown in full once and masked afterwards")
    func issueAndList() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Bot", as: owner)
            let first = try await client.issueKey(for: app, as: owner)
            client.clock.advance(by: 1)
            let second = try await client.issueKey(for: app, as: owner)
            for secret in [first.secret, second.secret] {
                #expect(secret.hasPrefix("app-") && secret.count == 28)
                #expect(secret.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            }
            #expect(first.secret != second.secret)
            let list = try await client.get("/console/api/apps/\(app)/api-keys", token: owner.token).json["data"].array
            #expect(list.map { $0["id"].string } == [first.id, second.id])
            for item in list {
                let shown = try #require(item["token"].string)
                #expect(shown != first.secret && shown != second.secret)
                #expect(shown.hasPrefix("app-") && shown.count < 12)
                #expect(item["type"].string == "app")
                #expect(item["last_used_at"].isNull)
            }
            #expect(list[0]["token"].string?.hasSuffix(String(first.secret.suffix(4))) == true)
            // Using a key records when it was last used.
            #expect(try await client.get("/v1/info", token: first.secret).status == .ok)
            let used = try await client.get("/console/api/apps/\(app)/api-keys", token: owner.token).json["data"][0]
            #expect(used["last_used_at"].int == Int(client.clock.now.timeIntervalSince1970))
        }
    }

    @Test("an app has at most 10 keys; revoking one makes room")
    func keyLimit() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Bot", as: owner)
            var ids: [String] = []
            for _ in 0..<10 { ids.append(try await client.issueKey(for: app, as: owner).id) }
            expectError(try await client.post("/console/api/apps/\(app)/api-keys", token: owner.token), .badRequest, "invalid_param")
            #expect(try await client.send(.delete, "/console/api/apps/\(app)/api-keys/\(ids[0])", token: owner.token).status == .noContent)
            #expect(try await client.post("/console/api/apps/\(app)/api-keys", token: owner.token).status == .created)
        }
    }

    @Test("a revoked key is refused at once, with its own message")
    func revocation() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Bot", as: owner)
            let key = try await client.issueKey(for: app, as: owner)
            #expect(try await client.get("/v1/info", token: key.secret).status == .ok)
            let deleted = try await client.send(.delete, "/console/api/apps/\(app)/api-keys/\(key.id)", token: owner.token)
            #expect(deleted.status == .noContent && deleted.body.readableBytes == 0)
            let refused = try await client.get("/v1/info", token: key.secret)
            expectError(refused, .unauthorized, "unauthorized")
            #expect(refused.message?.contains("revoked") == true)
            expectError(try await client.send(.delete, "/console/api/apps/\(app)/api-keys/\(key.id)", token: owner.token), .notFound, "not_found")
            #expect(try await client.get("/console/api/apps/\(app)/api-keys", token: owner.token).json["data"].array.isEmpty)
        }
    }

    @Test("a revocation made through one instance reaches another on the same data within a second")
    func revocationAcrossInstances() async throws {
        try await withTemporaryDirectory { directory in
            let clock = TestClock()
            let issued = try await withRelay(clock: clock, dataDirectory: directory) { client in
                let owner = try await client.setUpOwner()
                let app = try await client.createApp("Bot", as: owner)
                return (owner, app, try await client.issueKey(for: app, as: owner))
            }
            let (owner, app, key) = issued
            try await withRelay(clock: clock, dataDirectory: directory) { second in
                #expect(try await second.get("/v1/info", token: key.secret).status == .ok)
                try await withRelay(clock: clock, dataDirectory: directory) { first in
                    let deleted = try await first.send(.delete, "/console/api/apps/\(app)/api-keys/\(key.id)", token: owner.token)
                    #expect(deleted.status == .noContent)
                }
                // The second instance trusted its cache for at most the TTL.
                clock.advance(by: 1.01)
                expectError(try await second.get("/v1/info", token: key.secret), .unauthorized, "unauthorized")
            }
        }
    }

    @Test("workspace keys carry permissions and name the app in X-App-Id")
    func workspaceKeys() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let chat = try await client.createApp("Chat", mode: "chat", as: owner)
            let flow = try await client.createApp("Flow", mode: "workflow", as: owner)
            let created = try await client.post(
                "/console/api/api-keys", token: owner.token, json: ["name": "CI", "permissions": ["chat", "dataset", "chat"]]
            )
            #expect(created.status == .created)
            let secret = try #require(created.json["token"].string)
            #expect(secret.hasPrefix("ws-") && secret.count == 27)
            #expect(created.json["permissions"].array.compactMap(\.string) == ["chat", "dataset"])

            let info = try await client.get("/v1/info", token: secret, headers: ["X-App-Id": chat])
            #expect(info.status == .ok && info.json["name"].string == "Chat")
            expectError(try await client.get("/v1/info", token: secret, headers: ["X-App-Id": flow]), .forbidden, "access_denied")
            expectError(try await client.get("/v1/info", token: secret), .badRequest, "invalid_param", field: "X-App-Id")
            expectError(
                try await client.get("/v1/info", token: secret, headers: ["X-App-Id": "abc"]), .badRequest, "invalid_param", field: "X-App-Id")
            expectError(try await client.get("/v1/info", token: secret, headers: ["X-App-Id": UUID().uuidString]), .notFound, "not_found")

            let listed = try await client.get("/console/api/api-keys", token: owner.token).json["data"].array
            #expect(listed.count == 1 && listed[0]["name"].string == "CI" && listed[0]["token"].string != secret)
            let id = try #require(created.json["id"].string)
            #expect(try await client.send(.delete, "/console/api/api-keys/\(id)", token: owner.token).status == .noContent)
            expectError(try await client.get("/v1/info", token: secret, headers: ["X-App-Id": chat]), .unauthorized, "unauthorized")
            expectError(try await client.send(.delete, "/console/api/api-keys/\(id)", token: owner.token), .notFound, "not_found")
        }
    }

    @Test(
        "workspace key requests are validated",
        arguments: [
            (["name": "k", "permissions": []], "permissions"),
            (["name": "k", "permissions": ["chat", "admin"]], "permissions[1]"),
            (["name": "k", "permissions": "chat"], "permissions"),
            (["name": "", "permissions": ["chat"]], "name"),
            (["permissions": ["chat"]], "name"),
        ] as [(JSONValue, String)]
    )
    func workspaceKeyValidation(body: JSONValue, field: String) async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            expectError(try await client.post("/console/api/api-keys", token: owner.token, json: body), .badRequest, "invalid_param", field: field)
            #expect(try await client.get("/console/api/api-keys", token: owner.token).json["data"].array.isEmpty)
        }
    }
}
