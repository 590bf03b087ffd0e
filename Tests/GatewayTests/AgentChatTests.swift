import Core
import Foundation
import Testing

/// `agent-chat` apps calling the tools of the workspace's plugin installs: the model (the stub upstream) asks for a
/// tool, the plugin (the C echo plugin, sandboxed) runs it, and the model answers with what came back.
@Suite("Agent chat with plugin tools")
struct AgentChatTests {
    static let echoTool: JSONValue = [
        "provider_id": "relay/echo_c/echo_c", "provider_type": "builtin", "tool_name": "echo", "tool_parameters": [:], "enabled": true,
    ]

    @Test("an agent calls an installed plugin's tool and answers with its result, streamed as agent events and blocking")
    func toolRound() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.usePlugins()
            }) { client in
                let owner = try await client.setUpOwner()
                _ = try await client.installPlugin(try await client.builtInIdentifier("relay/echo_c", owner: owner), owner: owner)
                #expect(try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "good"], owner: owner).status == .ok)
                let app = try await client.chatApp(
                    stub, model: "stub-agent", mode: "agent-chat",
                    config: ["agent_mode": ["enabled": true, "strategy": "function_call", "tools": [Self.echoTool]]],
                    owner: owner
                )

                let blocking = try await client.chat(app, "hello there")
                #expect(blocking.status == .ok, "\(blocking.json)")
                #expect(blocking.json["answer"] == "Let me check. Tool said: echo: hello there", "\(blocking.json)")
                // Both model calls' tokens count.
                #expect(blocking.json["metadata"]["usage"]["total_tokens"] == 36)
                let offered = stub.requests.first { $0["model"] == "stub-agent" }
                #expect(offered?["tools"][0]["function"]["name"] == "echo")
                #expect(offered?["tools"][0]["function"]["parameters"]["properties"]["text"]["type"] == "string", "\(offered?["tools"] ?? nil)")

                let port = try #require(client.client.port)
                var reader = try await EventStreamReader.open(
                    port: port, path: "/v1/chat-messages", token: app.key,
                    json: ["query": "stream it", "inputs": [:], "user": "alice", "response_mode": "streaming"]
                )
                var events: [JSONValue] = []
                while let event = try await reader.nextEvent() { events.append(event) }
                let names = events.compactMap { $0["event"].string }
                #expect(names.first == "agent_message" && names.last == "message_end" && !names.contains("message"), "\(names)")
                let thought = try #require(events.first { $0["event"] == "agent_thought" })
                #expect(thought["tool"] == "echo" && thought["observation"] == "echo: stream it" && thought["position"] == 1, "\(thought)")
                #expect(thought["tool_input"].string?.contains("stream it") == true)
                let answer = events.filter { $0["event"] == "agent_message" }.compactMap { $0["answer"].string }.joined()
                #expect(answer == "Let me check. Tool said: echo: stream it")
            }
        }
    }

    @Test("an agent's tools are checked when its config is saved; a failing tool is told to the model, not the client")
    func toolProblems() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.usePlugins()
            }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                let appID = try await client.createApp("Agent", mode: "agent-chat", as: owner)
                let missing = try await client.post(
                    "/console/api/apps/\(appID)/model-config", token: owner.token,
                    json: [
                        "model": ["provider": "openai_api_compatible", "name": "stub-agent"],
                        "agent_mode": ["enabled": true, "tools": [Self.echoTool, ["tool_name": "x"]]],
                    ]
                )
                #expect(missing.status == .badRequest, "\(missing.json)")
                let fields = Set(missing.json["details"]["problems"].array.compactMap { $0["field"].string })
                #expect(fields == ["agent_mode.tools[0]", "agent_mode.tools[1]"], "\(missing.json)")

                // Installed but without credentials: the tool's error goes to the model as its observation.
                _ = try await client.installPlugin(try await client.builtInIdentifier("relay/echo_c", owner: owner), owner: owner)
                let app = try await client.chatApp(
                    stub, model: "stub-agent", mode: "agent-chat", config: ["agent_mode": ["enabled": true, "tools": [Self.echoTool]]],
                    owner: owner, name: "Agent 2"
                )
                let reply = try await client.chat(app, "hi")
                #expect(reply.status == .ok)
                #expect(reply.json["answer"].string?.hasPrefix("Let me check. Tool said: tool error: ") == true, "\(reply.json)")
            }
        }
    }
}
