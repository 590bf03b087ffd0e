import Core
import Foundation
import RelayTestSupport
import Testing

@Suite("Model providers and app model configs")
struct ModelProviderTests {
    @Test("credentials are checked upstream, kept only sealed, shown masked, and can be removed")
    func credentials() async throws {
        try await StubUpstream.with { stub in
            try await withRelay { client in
                let owner = try await client.setUpOwner()
                let path = "/console/api/workspaces/current/model-providers"
                let listed = try await client.get(path, token: owner.token)
                let compatible = listed.json["data"].array.first { $0["provider"].string == "openai_api_compatible" }
                #expect(compatible?["status"].string == "no-configure")
                #expect(listed.json["data"].array.first { $0["provider"].string == "openai" }?["models"].array.isEmpty == false)

                // A key the upstream refuses is not kept.
                let refused = try await client.post(
                    "\(path)/openai_api_compatible/credentials", token: owner.token,
                    json: ["credentials": ["endpoint_url": .string(stub.baseURL), "api_key": "sk-wrong-key-123"]]
                )
                expectError(refused, .badRequest, "invalid_param", field: "credentials")
                #expect(refused.message?.contains("Incorrect API key") == true)
                #expect(try await client.get("\(path)/openai_api_compatible/credentials", token: owner.token).json["credentials"] == .null)
                // Unknown fields and missing required ones are named.
                expectError(
                    try await client.post("\(path)/openai_api_compatible/credentials", token: owner.token, json: ["credentials": ["api_key": "x"]]),
                    .badRequest, "invalid_param", field: "credentials.endpoint_url"
                )
                expectError(
                    try await client.post("\(path)/openai_api_compatible/credentials", token: owner.token, json: ["credentials": ["nope": "x"]]),
                    .badRequest, "invalid_param", field: "credentials.nope"
                )
                expectError(
                    try await client.post("\(path)/nosuch/credentials", token: owner.token, json: ["credentials": [:]]), .notFound, "not_found"
                )
                expectError(
                    try await client.post(
                        "\(path)/openai_api_compatible/credentials", token: owner.token, json: ["credentials": ["endpoint_url": "ftp://models.local"]]
                    ),
                    .badRequest, "invalid_param", field: "credentials.endpoint_url"
                )

                stub.accept("sk-good-and-long-secret")
                let saved = try await client.post(
                    "\(path)/openai_api_compatible/credentials", token: owner.token,
                    json: ["credentials": ["endpoint_url": .string(stub.baseURL), "api_key": "sk-good-and-long-secret"]]
                )
                #expect(saved.json == ["result": "success"])
                let shown = try await client.get("\(path)/openai_api_compatible/credentials", token: owner.token).json["credentials"]
                #expect(shown["api_key"].string == "sk-goo************et")
                #expect(shown["endpoint_url"].string == stub.baseURL)
                // Saving the form back as shown keeps the real key (the upstream accepts it again).
                let resaved = try await client.post(
                    "\(path)/openai_api_compatible/credentials", token: owner.token, json: ["credentials": shown]
                )
                #expect(resaved.status == .ok, "\(resaved.json)")
                let stored = try await TestDatabase.storedBytes(of: client.database)
                #expect(stored.range(of: Data("sk-good-and-long-secret".utf8)) == nil)

                let active = try await client.get(path, token: owner.token).json["data"].array.first {
                    $0["provider"].string == "openai_api_compatible"
                }
                #expect(active?["status"].string == "active")
                // The models the upstream reported are listed.
                #expect(active?["models"].array.compactMap { $0["model"].string } == ["stub-chat", "stub-slow", "stub-embed"])
                #expect(active?["models"].array.last?["model_type"].string == "text-embedding")

                // Default model.
                let setDefault = try await client.post(
                    "/console/api/workspaces/current/default-model", token: owner.token,
                    json: ["model_settings": [["model_type": "llm", "provider": "openai_api_compatible", "model": "stub-chat"]]]
                )
                #expect(setDefault.status == .ok, "\(setDefault.json)")
                let fetched = try await client.get("/console/api/workspaces/current/default-model?model_type=llm", token: owner.token)
                #expect(fetched.json["data"]["model"].string == "stub-chat")
                expectError(
                    try await client.post(
                        "/console/api/workspaces/current/default-model", token: owner.token,
                        json: ["model_settings": [["model_type": "llm", "provider": "openai", "model": "gpt-4o"]]]
                    ),
                    .badRequest, "provider_not_initialize"
                )

                // A normal member sees, but cannot change.
                try await client.setPlan("team", for: owner)
                let member = try await client.addMember("member@example.com", role: "normal", to: owner)
                expectError(
                    try await client.send(.delete, "\(path)/openai_api_compatible/credentials", token: member.token), .forbidden, "access_denied"
                )
                #expect(try await client.send(.delete, "\(path)/openai_api_compatible/credentials", token: owner.token).status == .noContent)
                #expect(
                    try await client.get("/console/api/workspaces/current/default-model?model_type=llm", token: owner.token).json["data"] == .null)
                expectError(try await client.send(.delete, "\(path)/openai_api_compatible/credentials", token: owner.token), .notFound, "not_found")
            }
        }
    }

    @Test("endpoints on link-local and metadata addresses are refused always, private ones unless allowed; no query or fragment")
    func endpointAddresses() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.upstream.allowsPrivateEndpoints = false }) { client in
                let owner = try await client.setUpOwner()
                let path = "/console/api/workspaces/current/model-providers/openai_api_compatible/credentials"
                func save(_ url: String) async throws -> Reply {
                    try await client.post(path, token: owner.token, json: ["credentials": ["endpoint_url": .string(url), "api_key": "sk-test"]])
                }
                for url in [
                    "http://169.254.169.254/latest/meta-data", "http://[fe80::1]/v1", "http://[::ffff:169.254.169.254]/v1",
                    "http://100.100.100.200/v1", "http://127.0.0.1:9/v1", "http://localhost:9/v1", "http://10.0.0.1/v1", "http://[::1]:9/v1",
                    stub.baseURL,
                ] {
                    expectError(try await save(url), .badRequest, "invalid_param", field: "credentials")
                }
                let metadata = try await save("http://169.254.169.254/v1")
                #expect(metadata.message?.contains("metadata") == true, "\(metadata.json)")
                // The caller may not pick the path: a query or a fragment would cut off what Relay appends.
                for url in [stub.baseURL + "?x=", stub.baseURL + "#", "http://user:pw@example.com/v1"] {
                    expectError(try await save(url), .badRequest, "invalid_param", field: "credentials.endpoint_url")
                }
            }
            // An operator who allows private endpoints reaches the model server on loopback, and still never metadata.
            try await withRelay(configure: { $0.upstream.allowsPrivateEndpoints = true }) { client in
                let owner = try await client.setUpOwner()
                let path = "/console/api/workspaces/current/model-providers/openai_api_compatible/credentials"
                let saved = try await client.post(
                    path, token: owner.token, json: ["credentials": ["endpoint_url": .string(stub.baseURL), "api_key": "sk-good"]]
                )
                #expect(saved.status == .ok, "\(saved.json)")
                let metadata = try await client.post(
                    path, token: owner.token, json: ["credentials": ["endpoint_url": "http://169.254.169.254/v1", "api_key": "sk-test"]]
                )
                expectError(metadata, .badRequest, "invalid_param", field: "credentials")
            }
        }
    }

    @Test("credentials of one workspace are invisible to another, and sealed to their workspace")
    func isolation() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.allowsRegistration = true }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                let other = try await client.register("other@example.com")
                let path = "/console/api/workspaces/current/model-providers"
                #expect(try await client.get("\(path)/openai_api_compatible/credentials", token: other.token).json["credentials"] == .null)
                let status = try await client.get(path, token: other.token).json["data"].array.first {
                    $0["provider"].string == "openai_api_compatible"
                }?["status"].string
                #expect(status == "no-configure")
            }
        }
    }

    @Test("a model config is validated whole, every problem listed, and reflected by /parameters and the app")
    func modelConfig() async throws {
        try await StubUpstream.with { stub in
            try await withRelay { client in
                let app = try await client.chatApp(
                    stub,
                    config: [
                        "pre_prompt": "You are {{persona}}.", "opening_statement": "Hello!", "suggested_questions": ["What can you do?"],
                        "user_input_form": [
                            ["text-input": ["variable": "persona", "label": "Persona", "required": true, "max_length": 10]],
                            ["select": ["variable": "tone", "label": "Tone", "options": ["warm", "dry"]]],
                        ],
                    ]
                )
                let parameters = try await client.get("/v1/parameters", token: app.key).json
                #expect(parameters["opening_statement"].string == "Hello!")
                #expect(parameters["suggested_questions"] == ["What can you do?"])
                #expect(parameters["user_input_form"][0]["text-input"]["variable"].string == "persona")
                #expect(parameters["user_input_form"][1]["select"]["options"] == ["warm", "dry"])
                let detail = try await client.get("/console/api/apps/\(app.id)", token: app.owner.token).json
                #expect(detail["model_config"]["model"]["name"].string == "stub-chat")

                let bad = try await client.post(
                    "/console/api/apps/\(app.id)/model-config", token: app.owner.token,
                    json: [
                        "model": ["provider": "nosuch", "name": "x"], "memory": ["window": ["enabled": true, "size": 0]],
                        "user_input_form": [
                            ["select": ["variable": "1bad", "label": "x"]], ["text-input": ["variable": "a"]], ["text-input": ["variable": "a"]],
                        ],
                    ]
                )
                expectError(bad, .badRequest, "invalid_param", field: "model.provider")
                let fields = Set(bad.json["details"]["problems"].array.compactMap { $0["field"].string })
                #expect(
                    fields == [
                        "model.provider", "memory.window.size", "user_input_form[0].variable", "user_input_form[0].options",
                        "user_input_form[2].variable",
                    ]
                )
                expectError(
                    try await client.post(
                        "/console/api/apps/\(app.id)/model-config", token: app.owner.token,
                        json: ["model": ["provider": "openai", "name": "gpt-2"]]
                    ),
                    .badRequest, "invalid_param", field: "model.name"
                )
                expectError(
                    try await client.post(
                        "/console/api/apps/\(app.id)/model-config", token: app.owner.token,
                        json: ["model": ["provider": "openai"], "user_input_form": [["color": ["variable": "x"]]]]
                    ),
                    .badRequest, "invalid_param"
                )
                // The stored config is unchanged by the refusals.
                #expect(try await client.get("/v1/parameters", token: app.key).json == parameters)
            }
        }
    }
}

@Suite("The Anthropic provider")
struct AnthropicProviderTests {
    @Test("Anthropic credentials are checked, and a chat streams through the Messages API with its prices")
    func anthropicChat() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let owner = try await client.setUpOwner()
                let path = "/console/api/workspaces/current/model-providers/anthropic/credentials"
                expectError(
                    try await client.post(
                        path, token: owner.token,
                        json: ["credentials": ["anthropic_api_key": "wrong", "anthropic_api_url": .string("http://127.0.0.1:\(stub.port)")]]),
                    .badRequest, "invalid_param", field: "credentials"
                )
                let saved = try await client.post(
                    path, token: owner.token,
                    json: ["credentials": ["anthropic_api_key": "sk-good", "anthropic_api_url": .string("http://127.0.0.1:\(stub.port)")]]
                )
                #expect(saved.status == .ok, "\(saved.json)")
                let app = try await client.createApp("Claude", as: owner)
                let config = try await client.post(
                    "/console/api/apps/\(app)/model-config", token: owner.token,
                    json: ["model": ["provider": "anthropic", "name": "claude-haiku-4-5"], "pre_prompt": "Be brief."]
                )
                #expect(config.status == .ok, "\(config.json)")
                let key = try await client.issueKey(for: app, as: owner).secret
                let reply = try await client.chat(ChatApp(owner: owner, id: app, key: key), "hi there")
                #expect(reply.json["answer"] == "Echo: hi there", "\(reply.json)")
                let usage = reply.json["metadata"]["usage"]
                #expect(usage["prompt_tokens"] == 9 && usage["completion_tokens"] == 5)
                #expect(usage["prompt_price"] == "0.0000090" && usage["completion_price"] == "0.0000250" && usage["total_price"] == "0.0000340")
                #expect(usage["prompt_unit_price"] == "1" && usage["prompt_price_unit"] == "0.000001")
                let sent = try #require(stub.requests.last)
                #expect(sent["system"] == "Be brief.")
                #expect(sent["max_tokens"] == 4096)
                #expect(sent["messages"][0]["role"] == "user")
            }
        }
    }
}
