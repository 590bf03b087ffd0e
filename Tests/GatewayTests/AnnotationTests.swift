import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Annotations: written through the service API and the console, and answering queries in place of the model")
struct AnnotationTests {
    /// Chat completions the stub was asked for (embeddings and reranks are recorded too, without `messages`).
    static func chatCalls(_ stub: StubUpstream) -> Int {
        stub.requests.filter { $0["messages"] != .null }.count
    }

    /// Turns reply on with the stub's bag-of-words embeddings and waits for the job that embeds the questions; through
    /// the service API (`base` `/v1/apps`) or the console (`/console/api/apps/{id}`).
    static func enableReply(_ client: RelayClient, base: String = "/v1/apps", token key: String, threshold: Double = 0.9) async throws -> String {
        let enabled = try await client.post(
            base + "/annotation-reply/enable", token: key,
            json: [
                "score_threshold": .number(threshold), "embedding_provider_name": "openai_api_compatible",
                "embedding_model_name": "stub-embed-words",
            ])
        #expect(enabled.status == .ok, "\(enabled.json)")
        #expect(enabled.json["job_status"] == "waiting")
        let job = try #require(enabled.json["job_id"].string)
        var status = JSONValue.null
        for _ in 0..<200 {
            status = try await client.get(base + "/annotation-reply/enable/status/\(job)", token: key).json
            if status["job_status"] == "completed" || status["job_status"] == "error" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(status["job_status"] == "completed", "\(status)")
        #expect(status["error_msg"] == "")
        return job
    }

    /// A chat app of the stub on a plan roomy enough for the test's calls and members.
    static func app(_ client: RelayClient, _ stub: StubUpstream) async throws -> ChatApp {
        let app = try await client.chatApp(stub)
        try await client.setPlan("team", overrides: ["rpm": 10_000], for: app.owner)
        return app
    }

    @Test("the service API writes, lists, finds by keyword, changes and deletes annotations in Dify's shapes; wrong input changes nothing")
    func serviceAPI() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.allowsRegistration = true
            }) { client in
                let app = try await Self.app(client, stub)
                let created = try await client.post(
                    "/v1/apps/annotations", token: app.key, json: ["question": "What are your opening hours?", "answer": "Nine to five."])
                #expect(created.status == .created, "\(created.json)")
                #expect(created.json["question"] == "What are your opening hours?" && created.json["answer"] == "Nine to five.")
                #expect(created.json["hit_count"] == 0 && created.json["created_at"].int != nil)
                let id = try #require(created.json["id"].string)
                for index in 1...3 {
                    let reply = try await client.post(
                        "/v1/apps/annotations", token: app.key, json: ["question": .string("Question \(index)"), "answer": "Answer"])
                    #expect(reply.status == .created)
                }

                var list = try await client.get("/v1/apps/annotations?page=1&limit=2", token: app.key)
                #expect(list.status == .ok)
                #expect(list.json["total"] == 4 && list.json["page"] == 1 && list.json["limit"] == 2 && list.json["has_more"] == true)
                #expect(list.json["data"].array.count == 2)
                list = try await client.get("/v1/apps/annotations?keyword=OPENING", token: app.key)
                #expect(list.json["data"].array.compactMap { $0["id"].string } == [id], "\(list.json)")
                list = try await client.get("/v1/apps/annotations?keyword=five", token: app.key)
                #expect(list.json["total"] == 1, "the answer is searched too")

                let changed = try await client.send(
                    .put, "/v1/apps/annotations/\(id)", token: app.key, json: ["question": "When are you open?", "answer": "Nine to six."])
                #expect(changed.status == .ok && changed.json["answer"] == "Nine to six." && changed.json["id"].string == id)

                // Refused with the field named, nothing changed.
                expectError(
                    try await client.post("/v1/apps/annotations", token: app.key, json: ["question": "No answer"]), .badRequest, "invalid_param",
                    field: "answer")
                expectError(
                    try await client.send(.put, "/v1/apps/annotations/\(id)", token: app.key, json: ["question": "", "answer": "x"]), .badRequest,
                    "invalid_param", field: "question")
                expectError(
                    try await client.post(
                        "/v1/apps/annotations", token: app.key, json: ["question": .string(String(repeating: "q", count: 2_001)), "answer": "a"]),
                    .badRequest, "invalid_param", field: "question")
                expectError(
                    try await client.send(.put, "/v1/apps/annotations/not-a-uuid", token: app.key, json: ["question": "q", "answer": "a"]),
                    .badRequest, "invalid_param", field: "annotation_id")
                expectError(
                    try await client.send(.put, "/v1/apps/annotations/\(UUID().uuidString)", token: app.key, json: ["question": "q", "answer": "a"]),
                    .notFound, "not_found")
                expectError(try await client.get("/v1/apps/annotations?limit=101", token: app.key), .badRequest, "invalid_param", field: "limit")
                list = try await client.get("/v1/apps/annotations?keyword=six", token: app.key)
                #expect(list.json["total"] == 1)

                // Another workspace's app sees none of them and changes none.
                let other = try await client.chatApp(stub, owner: try await client.register("other@example.com"), name: "Other")
                #expect(try await client.get("/v1/apps/annotations", token: other.key).json["total"] == 0)
                expectError(
                    try await client.send(.put, "/v1/apps/annotations/\(id)", token: other.key, json: ["question": "q", "answer": "a"]),
                    .notFound, "not_found")
                expectError(try await client.send(.delete, "/v1/apps/annotations/\(id)", token: other.key), .notFound, "not_found")

                let deleted = try await client.send(.delete, "/v1/apps/annotations/\(id)", token: app.key)
                #expect(deleted.status == .noContent)
                expectError(try await client.send(.delete, "/v1/apps/annotations/\(id)", token: app.key), .notFound, "not_found")
                #expect(try await client.get("/v1/apps/annotations", token: app.key).json["total"] == 3)
            }
        }
    }

    @Test("with reply on, a close query is answered from its annotation without the model, blocking and streamed; others reach the model")
    func reply() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.allowsRegistration = true
            }) { client in
                let app = try await Self.app(client, stub)
                let created = try await client.post(
                    "/v1/apps/annotations", token: app.key,
                    json: ["question": "What are your opening hours?", "answer": "We open at nine and close at five."])
                let annotation = try #require(created.json["id"].string)
                #expect(try await client.get("/v1/parameters", token: app.key).json["annotation_reply"] == ["enabled": false])

                let job = try await Self.enableReply(client, token: app.key)
                let parameters = try await client.get("/v1/parameters", token: app.key).json["annotation_reply"]
                #expect(parameters["enabled"] == true && parameters["score_threshold"] == 0.9 && parameters["id"].string != nil, "\(parameters)")
                #expect(parameters["embedding_model"]["embedding_model_name"] == "stub-embed-words")
                // A job's status is asked under its own action only.
                expectError(try await client.get("/v1/apps/annotation-reply/disable/status/\(job)", token: app.key), .notFound, "not_found")
                expectError(try await client.get("/v1/apps/annotation-reply/pause/status/\(job)", token: app.key), .badRequest, "invalid_param")

                // Blocking: the annotation's answer, no model call, nothing spent.
                let calls = Self.chatCalls(stub)
                let answered = try await client.chat(app, "what are your opening hours")
                #expect(answered.status == .ok, "\(answered.json)")
                #expect(answered.json["answer"] == "We open at nine and close at five.")
                #expect(answered.json["metadata"]["annotation_reply"]["id"].string == annotation, "\(answered.json)")
                #expect(answered.json["metadata"]["annotation_reply"]["account"]["name"] == "Owner")
                #expect(answered.json["metadata"]["usage"]["total_tokens"] == 0)
                #expect(Self.chatCalls(stub) == calls, "the model was not asked")

                // Streamed: the answer in pieces, then message_end with the annotation.
                var stream = try await EventStreamReader.open(
                    port: try #require(client.client.port), path: "/v1/chat-messages", token: app.key,
                    json: ["query": "What are your opening hours?", "inputs": [:], "user": "bob", "response_mode": "streaming"])
                var text = ""
                var end = JSONValue.null
                while let event = try await stream.nextEvent() {
                    if event["event"] == "message" { text += event["answer"].string ?? "" }
                    if event["event"] == "message_end" { end = event }
                }
                #expect(text == "We open at nine and close at five.")
                #expect(end["metadata"]["annotation_reply"]["id"].string == annotation, "\(end)")
                #expect(Self.chatCalls(stub) == calls)

                // A query far from every question is the model's.
                let other = try await client.chat(app, "tell me about rockets")
                #expect(other.json["answer"] == "Echo: tell me about rockets")
                #expect(other.json["metadata"]["annotation_reply"] == .null)
                #expect(Self.chatCalls(stub) == calls + 1)

                // Both answers stand in the conversation's messages; the hits are counted and listed.
                let conversation = try #require(answered.json["conversation_id"].string)
                let messages = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key)
                #expect(messages.json["data"].array.compactMap { $0["answer"].string } == ["We open at nine and close at five."])
                let listed = try await client.get("/v1/apps/annotations", token: app.key)
                #expect(listed.json["data"][0]["hit_count"] == 2, "\(listed.json)")
                let hits = try await client.get("/console/api/apps/\(app.id)/annotations/\(annotation)/hit-histories", token: app.owner.token)
                #expect(hits.json["total"] == 2, "\(hits.json)")
                #expect(
                    hits.json["data"].array.compactMap { $0["question"].string }.sorted() == [
                        "What are your opening hours?", "what are your opening hours",
                    ])
                #expect(hits.json["data"][0]["match"] == "What are your opening hours?" && hits.json["data"][0]["source"] == "api")
                #expect((hits.json["data"][0]["score"].number ?? 0) >= 0.9)

                // An annotation written while reply is on is embedded at once and answers.
                _ = try await client.post(
                    "/v1/apps/annotations", token: app.key, json: ["question": "Do you deliver pizza", "answer": "Only on Fridays."])
                #expect(try await client.chat(app, "do you deliver pizza").json["answer"] == "Only on Fridays.")

                // Off again: the model answers, the annotations stay.
                let disabled = try await client.post("/v1/apps/annotation-reply/disable", token: app.key, json: [:])
                let disableJob = try #require(disabled.json["job_id"].string)
                #expect(
                    try await client.get("/v1/apps/annotation-reply/disable/status/\(disableJob)", token: app.key).json["job_status"] == "completed")
                #expect(try await client.chat(app, "what are your opening hours").json["answer"] == "Echo: what are your opening hours")
                #expect(try await client.get("/v1/apps/annotations", token: app.key).json["total"] == 2)
                #expect(try await client.get("/v1/parameters", token: app.key).json["annotation_reply"] == ["enabled": false])
            }
        }
    }

    @Test("reply needs an embedding model the workspace has and a threshold from 0 to 1; refused, nothing is turned on")
    func enableRefusals() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.allowsRegistration = true
            }) { client in
                let app = try await Self.app(client, stub)
                let base: [String: JSONValue] = [
                    "score_threshold": 0.8, "embedding_provider_name": "openai_api_compatible", "embedding_model_name": "stub-embed-words",
                ]
                for (field, value, code) in [
                    ("score_threshold", JSONValue.number(1.5), "invalid_param"), ("score_threshold", .null, "invalid_param"),
                    ("embedding_provider_name", "no-such-provider", "provider_not_initialize"), ("embedding_model_name", "", "invalid_param"),
                ] {
                    var body = base
                    body[field] = value
                    let reply = try await client.post("/v1/apps/annotation-reply/enable", token: app.key, json: .object(body))
                    #expect(reply.status == .badRequest && reply.code == code, "\(field): \(reply.json)")
                }
                #expect(try await client.get("/v1/parameters", token: app.key).json["annotation_reply"] == ["enabled": false])
                // `disable` needs no setting, but one sent must be well formed.
                expectError(
                    try await client.post("/v1/apps/annotation-reply/disable", token: app.key, json: ["score_threshold": 7]), .badRequest,
                    "invalid_param", field: "score_threshold")
                expectError(
                    try await client.post("/v1/apps/annotation-reply/disable", token: app.key, json: ["embedding_model_name": []]), .badRequest,
                    "invalid_param")
                expectError(
                    try await client.get("/v1/apps/annotation-reply/enable/status/\(UUID().uuidString)", token: app.key), .notFound, "not_found")
            }
        }
    }

    @Test("the console manages an app's annotations and reply setting, annotates logged messages, and keeps other workspaces and members out")
    func console() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.allowsRegistration = true
            }) { client in
                let app = try await Self.app(client, stub)
                let token = app.owner.token
                let base = "/console/api/apps/\(app.id)"
                let asked = try await client.chat(app, "How do I reset my password")
                let message = try #require(asked.json["message_id"].string)

                // Annotating a logged message takes its query as the question.
                let made = try await client.post(
                    base + "/annotations", token: token, json: ["message_id": .string(message), "answer": "Use the link."])
                #expect(made.status == .ok, "\(made.json)")
                #expect(made.json["question"] == "How do I reset my password" && made.json["answer"] == "Use the link.")
                let annotation = try #require(made.json["id"].string)
                // Again: the message's annotation is replaced, not doubled.
                let again = try await client.post(
                    base + "/annotations", token: token, json: ["message_id": .string(message), "answer": "Click forgot."])
                #expect(again.json["id"].string == annotation && again.json["answer"] == "Click forgot.")
                #expect(try await client.get(base + "/annotations/count", token: token).json["count"] == 1)

                let updated = try await client.post(
                    base + "/annotations/\(annotation)", token: token, json: ["question": "Reset password?", "answer": "Click forgot."])
                #expect(updated.status == .ok && updated.json["question"] == "Reset password?")
                for index in 1...3 {
                    _ = try await client.post(base + "/annotations", token: token, json: ["question": .string("Q\(index)"), "answer": "A"])
                }
                let export = try await client.get(base + "/annotations/export", token: token)
                #expect(export.json["data"].array.count == 4)

                // The conversation shows as annotated in the logs, and the message with its annotation.
                let conversation = try #require(asked.json["conversation_id"].string)
                let logs = try await client.get(base + "/chat-conversations?annotation_status=annotated", token: token)
                #expect(logs.json["data"].array.compactMap { $0["id"].string } == [conversation], "\(logs.json)")
                #expect(logs.json["data"][0]["annotated"] == true)
                let messages = try await client.get(base + "/chat-messages?conversation_id=\(conversation)", token: token)
                #expect(messages.json["data"][0]["annotation"]["id"].string == annotation, "\(messages.json)")
                #expect(messages.json["data"][0]["annotation"]["account"]["name"] == "Owner")

                // Setting: off, on, threshold changed.
                #expect(try await client.get(base + "/annotation-setting", token: token).json == ["enabled": false])
                _ = try await Self.enableReply(client, base: base, token: token, threshold: 0.8)
                let setting = try await client.get(base + "/annotation-setting", token: token).json
                let settingID = try #require(setting["id"].string)
                #expect(setting["enabled"] == true && setting["score_threshold"] == 0.8)
                let changed = try await client.post(base + "/annotation-settings/\(settingID)", token: token, json: ["score_threshold": 0.95])
                #expect(changed.json["score_threshold"] == 0.95, "\(changed.json)")
                expectError(
                    try await client.post(base + "/annotation-settings/\(UUID().uuidString)", token: token, json: ["score_threshold": 0.5]),
                    .notFound, "not_found")
                #expect(try await client.chat(app, "reset password").json["answer"] == "Click forgot.")

                // Members who only use apps are refused; another workspace's owner finds nothing.
                let member = try await client.addMember("normal@example.com", role: "normal", to: app.owner)
                expectError(try await client.get(base + "/annotations", token: member.token), .forbidden, "access_denied")
                let stranger = try await client.register("stranger@example.com")
                for path in [base + "/annotations", base + "/annotation-setting", base + "/annotations/\(annotation)/hit-histories"] {
                    expectError(try await client.get(path, token: stranger.token), .notFound, "not_found")
                }
                expectError(try await client.send(.delete, base + "/annotations/\(annotation)", token: stranger.token), .notFound, "not_found")

                // Batch delete by id, then all; an empty id is refused.
                expectError(try await client.send(.delete, base + "/annotations?annotation_id=", token: token), .badRequest, "invalid_param")
                let ids = try await client.get(base + "/annotations?keyword=Q", token: token).json["data"].array.compactMap { $0["id"].string }
                #expect(ids.count == 3)
                let batch = try await client.send(.delete, base + "/annotations?annotation_id=\(ids[0])&annotation_id=\(ids[1])", token: token)
                #expect(batch.status == .noContent)
                #expect(try await client.get(base + "/annotations/count", token: token).json["count"] == 2)
                #expect(try await client.send(.delete, base + "/annotations", token: token).status == .noContent)
                #expect(try await client.get(base + "/annotations/count", token: token).json["count"] == 0)
            }
        }
    }
}
