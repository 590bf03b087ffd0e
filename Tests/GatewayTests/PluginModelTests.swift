import Core
import Foundation
import Testing

/// Model providers served by a workspace's model plugin (the C echo plugin's `echo_model`): listed with the
/// built-in ones, credentials checked by the plugin, and chat answered through its `invoke_llm`.
@Suite("Model providers from plugins")
struct PluginModelTests {
    static let provider = "relay/echo_c/echo_model"

    @Test("a model plugin's provider is listed, configured and chats, blocking and streamed, for its workspace only")
    func echoModel() async throws {
        try await withRelay(configure: {
            $0.forChatTests()
            $0.usePlugins()
            $0.allowsRegistration = true
        }) { client in
            let owner = try await client.setUpOwner()
            let other = try await client.register("other@example.com")
            let installID = try await client.installPlugin(try await client.builtInIdentifier("relay/echo_c", owner: owner), owner: owner)

            let listed = try await client.get("/console/api/workspaces/current/model-providers", token: owner.token)
            let echo = try #require(listed.json["data"].array.first { $0["provider"].string == Self.provider }, "\(listed.json)")
            #expect(echo["status"] == "no-configure" && echo["models"][0]["model"] == "echo-1")
            #expect(echo["models"][0]["pricing"]["input"] == "0.001" && echo["label"]["en_US"] == "Echo model (C)")
            let theirs = try await client.get("/console/api/workspaces/current/model-providers", token: other.token)
            #expect(!theirs.json["data"].array.contains { $0["provider"].string == Self.provider })

            let path = "/console/api/workspaces/current/model-providers/\(Self.provider)/credentials"
            let refused = try await client.post(path, token: owner.token, json: ["credentials": ["api_key": "bad"]])
            #expect(refused.status == .badRequest && refused.code == "invalid_param", "\(refused.json)")
            #expect(try await client.post(path, token: owner.token, json: ["credentials": ["api_key": "good"]]).status == .ok)
            #expect(try await client.get(path, token: owner.token).json["credentials"]["api_key"] == "****")
            #expect(try await client.get(path, token: other.token).status == .notFound)

            let appID = try await client.createApp("Echoes", mode: "chat", as: owner)
            let config = try await client.post(
                "/console/api/apps/\(appID)/model-config", token: owner.token,
                json: ["model": ["provider": .string(Self.provider), "name": "echo-1"]]
            )
            #expect(config.status == .ok, "\(config.json)")
            let key = try await client.issueKey(for: appID, as: owner).secret
            let app = ChatApp(owner: owner, id: appID, key: key)
            let reply = try await client.chat(app, "hello plugin world")
            #expect(reply.status == .ok && reply.json["answer"] == "Echo model: hello plugin world", "\(reply.json)")
            #expect(reply.json["metadata"]["usage"]["prompt_tokens"] == 5 && reply.json["metadata"]["usage"]["completion_tokens"] == 5)
            #expect(reply.json["metadata"]["usage"]["prompt_price"] == "0.0000050", "\(reply.json["metadata"]["usage"])")

            let port = try #require(client.client.port)
            var reader = try await EventStreamReader.open(
                port: port, path: "/v1/chat-messages", token: key,
                json: ["query": "one two", "inputs": [:], "user": "alice", "response_mode": "streaming"]
            )
            let (pieces, last) = try await reader.drain()
            #expect(pieces == 3 && last?["event"] == "message_end", "\(pieces) \(last ?? nil)")

            // Its embedding model serves the workspace's other plugins: notes-py embeds a note through the host.
            _ = try await client.installPlugin(try await client.builtInIdentifier("relay/notes_py", owner: owner), owner: owner)
            #expect(try await client.saveToolCredentials("notes", ["api_key": "nk-1"], owner: owner).status == .ok)
            #expect(try await client.invokeTool("notes", "remember", ["name": "n", "text": "two words"], owner: owner).status == .ok)
            let embedded = try await client.invokeTool(
                "notes", "embed", ["name": "n", "provider": .string(Self.provider), "model": "echo-embed"], owner: owner
            )
            #expect(embedded.json["messages"][0]["message"]["json_object"] == ["vector": [9, 2, 1], "tokens": 2], "\(embedded.json)")

            // Another workspace cannot use it; once uninstalled, nobody can.
            let theirApp = try await client.createApp("Theirs", mode: "chat", as: other)
            let theirConfig = try await client.post(
                "/console/api/apps/\(theirApp)/model-config", token: other.token,
                json: ["model": ["provider": .string(Self.provider), "name": "echo-1"]]
            )
            #expect(theirConfig.status == .badRequest && theirConfig.json["details"]["field"] == "model.provider")
            let uninstalled = try await client.post(
                "/console/api/workspaces/current/plugin/uninstall", token: owner.token, json: ["plugin_installation_id": .string(installID)]
            )
            #expect(uninstalled.status == .ok)
            let gone = try await client.chat(app, "still there?")
            #expect(gone.status == .badRequest && gone.code == "provider_not_initialize", "\(gone.json)")
        }
    }
}
