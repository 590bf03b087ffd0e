import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Knowledge bases in apps: chat with datasets, the knowledge-retrieval node")
struct KnowledgeAppTests {
    @Test("a chat app configured with datasets sends their best segments as context and answers with retriever_resources")
    func chatWithDatasets() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let (owner, dataset, _) = try await RetrievalTests.knowledge(client, stub)
                let configs: JSONValue = [
                    "top_k": 2, "score_threshold_enabled": false,
                    "datasets": ["datasets": [["dataset": ["enabled": true, "id": .string(dataset)]]]],
                ]
                let app = try await client.chatApp(
                    stub, config: ["dataset_configs": configs, "pre_prompt": "You are a librarian."], owner: owner, name: "Librarian")
                let answer = try await client.chat(app, "how does sourdough rise overnight")
                #expect(answer.status == .ok, "\(answer.json)")
                let resources = answer.json["metadata"]["retriever_resources"].array
                #expect(resources.count == 2, "\(answer.json)")
                #expect(resources.first?["content"].string == RetrievalTests.paragraphs[2], "\(resources)")
                #expect(resources.first?["dataset_id"].string == dataset && resources.first?["document_name"] == "mixed.txt")
                #expect(resources.first?["position"] == 1 && resources.first?["retriever_from"] == "api")
                // The message keeps them: its conversation's message list shows the same.
                let conversation = try #require(answer.json["conversation_id"].string)
                let listed = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key)
                #expect(listed.json["data"][0]["retriever_resources"] == answer.json["metadata"]["retriever_resources"], "\(listed.json)")
                // The model was given the segment as context, before the app's own prompt.
                let sent = try #require(stub.requests.last { $0["model"] == "stub-chat" })
                let system = sent["messages"][0]["content"].string ?? ""
                #expect(
                    system.contains("<context>") && system.contains(RetrievalTests.paragraphs[2]) && system.hasSuffix("You are a librarian."),
                    "\(system)")

                // Streamed: message_end carries them too.
                var reader = try await EventStreamReader.open(
                    port: try #require(client.client.port), path: "/v1/chat-messages", token: app.key,
                    json: ["query": "rockets and orbit", "inputs": [:], "user": "alice", "response_mode": "streaming"]
                )
                var end: JSONValue?
                while let event = try await reader.nextEvent() {
                    if event["event"] == "message_end" {
                        end = event
                        break
                    }
                }
                #expect(end?["metadata"]["retriever_resources"][0]["content"].string == RetrievalTests.paragraphs[1], "\(String(describing: end))")

                // A dataset that is not the workspace's is refused when saved.
                let wrong = try await client.post(
                    "/console/api/apps/\(app.id)/model-config", token: owner.token,
                    json: [
                        "model": ["provider": "openai_api_compatible", "name": "stub-chat"],
                        "dataset_configs": ["datasets": ["datasets": [["dataset": ["enabled": true, "id": .string(UUID().uuidString)]]]]],
                    ]
                )
                expectError(wrong, .badRequest, "invalid_param", field: "dataset_configs.datasets.datasets[0].dataset.id")
            }
        }
    }

    @Test("retrieval_model single: the app's model is offered each dataset as a function described by it, and only the one it calls is searched")
    func singleRetrieval() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let (owner, mixed, _) = try await RetrievalTests.knowledge(client, stub)
                let recipes = try await client.createDataset("Recipes", token: owner.token, extra: ["description": "Baking recipes and bread"])
                let (_, batch) = try await client.addText(
                    "Sourdough needs flour, water, salt and a lively starter.", name: "bread.txt", to: recipes, token: owner.token)
                #expect(try await client.waitIndexed(batch, in: recipes, token: owner.token)[0]["indexing_status"] == "completed")
                func configs(_ ids: [String], routing: JSONValue = "single") -> JSONValue {
                    [
                        "retrieval_model": routing, "top_k": 4, "score_threshold_enabled": false,
                        "datasets": ["datasets": .array(ids.map { ["dataset": ["enabled": true, "id": .string($0)]] })],
                    ]
                }
                func searched(_ answer: Reply) -> Set<String> {
                    Set(answer.json["metadata"]["retriever_resources"].array.compactMap { $0["dataset_id"].string })
                }
                // stub-agent calls the first function it is offered: here the recipes.
                let recipesFirst = try await client.chatApp(
                    stub, model: "stub-agent", config: ["dataset_configs": configs([recipes, mixed])], owner: owner, name: "Router A")
                let first = try await client.chat(recipesFirst, "sourdough")
                #expect(first.status == .ok, "\(first.json)")
                #expect(searched(first) == [recipes], "\(first.json)")
                let routing = try #require(stub.requests.last { $0["tools"].array.count == 2 }, "the model was asked to pick")
                #expect(routing["tools"].array.compactMap { $0["function"]["name"].string } == [recipes, mixed])
                #expect(routing["tools"][0]["function"]["description"] == "Baking recipes and bread")
                #expect(routing["tools"][1]["function"]["description"].string?.contains("Mixed") == true, "\(routing)")
                #expect(routing["messages"].array.last?["content"] == "sourdough")

                // Offered the other way round, it calls the mixed dataset, searched with its own settings.
                let mixedFirst = try await client.chatApp(
                    stub, model: "stub-agent", config: ["dataset_configs": configs([mixed, recipes])], owner: owner, name: "Router B")
                let second = try await client.chat(mixedFirst, "sourdough")
                #expect(searched(second) == [mixed], "\(second.json)")
                #expect(second.json["metadata"]["retriever_resources"][0]["content"].string == RetrievalTests.paragraphs[2])
                // multiple: both are searched, and no model is asked.
                let asked = stub.requests.count { $0["tools"].array.count == 2 }
                let both = try await client.chatApp(
                    stub, config: ["dataset_configs": configs([mixed, recipes], routing: "multiple")], owner: owner, name: "Both")
                #expect(searched(try await client.chat(both, "sourdough")) == [mixed, recipes])
                #expect(stub.requests.count { $0["tools"].array.count == 2 } == asked)

                let wrong = try await client.post(
                    "/console/api/apps/\(both.id)/model-config", token: owner.token,
                    json: [
                        "model": ["provider": "openai_api_compatible", "name": "stub-chat"],
                        "dataset_configs": configs([mixed], routing: "sometimes"),
                    ]
                )
                expectError(wrong, .badRequest, "invalid_param", field: "dataset_configs.retrieval_model")
            }
        }
    }

    @Test("the knowledge-retrieval node gives Dify's result list; wrong configuration is refused by node and field")
    func knowledgeRetrievalNode() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forWorkflowTests()
                $0.forDatasetTests()
            }) { client in
                let (owner, dataset, _) = try await RetrievalTests.knowledge(client, stub)
                func retrieval(_ data: [String: JSONValue]) -> JSONValue {
                    Graphs.graph(
                        [Graphs.start(), Graphs.node("knowledge", "knowledge-retrieval", data), Graphs.end([("result", ["knowledge", "result"])])],
                        [Graphs.edge("start", "knowledge"), Graphs.edge("knowledge", "end")]
                    )
                }
                let graph = retrieval([
                    "query_variable_selector": ["start", "query"], "dataset_ids": [.string(dataset)], "retrieval_mode": "multiple",
                    "multiple_retrieval_config": ["top_k": 2],
                ])
                let app = try await client.workflowApp(graph, owner: owner)
                let run = try await client.runWorkflow(app, ["query": "cats purr content"])
                #expect(run.json["data"]["status"] == "succeeded", "\(run.json)")
                let result = run.json["data"]["outputs"]["result"].array
                #expect(result.count == 2)
                #expect(result.first?["content"].string == RetrievalTests.paragraphs[0], "\(result)")
                #expect(result.first?["title"] == "mixed.txt")
                #expect(result.first?["metadata"]["dataset_id"].string == dataset && result.first?["metadata"]["_source"] == "knowledge")
                #expect((result.first?["metadata"]["score"].number ?? 0) > 0)

                // Checked on save: every problem named by node and field.
                let broken = try await client.post(
                    "/console/api/apps/\(app.id)/workflows/draft", token: owner.token,
                    json: ["graph": retrieval(["dataset_ids": ["not-a-uuid"], "multiple_retrieval_config": ["top_k": 0]]), "features": [:]]
                )
                expectError(broken, .badRequest, "invalid_param")
                let fields = Set(broken.json["details"]["problems"].array.compactMap { $0["field"].string })
                #expect(fields.isSuperset(of: ["query_variable_selector", "dataset_ids[0]", "multiple_retrieval_config.top_k"]), "\(broken.json)")

                // Datasets that are not the workspace's: the node fails saying so.
                let elsewhere = try await client.workflowApp(
                    retrieval(["query_variable_selector": ["start", "query"], "dataset_ids": [.string(UUID().uuidString)]]), owner: owner,
                    name: "Elsewhere"
                )
                let failed = try await client.runWorkflow(elsewhere, ["query": "cats"])
                #expect(failed.json["data"]["status"] == "failed", "\(failed.json)")
                #expect(failed.json["data"]["error"].string?.contains("exists in this workspace") == true, "\(failed.json)")
            }
        }
    }
}
