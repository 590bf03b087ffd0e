import Core
import Foundation
import HTTPTypes
import Testing

@Suite("The console's logs and statistics of an app: every end user's conversations, a day at a time in the account's time zone")
struct AppLogsTests {
    /// Alice asks twice on 2027-01-15 (08:00 UTC) and likes the first answer; Bob asks once the next day (02:01 UTC).
    static func conversations(_ client: RelayClient, _ stub: StubUpstream) async throws -> (app: ChatApp, alice: String, bob: String, liked: String) {
        let app = try await client.chatApp(stub)
        try await client.setPlan("team", overrides: ["rpm": 10_000], for: app.owner)
        let first = try await client.chat(app, "first question", user: "alice")
        let alice = try #require(first.json["conversation_id"].string)
        let liked = try #require(first.json["message_id"].string)
        client.clock.advance(by: 60)
        #expect(try await client.chat(app, "second question", user: "alice", conversation: alice).status == .ok)
        _ = try await client.post("/v1/messages/\(liked)/feedbacks", token: app.key, json: ["rating": "like", "user": "alice"])
        client.clock.advance(by: 18 * 3600)
        let bob = try #require(try await client.chat(app, "third question", user: "bob").json["conversation_id"].string)
        // The owner's access token ran out while the clock moved on.
        return (ChatApp(owner: try await client.signIn(app.owner.email), id: app.id, key: app.key), alice, bob, liked)
    }

    @Test("chat logs list, filter, sort, page and show conversations and their messages in Dify's shapes; deletion and refusals")
    func chatLogs() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.allowsRegistration = true
            }) { client in
                let (app, alice, bob, liked) = try await Self.conversations(client, stub)
                let token = app.owner.token
                let base = "/console/api/apps/\(app.id)"

                var logs = try await client.get(base + "/chat-conversations", token: token)
                #expect(logs.status == .ok, "\(logs.json)")
                #expect(logs.json["total"] == 2 && logs.json["page"] == 1 && logs.json["limit"] == 20 && logs.json["has_more"] == false)
                #expect(logs.json["data"].array.compactMap { $0["id"].string } == [bob, alice], "newest update first")
                let item = logs.json["data"][1]
                #expect(item["name"] == "first question" && item["summary"] == "first question" && item["message_count"] == 2)
                #expect(item["from_end_user_session_id"] == "alice" && item["from_end_user_id"].string != nil && item["from_source"] == "api")
                #expect(item["user_feedback_stats"] == ["like": 1, "dislike": 0] && item["admin_feedback_stats"] == ["like": 0, "dislike": 0])
                #expect(item["status_count"]["success"] == 2 && item["annotated"] == false)
                #expect(item["model_config"]["model"]["name"] == "stub-chat")
                #expect(item["read_at"] == .null)

                logs = try await client.get(base + "/chat-conversations?sort_by=created_at&limit=1", token: token)
                #expect(logs.json["data"].array.compactMap { $0["id"].string } == [alice] && logs.json["has_more"] == true)
                logs = try await client.get(base + "/chat-conversations?keyword=THIRD", token: token)
                #expect(logs.json["data"].array.compactMap { $0["id"].string } == [bob], "answers and queries are searched")
                logs = try await client.get(base + "/chat-conversations?keyword=alice", token: token)
                #expect(logs.json["data"].array.compactMap { $0["id"].string } == [alice], "the end user is searched")
                logs = try await client.get(base + "/chat-conversations?start=2027-01-16%2000:00&sort_by=created_at", token: token)
                #expect(logs.json["data"].array.compactMap { $0["id"].string } == [bob], "\(logs.json)")
                logs = try await client.get(base + "/chat-conversations?end=2027-01-15%2008:00&sort_by=created_at", token: token)
                #expect(logs.json["data"].array.compactMap { $0["id"].string } == [alice], "the end minute is whole")

                // In the account's time zone (Los Angeles, UTC-8), both started on the 15th.
                let zone = try await client.post("/console/api/account/timezone", token: token, json: ["timezone": "America/Los_Angeles"])
                #expect(zone.status == .ok && zone.json["timezone"] == "America/Los_Angeles", "\(zone.json)")
                logs = try await client.get(
                    base + "/chat-conversations?start=2027-01-15%2000:00&end=2027-01-15%2023:59&sort_by=created_at", token: token)
                #expect(logs.json["total"] == 2, "\(logs.json)")
                expectError(
                    try await client.post("/console/api/account/timezone", token: token, json: ["timezone": "Mars/Olympus"]), .badRequest,
                    "invalid_param",
                    field: "timezone")

                // The detail, and the messages oldest first with what Dify shows of each.
                let detail = try await client.get(base + "/chat-conversations/\(alice)", token: token)
                #expect(detail.json["id"].string == alice && detail.json["message_count"] == 2 && detail.json["annotated"] == false, "\(detail.json)")
                #expect(detail.json["model_config"]["model"]["provider"] == "openai_api_compatible")
                // Opening a conversation marks it read; paging its messages does not.
                #expect(try await client.get(base + "/chat-messages?conversation_id=\(bob)", token: token).status == .ok)
                let read = try await client.get(base + "/chat-conversations?sort_by=created_at", token: token).json["data"]
                #expect(read[0]["read_at"].int != nil && read[1]["read_at"] == .null, "\(read)")
                let messages = try await client.get(base + "/chat-messages?conversation_id=\(alice)", token: token)
                let data = messages.json["data"].array
                #expect(data.compactMap { $0["query"].string } == ["first question", "second question"], "\(messages.json)")
                #expect(data[0]["id"].string == liked && data[0]["message_tokens"] == 11 && data[0]["answer_tokens"] == 7)
                #expect(data[0]["feedbacks"][0]["rating"] == "like" && data[0]["feedbacks"][0]["from_source"] == "user")
                #expect(data[0]["from_end_user_id"] == item["from_end_user_id"] && data[0]["metadata"]["usage"]["total_tokens"] == 18)
                #expect(data[0]["annotation"] == .null && data[0]["annotation_hit_history"] == .null && data[0]["status"] == "normal")
                let page = try await client.get(base + "/chat-messages?conversation_id=\(alice)&limit=1", token: token)
                #expect(page.json["data"][0]["query"] == "second question" && page.json["has_more"] == true)
                let older = try await client.get(
                    base + "/chat-messages?conversation_id=\(alice)&limit=1&first_id=\(try #require(page.json["data"][0]["id"].string))", token: token
                )
                #expect(older.json["data"][0]["query"] == "first question" && older.json["has_more"] == false)
                let one = try await client.get(base + "/messages/\(liked)", token: token)
                #expect(one.json["answer"] == "Echo: first question" && one.json["conversation_id"].string == alice)

                // The team's feedback shows beside the end user's.
                _ = try await client.post(
                    base + "/feedbacks", token: token, json: ["message_id": .string(liked), "rating": "dislike", "content": "too short"])
                logs = try await client.get(base + "/chat-conversations?keyword=first", token: token)
                #expect(logs.json["data"][0]["admin_feedback_stats"] == ["like": 0, "dislike": 1])
                expectError(
                    try await client.post(base + "/feedbacks", token: token, json: ["message_id": .string(UUID().uuidString), "rating": "like"]),
                    .notFound,
                    "not_found")

                // Wrong filters name their field.
                for (query, field) in [
                    ("annotation_status=maybe", "annotation_status"), ("sort_by=name", "sort_by"), ("start=yesterday", "start"),
                    ("start=2027-02-30%2000:00", "start"), ("start=2027-01-16%2000:00&end=2027-01-15%2000:00", "start"), ("limit=101", "limit"),
                    ("page=0", "page"),
                ] {
                    expectError(try await client.get(base + "/chat-conversations?\(query)", token: token), .badRequest, "invalid_param", field: field)
                }
                expectError(try await client.get(base + "/chat-messages", token: token), .badRequest, "invalid_param", field: "conversation_id")
                expectError(try await client.get(base + "/completion-conversations", token: token), .badRequest, "app_unavailable")

                // Members who only use apps, and other workspaces, see nothing.
                let member = try await client.addMember("normal@example.com", role: "normal", to: app.owner)
                expectError(try await client.get(base + "/chat-conversations", token: member.token), .forbidden, "access_denied")
                let stranger = try await client.register("stranger@example.com")
                for path in [base + "/chat-conversations", base + "/chat-conversations/\(alice)", base + "/messages/\(liked)"] {
                    expectError(try await client.get(path, token: stranger.token), .notFound, "not_found")
                }
                let strangers = try await client.chatApp(stub, owner: stranger, name: "Theirs")
                expectError(
                    try await client.get("/console/api/apps/\(strangers.id)/chat-conversations/\(alice)", token: stranger.token), .notFound,
                    "not_found")
                expectError(
                    try await client.get("/console/api/apps/\(strangers.id)/messages/\(liked)", token: stranger.token), .notFound, "not_found")

                #expect(try await client.send(.delete, base + "/chat-conversations/\(bob)", token: token).status == .noContent)
                expectError(try await client.get(base + "/chat-conversations/\(bob)", token: token), .notFound, "not_found")
                #expect(try await client.get(base + "/chat-conversations", token: token).json["total"] == 1)
            }
        }
    }

    @Test("completion logs list each message as its conversation, with its annotation")
    func completionLogs() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub, mode: "completion", config: ["pre_prompt": "Say:"])
                let base = "/console/api/apps/\(app.id)"
                var ids: [String] = []
                for query in ["apples", "pears"] {
                    let reply = try await client.post(
                        "/v1/completion-messages", token: app.key,
                        json: ["query": .string(query), "inputs": [:], "user": "carol", "response_mode": "blocking"])
                    ids.append(try #require(reply.json["message_id"].string))
                    client.clock.advance(by: 10)
                }
                _ = try await client.post(base + "/annotations", token: app.owner.token, json: ["message_id": .string(ids[0]), "answer": "Apples!"])
                let logs = try await client.get(base + "/completion-conversations", token: app.owner.token)
                #expect(logs.json["total"] == 2, "\(logs.json)")
                #expect(logs.json["data"].array.compactMap { $0["id"].string } == ids.reversed())
                #expect(logs.json["data"][0]["message"]["query"] == "pears" && logs.json["data"][0]["annotation"] == .null)
                #expect(logs.json["data"][1]["annotation"]["content"] == "Apples!" && logs.json["data"][1]["from_end_user_session_id"] == "carol")
                let annotated = try await client.get(base + "/completion-conversations?annotation_status=not_annotated", token: app.owner.token)
                #expect(annotated.json["data"].array.compactMap { $0["id"].string } == [ids[1]])
                let detail = try await client.get(base + "/completion-conversations/\(ids[0])", token: app.owner.token)
                #expect(detail.json["message"]["query"] == "apples" && detail.json["message"]["annotation"]["content"] == "Apples!", "\(detail.json)")
                #expect(try await client.send(.delete, base + "/completion-conversations/\(ids[0])", token: app.owner.token).status == .noContent)
                #expect(try await client.get(base + "/completion-conversations", token: app.owner.token).json["total"] == 1)
                expectError(try await client.get(base + "/chat-conversations", token: app.owner.token), .badRequest, "app_unavailable")

                // Only a completion app has an average response time; only chats have session interactions.
                let latency = try await client.get(base + "/statistics/average-response-time", token: app.owner.token)
                #expect(latency.status == .ok && latency.json["data"].array.count == 1, "\(latency.json)")
                #expect((latency.json["data"][0]["latency"].number ?? -1) >= 0 && latency.json["data"][0]["date"] == "2027-01-15")
                expectError(
                    try await client.get(base + "/statistics/average-session-interactions", token: app.owner.token), .badRequest, "app_unavailable")
            }
        }
    }

    @Test("statistics count per day in the account's time zone, over start to end, with Dify's figures and rounding")
    func statistics() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let (app, _, _, _) = try await Self.conversations(client, stub)
                var token = app.owner.token
                func statistic(_ name: String, _ query: String = "") async throws -> [JSONValue] {
                    let reply = try await client.get("/console/api/apps/\(app.id)/statistics/\(name)\(query)", token: token)
                    #expect(reply.status == .ok, "\(name): \(reply.json)")
                    return reply.json["data"].array
                }
                #expect(
                    try await statistic("daily-messages") == [
                        ["date": "2027-01-15", "message_count": 2], ["date": "2027-01-16", "message_count": 1],
                    ])
                #expect(
                    try await statistic("daily-conversations") == [
                        ["date": "2027-01-15", "conversation_count": 1], ["date": "2027-01-16", "conversation_count": 1],
                    ])
                #expect(
                    try await statistic("daily-end-users") == [
                        ["date": "2027-01-15", "terminal_count": 1], ["date": "2027-01-16", "terminal_count": 1],
                    ])
                let costs = try await statistic("token-costs")
                #expect(costs.first == ["date": "2027-01-15", "token_count": 36, "total_price": "0.0000000", "currency": "USD"], "\(costs)")
                #expect(try await statistic("user-satisfaction-rate") == [["date": "2027-01-15", "rate": 500], ["date": "2027-01-16", "rate": 0]])
                #expect(
                    try await statistic("average-session-interactions") == [
                        ["date": "2027-01-15", "interactions": 2], ["date": "2027-01-16", "interactions": 1],
                    ])
                let speed = try await statistic("tokens-per-second")
                #expect(speed.count == 2 && speed.allSatisfy { ($0["tps"].number ?? -1) >= 0 })
                #expect(
                    try await statistic("daily-messages", "?start=2027-01-16%2000:00&end=2027-01-17%2000:00") == [
                        ["date": "2027-01-16", "message_count": 1]
                    ])
                #expect(try await statistic("daily-messages", "?end=2027-01-15%2008:00") == [], "the end is exclusive")

                // In Los Angeles all three fell on the 15th.
                _ = try await client.post("/console/api/account/timezone", token: token, json: ["timezone": "America/Los_Angeles"])
                #expect(try await statistic("daily-messages") == [["date": "2027-01-15", "message_count": 3]])
                // Across a change to summer time: Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on 2027-03-28. Messages at
                // 23:30 UTC on the 27th and 22:30 UTC on the 28th are 00:30 on the 28th and on the 29th there.
                _ = try await client.post("/console/api/account/timezone", token: token, json: ["timezone": "Europe/Berlin"])
                client.clock.advance(by: 6_190_200 - 18 * 3600 - 60)
                _ = try await client.chat(app, "before the change", user: "dora")
                client.clock.advance(by: 6_273_000 - 6_190_200)
                _ = try await client.chat(app, "after the change", user: "dora")
                token = try await client.signIn(app.owner.email).token
                #expect(
                    try await statistic("daily-messages", "?start=2027-03-27%2000:00") == [
                        ["date": "2027-03-28", "message_count": 1], ["date": "2027-03-29", "message_count": 1],
                    ])

                expectError(
                    try await client.get("/console/api/apps/\(app.id)/statistics/daily-messages?start=2027-01-15", token: token), .badRequest,
                    "invalid_param", field: "start")
                expectError(
                    try await client.get("/console/api/apps/\(app.id)/statistics/average-response-time", token: token), .badRequest, "app_unavailable"
                )
            }
        }
    }
}
