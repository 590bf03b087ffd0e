import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Moderation (sensitive_word_avoidance): keywords and OpenAI's moderation model, on queries and on answers")
struct ModerationTests {
    static func keywords(_ words: String, inputs: Bool = true, outputs: Bool = false) -> [String: JSONValue] {
        [
            "sensitive_word_avoidance": [
                "enabled": true, "type": "keywords",
                "config": [
                    "inputs_config": ["enabled": .bool(inputs), "preset_response": "Sorry, I cannot talk about that."],
                    "outputs_config": ["enabled": .bool(outputs), "preset_response": "That answer was withheld."],
                    "keywords": .string(words),
                ],
            ]
        ]
    }

    @Test("a flagged query or input is answered with the preset response, blocking and streamed, without the model")
    func inputKeywords() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                var config = Self.keywords("secret\nBanana")
                config["user_input_form"] = [["text-input": ["variable": "topic", "label": "Topic", "required": false]]]
                let app = try await client.chatApp(stub, config: config)
                let parameters = try await client.get("/v1/parameters", token: app.key).json
                #expect(parameters["sensitive_word_avoidance"]["enabled"] == true && parameters["sensitive_word_avoidance"]["type"] == "keywords")

                let calls = AnnotationTests.chatCalls(stub)
                let flagged = try await client.chat(app, "Tell me the SECRET recipe")
                #expect(flagged.status == .ok, "\(flagged.json)")
                #expect(flagged.json["answer"] == "Sorry, I cannot talk about that.")
                #expect(flagged.json["metadata"]["usage"]["total_tokens"] == 0)
                let byInput = try await client.chat(app, "hello", extra: ["inputs": ["topic": "bananas"]])
                #expect(byInput.json["answer"] == "Sorry, I cannot talk about that.", "inputs are checked too, in any case")
                #expect(AnnotationTests.chatCalls(stub) == calls, "the model was not asked")

                var stream = try await EventStreamReader.open(
                    port: try #require(client.client.port), path: "/v1/chat-messages", token: app.key,
                    json: ["query": "any secrets?", "inputs": [:], "user": "bob", "response_mode": "streaming"])
                var text = ""
                var ended = false
                while let event = try await stream.nextEvent() {
                    if event["event"] == "message" { text += event["answer"].string ?? "" }
                    if event["event"] == "message_end" { ended = true }
                }
                #expect(text == "Sorry, I cannot talk about that." && ended)

                let fine = try await client.chat(app, "tell me about apples")
                #expect(fine.json["answer"] == "Echo: tell me about apples")
                #expect(AnnotationTests.chatCalls(stub) == calls + 1)
                // The preset answer is what the conversation keeps.
                let conversation = try #require(flagged.json["conversation_id"].string)
                let messages = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key)
                #expect(messages.json["data"][0]["answer"] == "Sorry, I cannot talk about that.")
            }
        }
    }

    @Test("a flagged answer is replaced by the preset response: message_replace when streamed, the preset when blocking and stored")
    func outputKeywords() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub, config: Self.keywords("echo", inputs: false, outputs: true))
                let blocking = try await client.chat(app, "hello there")
                #expect(blocking.json["answer"] == "That answer was withheld.", "\(blocking.json)")

                var stream = try await EventStreamReader.open(
                    port: try #require(client.client.port), path: "/v1/chat-messages", token: app.key,
                    json: ["query": "hello again", "inputs": [:], "user": "alice", "response_mode": "streaming"])
                var events: [String] = []
                var replaced = JSONValue.null
                while let event = try await stream.nextEvent() {
                    events.append(event["event"].string ?? "")
                    if event["event"] == "message_replace" { replaced = event }
                }
                #expect(replaced["answer"] == "That answer was withheld." && replaced["reason"] == "output_moderation", "\(events)")
                #expect(events.last == "message_end" && events.firstIndex(of: "message_replace")! > events.firstIndex(of: "message")!)
                let conversation = try #require(blocking.json["conversation_id"].string)
                let stored = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key)
                #expect(stored.json["data"][0]["answer"] == "That answer was withheld.")
            }
        }
    }

    @Test("OpenAI's moderation model, of the workspace's openai provider, flags queries")
    func openAIModeration() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(
                    stub,
                    config: [
                        "sensitive_word_avoidance": [
                            "enabled": true, "type": "openai_moderation",
                            "config": ["inputs_config": ["enabled": true, "preset_response": "Not here."], "outputs_config": ["enabled": false]],
                        ]
                    ])
                // Without the openai provider the model cannot be asked: nothing is flagged, as in Dify.
                #expect(try await client.chat(app, "something forbidden").json["answer"] == "Echo: something forbidden")
                let configured = try await client.post(
                    "/console/api/workspaces/current/model-providers/openai/credentials", token: app.owner.token,
                    json: ["credentials": ["openai_api_key": "sk-good", "openai_api_base": .string(stub.baseURL)]])
                #expect(configured.status == .ok, "\(configured.json)")
                #expect(try await client.chat(app, "something forbidden").json["answer"] == "Not here.")
                #expect(try await client.chat(app, "something allowed").json["answer"] == "Echo: something allowed")
                #expect(stub.requests.contains { $0["model"] == "omni-moderation-latest" })
            }
        }
    }

    @Test("a malformed moderation setting is refused with every problem named, and the configuration stays")
    func refusals() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub, config: Self.keywords("fine"))
                let model: JSONValue = ["provider": "openai_api_compatible", "name": "stub-chat"]
                for (feature, field) in [
                    (["enabled": true, "type": "regex", "config": [:]] as JSONValue, "sensitive_word_avoidance.type"),
                    (
                        ["enabled": true, "type": "keywords", "config": ["inputs_config": ["enabled": true], "keywords": "a"]],
                        "sensitive_word_avoidance.config.inputs_config.preset_response"
                    ),
                    (
                        ["enabled": true, "type": "keywords", "config": ["inputs_config": ["enabled": true, "preset_response": "x"]]],
                        "sensitive_word_avoidance.config.keywords"
                    ),
                    (
                        [
                            "enabled": true, "type": "keywords",
                            "config": [
                                "inputs_config": ["enabled": true, "preset_response": "x"],
                                "keywords": .string(Array(repeating: "w", count: 101).joined(separator: "\n")),
                            ],
                        ],
                        "sensitive_word_avoidance.config.keywords"
                    ),
                    (
                        [
                            "enabled": true, "type": "keywords",
                            "config": ["inputs_config": ["enabled": false], "outputs_config": ["enabled": false], "keywords": "a"],
                        ],
                        "sensitive_word_avoidance.config"
                    ),
                    (
                        [
                            "enabled": true, "type": "keywords",
                            "config": [
                                "inputs_config": ["enabled": true, "preset_response": .string(String(repeating: "p", count: 101))], "keywords": "a",
                            ],
                        ],
                        "sensitive_word_avoidance.config.inputs_config.preset_response"
                    ),
                ] {
                    let reply = try await client.post(
                        "/console/api/apps/\(app.id)/model-config", token: app.owner.token,
                        json: ["model": model, "sensitive_word_avoidance": feature])
                    expectError(reply, .badRequest, "invalid_param", field: field)
                }
                #expect(
                    try await client.chat(app, "a fine question").json["answer"] == "Sorry, I cannot talk about that.", "the stored setting stands")
            }
        }
    }
}
