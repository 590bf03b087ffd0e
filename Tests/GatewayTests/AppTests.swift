import Core
import Foundation
import Testing

@Suite("Apps: create, read, list, update, delete")
struct AppTests {
    @Test("creating an app fills the seed's defaults and answers 201")
    func createDefaults() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let reply = try await client.post(
                "/console/api/apps", token: owner.token, json: ["name": "  Support bot ", "mode": "advanced-chat"]
            )
            #expect(reply.status == .created)
            let app = reply.json
            #expect(app["name"].string == "Support bot")
            #expect(app["mode"].string == "advanced-chat")
            #expect(app["icon"].string == "🤖")
            #expect(app["icon_background"].string == "#FFEAD5")
            #expect(app["description"].string == "")
            #expect(app["enable_site"].bool == true && app["enable_api"].bool == true)
            #expect(app["api_rpm"].int == 0 && app["api_rph"].int == 0)
            #expect(app["is_demo"].bool == false)
            #expect(app["created_at"].int == Int(client.clock.now.timeIntervalSince1970))
            let fetched = try await client.get("/console/api/apps/\(try #require(app["id"].string))", token: owner.token)
            #expect(fetched.json == app)
        }
    }

    @Test(
        "invalid app fields are refused with the field named, and nothing is stored",
        arguments: [
            (["name": "", "mode": "chat"], "name"),
            (["name": .string(String(repeating: "x", count: 41)), "mode": "chat"], "name"),
            (["mode": "chat"], "name"),
            (["name": 12, "mode": "chat"], "name"),
            (["name": "A"], "mode"),
            (["name": "A", "mode": "chatbot"], "mode"),
            (["name": "A", "mode": "chat", "description": .string(String(repeating: "d", count: 201))], "description"),
            (["name": "A", "mode": "chat", "icon_background": "red"], "icon_background"),
            (["name": "A", "mode": "chat", "icon_background": "#GGGGGG"], "icon_background"),
            (["name": "A", "mode": "chat", "icon": ""], "icon"),
            (["name": "A", "mode": "chat", "description": false], "description"),
        ] as [(JSONValue, String)]
    )
    func createValidation(body: JSONValue, field: String) async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            expectError(try await client.post("/console/api/apps", token: owner.token, json: body), .badRequest, "invalid_param", field: field)
            #expect(try await client.get("/console/api/apps", token: owner.token).json["total"].int == 0)
        }
    }

    @Test("names are at most 40 characters, counted as people see them, and unique within a workspace")
    func nameRules() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let forty = String(repeating: "🧪", count: 40)
            #expect(
                try await client.post("/console/api/apps", token: owner.token, json: ["name": .string(forty), "mode": "chat"]).status == .created)
            _ = try await client.createApp("Twin", as: owner)
            expectError(
                try await client.post("/console/api/apps", token: owner.token, json: ["name": "Twin", "mode": "workflow"]),
                .badRequest, "invalid_param", field: "name"
            )
            let other = try await client.createApp("Other", as: owner)
            expectError(
                try await client.send(.put, "/console/api/apps/\(other)", token: owner.token, json: ["name": "Twin"]),
                .badRequest, "invalid_param", field: "name"
            )
            #expect(try await client.get("/console/api/apps/\(other)", token: owner.token).json["name"].string == "Other")
        }
    }

    @Test("the list pages, filters by name and mode, and refuses bad paging")
    func listAndPaging() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("professional", for: owner)
            for index in 1...5 {
                _ = try await client.createApp("App \(index)", mode: index % 2 == 0 ? "workflow" : "chat", as: owner)
                client.clock.advance(by: 1)
            }
            _ = try await client.createApp("100%_sure", as: owner)
            let first = try await client.get("/console/api/apps?page=1&limit=2", token: owner.token).json
            #expect(first["total"].int == 6 && first["page"].int == 1 && first["limit"].int == 2 && first["has_more"].bool == true)
            #expect(first["data"].array.map { $0["name"].string } == ["100%_sure", "App 5"])
            let last = try await client.get("/console/api/apps?page=3&limit=2", token: owner.token).json
            #expect(last["has_more"].bool == false)
            #expect(last["data"].array.map { $0["name"].string } == ["App 2", "App 1"])
            let beyond = try await client.get("/console/api/apps?page=9&limit=2", token: owner.token).json
            #expect(beyond["data"].array.isEmpty && beyond["has_more"].bool == false && beyond["total"].int == 6)
            #expect(try await client.get("/console/api/apps", token: owner.token).json["limit"].int == 30)
            #expect(try await client.get("/console/api/apps?limit=100", token: owner.token).status == .ok)

            #expect(try await client.get("/console/api/apps?mode=workflow", token: owner.token).json["total"].int == 2)
            #expect(try await client.get("/console/api/apps?mode=all", token: owner.token).json["total"].int == 6)
            #expect(try await client.get("/console/api/apps?name=app%20", token: owner.token).json["total"].int == 5)
            // `%` and `_` are literal characters in a name search, not wildcards.
            #expect(try await client.get("/console/api/apps?name=%25_", token: owner.token).json["total"].int == 1)
            #expect(try await client.get("/console/api/apps?name=p_", token: owner.token).json["total"].int == 0)

            for query in ["limit=0", "limit=101", "limit=ten", "page=0", "page=-1", "page=x", "mode=robot"] {
                let field = String(query.prefix { $0 != "=" })
                expectError(try await client.get("/console/api/apps?\(query)", token: owner.token), .badRequest, "invalid_param", field: field)
            }
        }
    }

    @Test("every field the seed lists can be updated; bad values change nothing")
    func update() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let id = try await client.createApp("Before", as: owner)
            client.clock.advance(by: 30)
            let reply = try await client.send(
                .put, "/console/api/apps/\(id)", token: owner.token,
                json: [
                    "name": "After", "description": "Helps", "icon": "https://example.com/i.png", "icon_background": "#000",
                    "enable_site": false, "enable_api": false, "api_rpm": 60, "api_rph": 1000,
                ]
            )
            #expect(reply.status == .ok)
            let app = reply.json
            #expect(app["name"].string == "After" && app["description"].string == "Helps")
            #expect(app["icon"].string == "https://example.com/i.png" && app["icon_type"].string == "image")
            #expect(app["icon_background"].string == "#000")
            #expect(app["enable_site"].bool == false && app["enable_api"].bool == false)
            #expect(app["api_rpm"].int == 60 && app["api_rph"].int == 1000)
            #expect(app["updated_at"].int == app["created_at"].int.map { $0 + 30 })

            for (body, field) in [
                (["api_rpm": -1], "api_rpm"), (["api_rph": "many"], "api_rph"), (["enable_api": "yes"], "enable_api"),
                (["api_rpm": .number(1.5)], "api_rpm"),
            ] as [(JSONValue, String)] {
                expectError(
                    try await client.send(.put, "/console/api/apps/\(id)", token: owner.token, json: body), .badRequest, "invalid_param", field: field
                )
            }
            #expect(try await client.get("/console/api/apps/\(id)", token: owner.token).json == app)
        }
    }

    @Test("deleting an app removes it and its keys")
    func delete() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let id = try await client.createApp("Doomed", as: owner)
            let key = try await client.issueKey(for: id, as: owner)
            #expect(try await client.get("/v1/info", token: key.secret).status == .ok)
            let reply = try await client.send(.delete, "/console/api/apps/\(id)", token: owner.token)
            #expect(reply.status == .ok && reply.json["result"].string == "success")
            expectError(try await client.get("/console/api/apps/\(id)", token: owner.token), .notFound, "not_found")
            expectError(try await client.send(.delete, "/console/api/apps/\(id)", token: owner.token), .notFound, "not_found")
            expectError(try await client.get("/v1/info", token: key.secret), .unauthorized, "unauthorized")
            expectError(try await client.get("/console/api/apps/\(id)/api-keys", token: owner.token), .notFound, "not_found")
        }
    }
}
