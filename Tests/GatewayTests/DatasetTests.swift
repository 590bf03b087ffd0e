import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Knowledge bases: datasets, permissions, keys")
struct DatasetTests {
    @Test("datasets are created, listed, read, changed and deleted, every wrong field refused by name")
    func datasetLifecycle() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let owner = try await client.setUpOwner()
                let token = owner.token
                expectError(
                    try await client.post("/console/api/datasets", token: token, json: ["indexing_technique": "economy"]), .badRequest,
                    "invalid_param", field: "name")
                expectError(
                    try await client.post("/console/api/datasets", token: token, json: ["name": .string(String(repeating: "n", count: 41))]),
                    .badRequest, "invalid_param", field: "name"
                )
                expectError(
                    try await client.post("/console/api/datasets", token: token, json: ["name": "A", "indexing_technique": "fast"]),
                    .badRequest, "invalid_param", field: "indexing_technique"
                )
                expectError(
                    try await client.post("/console/api/datasets", token: token, json: ["name": "A", "permission": "everyone"]),
                    .badRequest, "invalid_param", field: "permission"
                )
                // high_quality needs an embedding model the workspace can use.
                expectError(
                    try await client.post("/console/api/datasets", token: token, json: ["name": "A", "indexing_technique": "high_quality"]),
                    .badRequest, "invalid_param", field: "embedding_model"
                )
                let unconfigured = try await client.post(
                    "/console/api/datasets", token: token,
                    json: [
                        "name": "A", "indexing_technique": "high_quality", "embedding_model_provider": "openai_api_compatible",
                        "embedding_model": "stub-embed-words",
                    ]
                )
                expectError(unconfigured, .badRequest, "provider_not_initialize")
                try await client.configureStubProvider(stub, as: owner)
                expectError(
                    try await client.post(
                        "/console/api/datasets", token: token,
                        json: ["name": "A", "retrieval_model": ["search_method": "semantic_search"]]
                    ),
                    .badRequest, "invalid_param", field: "retrieval_model.search_method"
                )
                expectError(
                    try await client.post("/console/api/datasets", token: token, json: ["name": "A", "retrieval_model": ["top_k": 0]]),
                    .badRequest, "invalid_param", field: "retrieval_model.top_k"
                )

                // Unnamed, the embedding model is the workspace's default one.
                let defaulted = try await client.post(
                    "/console/api/workspaces/current/default-model", token: token,
                    json: ["model_settings": [["model_type": "text-embedding", "provider": "openai_api_compatible", "model": "stub-embed-words"]]]
                )
                #expect(defaulted.status == .ok, "\(defaulted.json)")
                let byDefault = try await client.post(
                    "/console/api/datasets", token: token, json: ["name": "Defaulted", "indexing_technique": "high_quality"])
                #expect(byDefault.status == .created && byDefault.json["embedding_model"] == "stub-embed-words", "\(byDefault.json)")
                #expect(
                    try await client.send(.delete, "/console/api/datasets/\(try #require(byDefault.json["id"].string))", token: token).status
                        == .noContent)

                let manual = try await client.createDataset("Manual", token: token)
                let smart = try await client.createDataset("Smart", technique: "high_quality", model: "stub-embed-words", token: token)
                expectError(
                    try await client.post("/console/api/datasets", token: token, json: ["name": "Manual"]), .badRequest, "invalid_param",
                    field: "name")

                let read = try await client.get("/console/api/datasets/\(smart)", token: token)
                #expect(read.json["indexing_technique"] == "high_quality")
                #expect(read.json["embedding_model"] == "stub-embed-words")
                #expect(read.json["retrieval_model_dict"]["search_method"] == "semantic_search")
                #expect(read.json["permission"] == "only_me")
                #expect(read.json["document_count"] == 0)

                let page = try await client.get("/console/api/datasets?page=1&limit=1", token: token)
                #expect(page.json["total"] == 2 && page.json["has_more"] == true && page.json["data"].array.count == 1)
                let found = try await client.get("/console/api/datasets?keyword=man", token: token)
                #expect(found.json["data"].array.map { $0["id"] } == [.string(manual)])
                expectError(try await client.get("/console/api/datasets?limit=500", token: token), .badRequest, "invalid_param", field: "limit")

                let changed = try await client.send(
                    .patch, "/console/api/datasets/\(manual)", token: token,
                    json: ["name": "Handbook", "description": "How we work", "retrieval_model": ["top_k": 7, "score_threshold": 0.2]]
                )
                #expect(changed.status == .ok, "\(changed.json)")
                #expect(changed.json["name"] == "Handbook" && changed.json["retrieval_model_dict"]["top_k"] == 7)
                #expect(changed.json["retrieval_model_dict"]["score_threshold_enabled"] == true)
                expectError(
                    try await client.send(.patch, "/console/api/datasets/\(manual)", token: token, json: ["name": "Smart"]),
                    .badRequest, "invalid_param", field: "name"
                )
                // The failed rename changed nothing.
                #expect(try await client.get("/console/api/datasets/\(manual)", token: token).json["name"] == "Handbook")

                #expect(try await client.send(.delete, "/console/api/datasets/\(manual)", token: token).status == .noContent)
                expectError(try await client.get("/console/api/datasets/\(manual)", token: token), .notFound, "not_found")
                expectError(try await client.get("/console/api/datasets/not-a-uuid", token: token), .badRequest, "invalid_param", field: "dataset_id")
            }
        }
    }

    @Test("only_me, all_team_members and partial_members decide who sees a dataset; normal members cannot create")
    func permissions() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("team", for: owner)
            let editor = try await client.addMember("editor@example.com", role: "editor", to: owner)
            let reader = try await client.addMember("reader@example.com", role: "normal", to: owner)
            let mine = try await client.createDataset("Mine", token: owner.token)
            let team = try await client.createDataset("Team", permission: "all_team_members", token: owner.token)
            let members = try await client.get("/console/api/workspaces/current/members", token: owner.token).json["accounts"].array
            let editorID = try #require(members.first { $0["email"] == "editor@example.com" }?["id"].string, "\(members)")
            let chosen = try await client.createDataset(
                "Chosen", permission: "partial_members", token: owner.token, extra: ["partial_member_list": [["user_id": .string(editorID)]]]
            )

            let listed = try await client.get("/console/api/datasets", token: editor.token).json["data"].array.compactMap { $0["id"].string }
            #expect(Set(listed) == [team, chosen])
            expectError(try await client.get("/console/api/datasets/\(mine)", token: editor.token), .forbidden, "access_denied")
            expectError(try await client.addText("secret", to: mine, token: editor.token, expectingFailure: true), .forbidden, "access_denied")
            #expect(try await client.get("/console/api/datasets/\(chosen)", token: editor.token).status == .ok)
            expectError(try await client.get("/console/api/datasets/\(chosen)", token: reader.token), .forbidden, "access_denied")
            // A normal member reads team datasets and changes none.
            #expect(try await client.get("/console/api/datasets/\(team)", token: reader.token).status == .ok)
            expectError(try await client.post("/console/api/datasets", token: reader.token, json: ["name": "Nope"]), .forbidden, "access_denied")
            expectError(try await client.addText("text", to: team, token: reader.token, expectingFailure: true), .forbidden, "access_denied")
            expectError(try await client.send(.delete, "/console/api/datasets/\(team)", token: reader.token), .forbidden, "access_denied")
            // partial_members needs its list.
            expectError(
                try await client.post("/console/api/datasets", token: owner.token, json: ["name": "Empty", "permission": "partial_members"]),
                .badRequest, "invalid_param", field: "partial_member_list"
            )
        }
    }

    @Test("dataset keys serve the knowledge API under /v1 and /api; app keys, revoked keys and other workspaces' ids are refused")
    func knowledgeAPI() async throws {
        try await withRelay(configure: {
            $0.forDatasetTests()
            $0.allowsRegistration = true
        }) { client in
            let owner = try await client.setUpOwner()
            let key = try await client.datasetKey(as: owner)
            #expect(key.hasPrefix("ds-"))
            let listed = try await client.get("/console/api/datasets/api-keys", token: owner.token)
            #expect(listed.json["data"].array.count == 1)
            #expect(listed.json["data"][0]["token"].string?.hasPrefix("ds-…") == true)
            #expect(listed.json["data"][0]["token"].string != key)

            let dataset = try await client.createDataset("Docs", token: key, prefix: "/v1")
            let (document, batch) = try await client.addText(
                "Relay answers with Dify's shapes.\n\nIt stores only hashes of keys.", to: dataset, token: key, prefix: "/v1"
            )
            let status = try await client.waitIndexed(batch, in: dataset, token: key, prefix: "/api")
            #expect(status[0]["indexing_status"] == "completed", "\(status)")
            #expect(try await client.get("/api/datasets/\(dataset)/documents/\(document)", token: key).json["name"] == "notes.txt")
            let hits = try await client.retrieve("hashes", from: dataset, token: key, prefix: "/v1")
            #expect(hits.json["records"][0]["segment"]["content"].string?.contains("hashes") == true, "\(hits.json)")
            #expect(hits.json["query"]["content"] == "hashes")
            let uploaded = try await client.upload(
                Array("Uploaded through the knowledge API.".utf8), filename: "api.md", to: "/v1/datasets/\(dataset)/document/create_by_file",
                fields: ["data": #"{"indexing_technique": "economy", "process_rule": {"mode": "automatic"}}"#], token: key
            )
            #expect(uploaded.status == .ok, "\(uploaded.json)")
            let uploadedStatus = try await client.waitIndexed(try #require(uploaded.json["batch"].string), in: dataset, token: key, prefix: "/v1")
            #expect(uploadedStatus[0]["indexing_status"] == "completed", "\(uploadedStatus)")
            let segments = try await client.get("/v1/datasets/\(dataset)/documents/\(document)/segments", token: key)
            #expect(segments.json["total"] == 1, "automatic rules pack both short paragraphs into one segment: \(segments.json)")
            // The console sees what the key made: keys act for the whole workspace.
            #expect(try await client.get("/console/api/datasets/\(dataset)", token: owner.token).json["document_count"] == 2)

            // Keys of the wrong kind, in both directions.
            let app = try await client.createApp("Chat", as: owner)
            let appKey = try await client.issueKey(for: app, as: owner).secret
            expectError(try await client.get("/v1/datasets", token: appKey), .unauthorized, "unauthorized")
            expectError(try await client.get("/v1/info", token: key), .unauthorized, "unauthorized")
            expectError(try await client.get("/v1/datasets"), .unauthorized, "unauthorized")
            let inQuery = try await client.get("/v1/datasets?api_key=\(key)")
            expectError(inQuery, .unauthorized, "unauthorized")
            #expect(inQuery.message?.contains("query string") == true, "\(inQuery.json)")
            // A workspace key with the dataset permission works; without it, it is refused.
            let withDataset = try await client.post("/console/api/api-keys", token: owner.token, json: ["name": "kb", "permissions": ["dataset"]])
            let withoutDataset = try await client.post("/console/api/api-keys", token: owner.token, json: ["name": "chat", "permissions": ["chat"]])
            #expect(try await client.get("/v1/datasets", token: try #require(withDataset.json["token"].string)).status == .ok)
            expectError(try await client.get("/v1/datasets", token: try #require(withoutDataset.json["token"].string)), .forbidden, "access_denied")

            // Another workspace's key sees none of it.
            let stranger = try await client.register("stranger@example.com")
            let strangerKey = try await client.datasetKey(as: stranger)
            #expect(try await client.get("/v1/datasets", token: strangerKey).json["total"] == 0)
            for path in [
                "/v1/datasets/\(dataset)", "/v1/datasets/\(dataset)/documents", "/v1/datasets/\(dataset)/documents/\(document)",
                "/v1/datasets/\(dataset)/documents/\(batch)/indexing-status", "/v1/datasets/\(dataset)/documents/\(document)/segments",
            ] {
                expectError(try await client.get(path, token: strangerKey), .notFound, "not_found")
            }
            expectError(try await client.retrieve("hashes", from: dataset, token: strangerKey, prefix: "/v1"), .notFound, "not_found")
            expectError(try await client.send(.delete, "/v1/datasets/\(dataset)", token: strangerKey), .notFound, "not_found")
            expectError(
                try await client.addText("mine now", to: dataset, token: strangerKey, prefix: "/v1", expectingFailure: true), .notFound, "not_found")
            #expect(try await client.get("/v1/datasets/\(dataset)", token: key).status == .ok)

            // Revoked: refused at once on this instance.
            let keyID = try #require(listed.json["data"][0]["id"].string)
            #expect(try await client.send(.delete, "/console/api/datasets/api-keys/\(keyID)", token: owner.token).status == .noContent)
            expectError(try await client.get("/v1/datasets", token: key), .unauthorized, "unauthorized")
        }
    }
}

extension RelayClient {
    /// A create-by-text expected to fail: its reply, whatever the status.
    func addText(_ text: String, to dataset: String, token: String, prefix: String = "/console/api", expectingFailure: Bool) async throws -> Reply {
        try await post("\(prefix)/datasets/\(dataset)/document/create-by-text", token: token, json: ["name": "x.txt", "text": .string(text)])
    }
}
