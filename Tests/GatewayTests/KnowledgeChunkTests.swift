import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Knowledge chunk forms: parent-child documents and their child chunks, question-and-answer documents")
struct KnowledgeChunkTests {
    /// Two paragraphs (parents), each of three lines (children).
    static let text = """
        Cats sleep most of the day.
        Cats purr when they are content.
        Kittens chase string for hours.

        Rockets burn fuel to climb.
        Orbit needs about eight kilometres a second.
        Boosters fall back to the sea.
        """

    static let paragraphRule: JSONValue = [
        "mode": "hierarchical",
        "rules": [
            "parent_mode": "paragraph", "segmentation": ["separator": "\\n\\n", "max_tokens": 500],
            "subchunk_segmentation": ["separator": "\\n", "max_tokens": 100],
        ],
    ]

    @Test("parents are paragraphs and children their lines; children are searched, parents returned with the children that matched")
    func parentChild() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let owner = try await client.setUpOwner()
                // More requests than the default plan allows a minute (the indexing polls count too).
                try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
                try await client.configureStubProvider(stub, as: owner)
                let key = try await client.datasetKey(as: owner)
                let dataset = try await client.createDataset("Pairs", technique: "high_quality", model: "stub-embed-words", token: key, prefix: "/v1")
                let base = "/v1/datasets/\(dataset)"
                let created = try await client.post(
                    base + "/document/create-by-text", token: key,
                    json: ["name": "animals.txt", "text": .string(Self.text), "doc_form": "hierarchical_model", "process_rule": Self.paragraphRule])
                #expect(created.status == .ok, "\(created.json)")
                #expect(created.json["document"]["doc_form"] == "hierarchical_model")
                let document = try #require(created.json["document"]["id"].string)
                let status = try await client.waitIndexed(try #require(created.json["batch"].string), in: dataset, token: key, prefix: "/v1")[0]
                #expect(status["indexing_status"] == "completed" && status["total_segments"] == 2, "\(status)")
                #expect(try await client.get(base, token: key).json["doc_form"] == "hierarchical_model")

                // Segments are the parents, each with its children.
                let segments = try await client.get(base + "/documents/\(document)/segments", token: key)
                #expect(segments.json["doc_form"] == "hierarchical_model")
                let parents = segments.json["data"].array
                #expect(parents.count == 2)
                #expect(parents[0]["content"].string?.hasPrefix("Cats sleep") == true)
                #expect(
                    parents[0]["child_chunks"].array.compactMap { $0["content"].string } == [
                        "Cats sleep most of the day.", "Cats purr when they are content.", "Kittens chase string for hours.",
                    ])
                #expect(parents[0]["child_chunks"].array.allSatisfy { $0["type"] == "automatic" && $0["segment_id"] == parents[0]["id"] })
                let cats = try #require(parents[0]["id"].string)
                let rockets = try #require(parents[1]["id"].string)

                // Retrieval compares the children and returns their parent; the parent scores as its best child.
                let found = try await client.retrieve(
                    "boosters fall sea", from: dataset, token: key, prefix: "/v1", model: ["search_method": "semantic_search", "top_k": 1])
                let record = found.json["records"][0]
                #expect(record["segment"]["id"].string == rockets, "\(found.json)")
                let children = record["child_chunks"].array
                #expect(children.first?["content"] == "Boosters fall back to the sea.", "\(record)")
                #expect(record["score"].number == children.compactMap { $0["score"].number }.max())
                // top_k counts parents: two parents, however many children match.
                #expect(
                    try await client.retrieve(
                        "cats", from: dataset, token: key, prefix: "/v1", model: ["search_method": "semantic_search", "top_k": 5]
                    ).json["records"].array.count == 2)

                // Child chunks: listed, added, changed, deleted, each change searched at once.
                let path = base + "/documents/\(document)/segments/\(cats)/child_chunks"
                let listed = try await client.get(path + "?limit=2", token: key)
                #expect(listed.json["total"] == 3 && listed.json["total_pages"] == 2 && listed.json["data"].array.count == 2, "\(listed.json)")
                #expect(try await client.get(path + "?keyword=purr", token: key).json["total"] == 1)
                let added = try await client.post(path, token: key, json: ["content": "Lions roar across the savanna."])
                #expect(added.status == .ok, "\(added.json)")
                #expect(added.json["data"]["type"] == "customized" && added.json["data"]["position"] == 4, "\(added.json)")
                let lion = try #require(added.json["data"]["id"].string)
                let roar = try await client.retrieve(
                    "lions roar savanna", from: dataset, token: key, prefix: "/v1", model: ["search_method": "semantic_search", "top_k": 1])
                #expect(
                    roar.json["records"][0]["segment"]["id"].string == cats && roar.json["records"][0]["child_chunks"][0]["id"].string == lion,
                    "\(roar.json)")
                let changed = try await client.send(.patch, path + "/\(lion)", token: key, json: ["content": "Tigers swim in rivers."])
                #expect(changed.status == .ok && changed.json["data"]["content"] == "Tigers swim in rivers.", "\(changed.json)")
                let swim = try await client.retrieve(
                    "tigers swim rivers", from: dataset, token: key, prefix: "/v1", model: ["search_method": "semantic_search", "top_k": 1])
                #expect(swim.json["records"][0]["child_chunks"][0]["content"] == "Tigers swim in rivers.", "\(swim.json)")
                #expect(try await client.send(.delete, path + "/\(lion)", token: key).status == .noContent)
                expectError(try await client.send(.delete, path + "/\(lion)", token: key), .notFound, "not_found")
                // Another segment's child is not this segment's; wrong bodies are refused by field.
                let rocketChild = try #require(parents[1]["child_chunks"][0]["id"].string)
                expectError(try await client.send(.patch, path + "/\(rocketChild)", token: key, json: ["content": "x"]), .notFound, "not_found")
                expectError(try await client.post(path, token: key, json: [:]), .badRequest, "invalid_param", field: "content")
                expectError(try await client.post(path, token: key, json: ["content": "   "]), .badRequest, "invalid_param", field: "content")
                #expect(try await client.get(path, token: key).json["total"] == 3)

                // A parent's new text cuts its children again.
                let rewritten = try await client.post(
                    base + "/documents/\(document)/segments/\(rockets)", token: key,
                    json: ["segment": ["content": "Satellites circle the earth.\nComets visit rarely.", "regenerate_child_chunks": true]])
                #expect(rewritten.status == .ok, "\(rewritten.json)")
                #expect(
                    rewritten.json["data"]["child_chunks"].array.compactMap { $0["content"].string } == [
                        "Satellites circle the earth.", "Comets visit rarely.",
                    ])
                let one = try await client.get(base + "/documents/\(document)/segments/\(rockets)", token: key)
                #expect(one.json["data"]["child_chunks"].array.count == 2 && one.json["doc_form"] == "hierarchical_model", "\(one.json)")

                // The dataset's form is fixed by its first document.
                let other = try await client.post(
                    base + "/document/create-by-text", token: key, json: ["name": "plain.txt", "text": "Plain text.", "doc_form": "text_model"])
                expectError(other, .badRequest, "invalid_param", field: "doc_form")
                expectError(
                    try await client.post(
                        base + "/document/create-by-text", token: key, json: ["name": "x.txt", "text": "x", "doc_form": "tree_model"]),
                    .badRequest, "invalid_param", field: "doc_form")
                let badRule = try await client.post(
                    base + "/document/create-by-text", token: key,
                    json: [
                        "name": "x.txt", "text": "x",
                        "process_rule": ["mode": "hierarchical", "rules": ["parent_mode": "chapter"]],
                    ])
                expectError(badRule, .badRequest, "invalid_param", field: "process_rule.rules.parent_mode")
                #expect(try await client.get(base + "/documents", token: key).json["total"] == 1)

                // full-doc: the whole document is one parent.
                let whole = try await client.post(
                    base + "/document/create-by-text", token: key,
                    json: [
                        "name": "whole.txt", "text": .string(Self.text), "doc_form": "hierarchical_model",
                        "process_rule": [
                            "mode": "hierarchical",
                            "rules": ["parent_mode": "full-doc", "subchunk_segmentation": ["separator": "\\n", "max_tokens": 100]],
                        ],
                    ])
                let wholeStatus = try await client.waitIndexed(try #require(whole.json["batch"].string), in: dataset, token: key, prefix: "/v1")[0]
                #expect(wholeStatus["total_segments"] == 1, "\(wholeStatus)")
                let wholeID = try #require(whole.json["document"]["id"].string)
                let wholeSegment = try #require(
                    try await client.get(base + "/documents/\(wholeID)/segments", token: key).json["data"][0]["id"].string)
                #expect(try await client.get(base + "/documents/\(wholeID)/segments/\(wholeSegment)/child_chunks", token: key).json["total"] == 6)
            }
        }
    }

    @Test("a qa_model document's segments are the question-and-answer pairs the workspace's default LLM writes from each chunk")
    func questionAnswer() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let owner = try await client.setUpOwner()
                // More requests than the default plan allows a minute (the indexing polls count too).
                try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
                try await client.configureStubProvider(stub, as: owner)
                let dataset = try await client.createDataset("Q&A", token: owner.token)
                let base = "/console/api/datasets/\(dataset)"
                // Without a default LLM there is no one to write the pairs: refused at once, nothing made.
                let refused = try await client.post(
                    base + "/document/create-by-text", token: owner.token, json: ["name": "faq.txt", "text": "x", "doc_form": "qa_model"])
                expectError(refused, .badRequest, "provider_not_initialize")
                #expect(try await client.get(base + "/documents", token: owner.token).json["total"] == 0)

                // The stub LLM answers with what it was given, so the chunk's own Q/A lines come back as its pairs.
                let defaulted = try await client.post(
                    "/console/api/workspaces/current/default-model", token: owner.token,
                    json: ["model_settings": [["model_type": "llm", "provider": "openai_api_compatible", "model": "stub-verbatim"]]])
                try #require(defaulted.status == .ok, "\(defaulted.json)")
                let text = "Q1: Why do cats purr?\nA1: Because they are content.\nQ2: What do rockets burn?\nA2:   Fuel,\n   mostly kerosene."
                let created = try await client.post(
                    base + "/document/create-by-text", token: owner.token,
                    json: ["name": "faq.txt", "text": .string(text), "doc_form": "qa_model", "doc_language": "English"])
                #expect(created.status == .ok, "\(created.json)")
                let document = try #require(created.json["document"]["id"].string)
                let status = try await client.waitIndexed(try #require(created.json["batch"].string), in: dataset, token: owner.token)[0]
                #expect(status["indexing_status"] == "completed" && status["total_segments"] == 2, "\(status)")
                let segments = try await client.get(base + "/documents/\(document)/segments", token: owner.token)
                #expect(segments.json["doc_form"] == "qa_model")
                #expect(segments.json["data"].array.compactMap { $0["content"].string } == ["Why do cats purr?", "What do rockets burn?"])
                #expect(segments.json["data"].array.compactMap { $0["answer"].string } == ["Because they are content.", "Fuel,\nmostly kerosene."])
                let sent = try #require(stub.requests.last { $0["model"] == "stub-verbatim" })
                #expect(sent["messages"][0]["content"].string?.contains("You must answer in English") == true, "\(sent)")
                // The question is what is searched; the answer comes with it.
                let found = try await client.retrieve("rockets burn", from: dataset, token: owner.token, model: ["search_method": "keyword_search"])
                #expect(found.json["records"][0]["segment"]["answer"] == "Fuel,\nmostly kerosene.", "\(found.json)")
                // A pair added by hand needs its answer.
                let path = base + "/documents/\(document)/segments"
                expectError(
                    try await client.post(path, token: owner.token, json: ["segments": [["content": "Who?"]]]), .badRequest, "invalid_param",
                    field: "segments[0].answer")
                let added = try await client.post(path, token: owner.token, json: ["segments": [["content": "Who?", "answer": "Us."]]])
                #expect(added.status == .ok && added.json["data"][0]["answer"] == "Us." && added.json["doc_form"] == "qa_model", "\(added.json)")
            }
        }
    }
}
