import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Dify's small app reads: the API's index, the site, end users, feedback lists, models by type, completion queries from inputs")
struct AppReadsTests {
    @Test("GET /v1 and /api describe the API with no key")
    func index() async throws {
        try await withRelay { client in
            for path in ["/v1", "/api"] {
                let reply = try await client.get(path)
                #expect(reply.status == .ok, "\(path): \(reply.json)")
                #expect(reply.json["api_version"] == "v1" && reply.json["welcome"].string != nil && reply.json["server_version"].string != nil)
            }
        }
    }

    @Test("the site shows the app's defaults until the console changes it; wrong changes are refused whole; the code resets for admins")
    func site() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.allowsRegistration = true
            }) { client in
                let app = try await client.chatApp(stub, name: "Helpdesk")
                try await client.setPlan("team", overrides: ["rpm": 10_000], for: app.owner)
                var site = try await client.get("/v1/site", token: app.key)
                #expect(site.status == .ok, "\(site.json)")
                #expect(site.json["title"] == "Helpdesk" && site.json["default_language"] == "en-US" && site.json["icon_type"] == "emoji")
                #expect(site.json["chat_color_theme_inverted"] == false && site.json["show_workflow_steps"] == true)
                #expect(site.json["copyright"] == .null && site.json["icon_url"] == .null)

                let base = "/console/api/apps/\(app.id)/site"
                let changed = try await client.post(
                    base, token: app.owner.token,
                    json: [
                        "title": "Help", "copyright": "Example Ltd", "privacy_policy": "https://example.com/privacy", "default_language": "de-DE",
                        "chat_color_theme": "#123456", "use_icon_as_answer_icon": true, "description": .null,
                    ])
                #expect(changed.status == .ok, "\(changed.json)")
                #expect(changed.json["title"] == "Help" && changed.json["code"].string?.count == 16 && changed.json["app_id"].string == app.id)
                site = try await client.get("/v1/site", token: app.key)
                #expect(site.json["title"] == "Help" && site.json["copyright"] == "Example Ltd" && site.json["default_language"] == "de-DE")
                #expect(site.json["use_icon_as_answer_icon"] == true && site.json["description"] == "", "null leaves a field as it was")

                // Every problem at once, nothing stored.
                let refused = try await client.post(
                    base, token: app.owner.token, json: ["title": "New", "default_language": "xx-XX", "prompt_public": "yes", "icon_type": "gif"])
                expectError(refused, .badRequest, "invalid_param", field: "icon_type")
                #expect(refused.json["details"]["problems"].array.count == 3, "\(refused.json)")
                #expect(try await client.get("/v1/site", token: app.key).json["title"] == "Help")

                let code = try #require(changed.json["code"].string)
                let reset = try await client.post(base + "/access-token-reset", token: app.owner.token)
                #expect(reset.status == .ok && reset.json["code"].string != code && reset.json["title"] == "Help")

                // Editors change the site but not its code; normal members neither; other workspaces find no app.
                let editor = try await client.addMember("editor@example.com", role: "editor", to: app.owner)
                #expect(try await client.post(base, token: editor.token, json: ["title": "By editor"]).status == .ok)
                expectError(try await client.post(base + "/access-token-reset", token: editor.token), .forbidden, "access_denied")
                let member = try await client.addMember("normal@example.com", role: "normal", to: app.owner)
                expectError(try await client.post(base, token: member.token, json: ["title": "No"]), .forbidden, "access_denied")
                let stranger = try await client.register("stranger@example.com")
                expectError(try await client.post(base, token: stranger.token, json: ["title": "No"]), .notFound, "not_found")
                #expect(try await client.get("/v1/site", token: app.key).json["title"] == "By editor")
            }
        }
    }

    @Test("end users get an id when they first talk to an app, readable by that app's keys only; feedback is listed newest first")
    func endUsersAndFeedback() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.allowsRegistration = true
            }) { client in
                let app = try await client.chatApp(stub)
                try await client.setPlan("team", overrides: ["rpm": 10_000], for: app.owner)
                let first = try await client.chat(app, "hello", user: "alice")
                client.clock.advance(by: 1)
                let second = try await client.chat(app, "again", user: "bob")
                let message = try #require(first.json["message_id"].string)
                let bobs = try #require(second.json["message_id"].string)

                // The console's logs name the end user by id; the service API reads it.
                let logs = try await client.get("/console/api/apps/\(app.id)/chat-conversations?sort_by=created_at", token: app.owner.token)
                let alice = try #require(logs.json["data"][0]["from_end_user_id"].string, "\(logs.json)")
                #expect(logs.json["data"][0]["from_end_user_session_id"] == "alice")
                let user = try await client.get("/v1/end-users/\(alice)", token: app.key)
                #expect(user.status == .ok, "\(user.json)")
                #expect(user.json["session_id"] == "alice" && user.json["external_user_id"] == "alice" && user.json["type"] == "service_api")
                #expect(user.json["app_id"].string == app.id && user.json["is_anonymous"] == false)
                #expect(user.json["created_at"].string?.hasPrefix("2027-01-15T08:00") == true, "\(user.json)")
                expectError(try await client.get("/v1/end-users/\(UUID().uuidString)", token: app.key), .notFound, "end_user_not_found")
                expectError(try await client.get("/v1/end-users/alice", token: app.key), .badRequest, "invalid_param", field: "end_user_id")
                let other = try await client.chatApp(stub, owner: try await client.register("other@example.com"), name: "Other")
                expectError(try await client.get("/v1/end-users/\(alice)", token: other.key), .notFound, "end_user_not_found")

                // Feedback: the end user's and the team's, newest first.
                #expect(try await client.get("/v1/app/feedbacks", token: app.key).json["data"] == [])
                _ = try await client.post(
                    "/v1/messages/\(message)/feedbacks", token: app.key, json: ["rating": "like", "user": "alice", "content": "great"])
                client.clock.advance(by: 60)
                let admin = try await client.post(
                    "/console/api/apps/\(app.id)/feedbacks", token: app.owner.token, json: ["message_id": .string(bobs), "rating": "dislike"])
                #expect(admin.status == .ok, "\(admin.json)")
                let feedbacks = try await client.get("/v1/app/feedbacks", token: app.key)
                let data = feedbacks.json["data"].array
                #expect(data.count == 2, "\(feedbacks.json)")
                #expect(data.first?["from_source"] == "admin" && data.first?["rating"] == "dislike" && data.first?["message_id"].string == bobs)
                #expect(data.first?["from_account_id"].string != nil && data.first?["from_end_user_id"] == .null)
                #expect(data.last?["from_source"] == "user" && data.last?["content"] == "great" && data.last?["from_end_user_id"].string == alice)
                #expect(data.last?["app_id"].string == app.id && data.last?["id"].string != data.first?["id"].string)
                #expect(try await client.get("/v1/app/feedbacks?page=2&limit=1", token: app.key).json["data"].array.count == 1)
                expectError(try await client.get("/v1/app/feedbacks?limit=102", token: app.key), .badRequest, "invalid_param", field: "limit")
                #expect(try await client.get("/v1/app/feedbacks", token: other.key).json["data"] == [])
                // Taken back, it is gone from the list.
                _ = try await client.post(
                    "/console/api/apps/\(app.id)/feedbacks", token: app.owner.token, json: ["message_id": .string(bobs), "rating": .null])
                #expect(try await client.get("/v1/app/feedbacks", token: app.key).json["data"].array.count == 1)
            }
        }
    }

    @Test("a dataset key lists the workspace's usable models of a type, as Dify's knowledge SDKs read them")
    func modelTypes() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let owner = try await client.setUpOwner()
                let key = try await client.datasetKey(as: owner)
                #expect(try await client.get("/v1/workspaces/current/models/model-types/text-embedding", token: key).json["data"] == [])
                try await client.configureStubProvider(stub, as: owner)
                let reply = try await client.get("/v1/workspaces/current/models/model-types/llm", token: key)
                #expect(reply.status == .ok, "\(reply.json)")
                let providers = reply.json["data"].array
                #expect(providers.compactMap { $0["provider"].string }.contains("openai_api_compatible"), "\(reply.json)")
                for provider in providers {
                    #expect(provider["status"] == "active")
                    #expect(provider["models"].array.allSatisfy { $0["model_type"] == "llm" && $0["deprecated"] == false })
                }
                #expect(try await client.get("/v1/workspaces/current/models/model-types/tts", token: key).json["data"] == [])
                expectError(
                    try await client.get("/v1/workspaces/current/models/model-types/video", token: key), .badRequest, "invalid_param",
                    field: "model_type")
                // The console reads the same with a member's session.
                #expect(try await client.get("/console/api/workspaces/current/models/model-types/llm", token: owner.token).status == .ok)
            }
        }
    }

    @Test("a completion app whose form names `query` is asked through inputs.query, as Dify's SDKs send it")
    func completionQueryFromInputs() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(
                    stub, model: "stub-verbatim", mode: "completion",
                    config: [
                        "pre_prompt": "Answer this: {{query}}",
                        "user_input_form": [["text-input": ["variable": "query", "label": "Query", "required": true]]],
                    ])
                let reply = try await client.post(
                    "/v1/completion-messages", token: app.key,
                    json: ["inputs": ["query": "what is two and two"], "user": "alice", "response_mode": "blocking"])
                #expect(reply.status == .ok, "\(reply.json)")
                #expect(reply.json["answer"] == "Answer this: what is two and two")
            }
        }
    }
}
