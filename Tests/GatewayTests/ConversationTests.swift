import Core
import Foundation
import Testing

@Suite("Conversations, messages and feedback")
struct ConversationTests {
    @Test("conversations page by last_id in each order; messages page backwards by first_id")
    func pagination() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub)
                var conversations: [String] = []
                for index in 0..<5 {
                    client.clock.advance(by: 1)
                    conversations.append(try #require(try await client.chat(app, "topic \(index)").json["conversation_id"].string))
                }
                // Newest activity first by default: talking in the first conversation again moves it to the front.
                client.clock.advance(by: 1)
                _ = try await client.chat(app, "back to topic 0", conversation: conversations[0])
                let expected = [conversations[0], conversations[4], conversations[3], conversations[2], conversations[1]]
                var seen: [String] = []
                var lastID: String?
                var pages = 0
                repeat {
                    let query = "/v1/conversations?user=alice&limit=2" + (lastID.map { "&last_id=\($0)" } ?? "")
                    let page = try await client.get(query, token: app.key).json
                    let ids = page["data"].array.compactMap { $0["id"].string }
                    seen += ids
                    lastID = ids.last
                    pages += 1
                    #expect(page["has_more"].bool == (seen.count < 5))
                    if page["has_more"] != true { break }
                } while pages < 10
                #expect(seen == expected)
                let oldestFirst = try await client.get("/v1/conversations?user=alice&sort_by=created_at", token: app.key).json
                #expect(oldestFirst["data"].array.compactMap { $0["id"].string } == conversations)
                expectError(
                    try await client.get("/v1/conversations?user=alice&sort_by=name", token: app.key), .badRequest, "invalid_param", field: "sort_by")
                expectError(
                    try await client.get("/v1/conversations?user=alice&limit=101", token: app.key), .badRequest, "invalid_param", field: "limit")
                expectError(
                    try await client.get("/v1/conversations?user=alice&last_id=\(UUID().uuidString)", token: app.key), .notFound, "not_found"
                )

                // Five exchanges in one conversation, read three at a time from the newest.
                let long = conversations[1]
                for index in 1...4 {
                    client.clock.advance(by: 1)
                    _ = try await client.chat(app, "more \(index)", conversation: long)
                }
                let newest = try await client.get("/v1/messages?conversation_id=\(long)&user=alice&limit=3", token: app.key).json
                #expect(newest["data"].array.map { $0["query"].string ?? "" } == ["more 2", "more 3", "more 4"])
                #expect(newest["has_more"] == true)
                let firstID = try #require(newest["data"][0]["id"].string)
                let older = try await client.get("/v1/conversations/\(long)/messages?user=alice&limit=3&first_id=\(firstID)", token: app.key).json
                #expect(older["data"].array.map { $0["query"].string ?? "" } == ["topic 1", "more 1"])
                #expect(older["has_more"] == false)
                expectError(try await client.get("/v1/messages?user=alice", token: app.key), .badRequest, "invalid_param", field: "conversation_id")
            }
        }
    }

    @Test("rename (by hand or generated), feedback, suggestions and delete")
    func lifecycle() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub, config: ["suggested_questions_after_answer": ["enabled": true]])
                let first = try await client.chat(app, "How do tides work?")
                let conversation = try #require(first.json["conversation_id"].string)
                let message = try #require(first.json["message_id"].string)

                let renamed = try await client.post(
                    "/v1/conversations/\(conversation)/name", token: app.key, json: ["name": "Tides", "user": "alice"]
                )
                #expect(renamed.json["name"] == "Tides")
                #expect(renamed.json["id"].string == conversation)
                // Generated from the first query by the app's model (the stub echoes the prompt's last line).
                let generated = try await client.post(
                    "/v1/conversations/\(conversation)/name", token: app.key, json: ["auto_generate": true, "user": "alice"]
                )
                #expect(generated.json["name"].string?.hasSuffix("How do tides work?") == true, "\(generated.json)")
                expectError(
                    try await client.post("/v1/conversations/\(conversation)/name", token: app.key, json: ["name": " ", "user": "alice"]),
                    .badRequest, "invalid_param", field: "name"
                )

                let liked = try await client.post(
                    "/v1/messages/\(message)/feedbacks", token: app.key, json: ["rating": "like", "user": "alice", "content": "great"]
                )
                #expect(liked.json == ["result": "success"])
                let listed = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key).json
                #expect(listed["data"][0]["feedback"] == ["rating": "like"])
                _ = try await client.post("/v1/messages/\(message)/feedbacks", token: app.key, json: ["rating": nil, "user": "alice"])
                #expect(
                    try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key).json["data"][0]["feedback"]
                        == .null)
                expectError(
                    try await client.post("/v1/messages/\(message)/feedbacks", token: app.key, json: ["rating": "meh", "user": "alice"]),
                    .badRequest, "invalid_param", field: "rating"
                )

                let suggested = try await client.get("/v1/messages/\(message)/suggested?user=alice", token: app.key).json
                #expect(suggested["result"] == "success")
                #expect(suggested["data"].array.count == 1)  // the stub answers with one line

                let deleted = try await client.send(.delete, "/v1/conversations/\(conversation)", token: app.key, json: ["user": "alice"])
                #expect(deleted.status == .noContent)
                expectError(
                    try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key), .notFound, "not_found"
                )
                expectError(
                    try await client.send(.delete, "/v1/conversations/\(conversation)", token: app.key, json: ["user": "alice"]), .notFound,
                    "not_found")
            }
        }
    }

    @Test("suggestions need the app to enable them")
    func suggestionsDisabled() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub)
                let message = try #require(try await client.chat(app, "hi").json["message_id"].string)
                expectError(
                    try await client.get("/v1/messages/\(message)/suggested?user=alice", token: app.key), .forbidden,
                    "app_suggested_questions_after_answer_disabled"
                )
            }
        }
    }

    @Test("another end user, another app and another workspace find none of a user's conversations or messages")
    func isolation() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.allowsRegistration = true
                $0.forChatTests()
            }) { client in
                let app = try await client.chatApp(stub)
                let first = try await client.chat(app, "secret plans")
                let conversation = try #require(first.json["conversation_id"].string)
                let message = try #require(first.json["message_id"].string)
                let sibling = try await client.chatApp(stub, owner: app.owner, name: "Sibling")
                let stranger = try await client.chatApp(stub, owner: try await client.register("eve@example.com"), name: "Other")

                for (key, user) in [(app.key, "bob"), (sibling.key, "alice"), (stranger.key, "alice")] {
                    #expect(try await client.get("/v1/conversations?user=\(user)", token: key).json["data"] == [])
                    expectError(
                        try await client.get("/v1/messages?conversation_id=\(conversation)&user=\(user)", token: key), .notFound, "not_found"
                    )
                    expectError(
                        try await client.post("/v1/conversations/\(conversation)/name", token: key, json: ["name": "x", "user": .string(user)]),
                        .notFound, "not_found"
                    )
                    expectError(
                        try await client.post("/v1/messages/\(message)/feedbacks", token: key, json: ["rating": "dislike", "user": .string(user)]),
                        .notFound, "not_found"
                    )
                    expectError(
                        try await client.send(.delete, "/v1/conversations/\(conversation)", token: key, json: ["user": .string(user)]),
                        .notFound, "not_found"
                    )
                    // Continuing the conversation is refused too, and starts nothing.
                    expectError(
                        try await client.chat(ChatApp(owner: app.owner, id: "", key: key), "more", user: user, conversation: conversation), .notFound,
                        "not_found")
                }
                let still = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key).json
                #expect(still["data"].array.count == 1)
                #expect(still["data"][0]["feedback"] == .null)
                #expect(try await client.get("/v1/conversations?user=alice", token: app.key).json["data"][0]["name"] == "secret plans")
            }
        }
    }
}
