import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Knowledge bases: segments and retrieval")
struct RetrievalTests {
    /// Three documents on different subjects, one segment each (the custom rule keeps paragraphs whole).
    static let paragraphs = [
        "Cats sleep most of the day and purr when they are content.",
        "Rockets burn fuel to climb; orbit needs a speed of about eight kilometres a second.",
        "Sourdough bread rises slowly because wild yeast ferments the dough overnight.",
        "A cat and a rocket rarely meet, except in stories about space cats.",
    ]
    static let rule: JSONValue = ["mode": "custom", "rules": ["segmentation": ["separator": "\\n\\n", "max_tokens": 100, "chunk_overlap": 0]]]

    /// A high-quality dataset (bag-of-words embeddings) holding the paragraphs, indexed.
    static func knowledge(_ client: RelayClient, _ stub: StubUpstream) async throws -> (owner: Owner, dataset: String, document: String) {
        let owner = try await client.setUpOwner()
        try await client.configureStubProvider(stub, as: owner)
        let dataset = try await client.createDataset("Mixed", technique: "high_quality", model: "stub-embed-words", token: owner.token)
        let (document, batch) = try await client.addText(
            paragraphs.joined(separator: "\n\n"), name: "mixed.txt", to: dataset, token: owner.token, rule: rule)
        let status = try await client.waitIndexed(batch, in: dataset, token: owner.token)[0]
        try #require(status["indexing_status"] == "completed" && status["total_segments"] == 4, "\(status)")
        return (owner, dataset, document)
    }

    static func contents(_ reply: Reply) -> [String] {
        reply.json["records"].array.compactMap { $0["segment"]["content"].string }
    }

    @Test("semantic, full-text, keyword and hybrid search rank by meaning and words, with scores in 0–1, top_k and thresholds")
    func searchMethods() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let (owner, dataset, _) = try await Self.knowledge(client, stub)
                let token = owner.token

                let semantic = try await client.retrieve(
                    "why does sourdough dough rise", from: dataset, token: token, model: ["search_method": "semantic_search", "top_k": 2])
                #expect(semantic.status == .ok, "\(semantic.json)")
                #expect(Self.contents(semantic).first == Self.paragraphs[2], "\(semantic.json)")
                #expect(semantic.json["records"].array.count == 2)
                let scores = semantic.json["records"].array.compactMap { $0["score"].number }
                #expect(scores.allSatisfy { (0...1).contains($0) } && scores == scores.sorted(by: >), "\(scores)")
                let record = semantic.json["records"][0]
                #expect(record["segment"]["document"]["name"] == "mixed.txt")
                #expect(record["segment"]["index_node_hash"].string?.count == 64)

                let fullText = try await client.retrieve(
                    "rockets fuel", from: dataset, token: token, model: ["search_method": "full_text_search", "top_k": 3])
                #expect(Self.contents(fullText).first == Self.paragraphs[1], "\(fullText.json)")
                #expect(
                    fullText.json["records"].array.allSatisfy { ($0["score"].number ?? 2) > 0 && ($0["score"].number ?? 2) < 1 }, "\(fullText.json)")
                // Words found in no segment: nothing.
                #expect(
                    try await client.retrieve("zebra", from: dataset, token: token, model: ["search_method": "full_text_search"]).json["records"]
                        .array.isEmpty)
                let keyword = try await client.retrieve("purr", from: dataset, token: token, model: ["search_method": "keyword_search"])
                #expect(Self.contents(keyword) == [Self.paragraphs[0]])

                // Hybrid: the weights decide. The query shares words with the cat-and-rocket story and the cat paragraph.
                let query = "cat rocket stories"
                let byKeywords = try await client.retrieve(
                    query, from: dataset, token: token,
                    model: ["search_method": "hybrid_search", "top_k": 4, "weights": ["semantic_weight": 0, "keyword_weight": 1]]
                )
                #expect(Self.contents(byKeywords).first == Self.paragraphs[3], "\(byKeywords.json)")
                #expect(byKeywords.json["records"][0]["score"].number == 1, "the best keyword match scores 1 when keywords alone count")
                let balanced = try await client.retrieve(
                    query, from: dataset, token: token,
                    model: ["search_method": "hybrid_search", "top_k": 4, "weights": ["semantic_weight": 0.5, "keyword_weight": 0.5]]
                )
                #expect(Self.contents(balanced).first == Self.paragraphs[3], "\(balanced.json)")
                let balancedScores = balanced.json["records"].array.compactMap { $0["score"].number }
                #expect(balancedScores == balancedScores.sorted(by: >))

                // A threshold drops what scores below it; top_k bounds the rest.
                let all = try await client.retrieve("cats", from: dataset, token: token, model: ["search_method": "semantic_search", "top_k": 4])
                let allScores = all.json["records"].array.compactMap { $0["score"].number }
                let cut = try #require(allScores.first) - 0.0001
                let strict = try await client.retrieve(
                    "cats", from: dataset, token: token,
                    model: ["search_method": "semantic_search", "top_k": 4, "score_threshold_enabled": true, "score_threshold": .number(cut)]
                )
                #expect(strict.json["records"].array.count == allScores.filter { $0 >= cut }.count, "\(allScores) vs \(strict.json)")
                #expect(strict.json["records"].array.count < allScores.count)
                let one = try await client.retrieve("cats", from: dataset, token: token, model: ["search_method": "semantic_search", "top_k": 1])
                #expect(one.json["records"].array.count == 1)

                // The dataset's own settings apply when the request names none.
                #expect(try await client.retrieve("sourdough", from: dataset, token: token).json["records"].array.count >= 1)
                // Hits are counted.
                let segments = try await client.get(
                    "/console/api/datasets/\(dataset)/documents/\(try #require(semantic.json["records"][0]["segment"]["document_id"].string))/segments",
                    token: token)
                let bread = segments.json["data"].array.first { $0["content"].string == Self.paragraphs[2] }
                #expect((bread?["hit_count"].int ?? 0) >= 1, "\(String(describing: bread))")
                // A record shows its segment's count with this hit included, as the segment list shows it afterwards.
                let again = try await client.retrieve(
                    Self.paragraphs[2], from: dataset, token: token, model: ["search_method": "full_text_search", "top_k": 1])
                let hit = try #require(again.json["records"].array.first)
                #expect(hit["segment"]["content"].string == Self.paragraphs[2])
                #expect(hit["segment"]["hit_count"].int == (bread?["hit_count"].int).map { $0 + 1 }, "\(hit) after \(String(describing: bread))")
                let listed = try await client.get(
                    "/console/api/datasets/\(dataset)/documents/\(try #require(hit["segment"]["document_id"].string))/segments", token: token)
                #expect(
                    listed.json["data"].array.first { $0["content"].string == Self.paragraphs[2] }?["hit_count"].int
                        == hit["segment"]["hit_count"].int)

                // Wrong requests.
                expectError(
                    try await client.post("/console/api/datasets/\(dataset)/retrieve", token: token, json: ["retrieval_model": [:]]), .badRequest,
                    "invalid_param", field: "query")
                expectError(try await client.retrieve("   ", from: dataset, token: token), .badRequest, "invalid_param", field: "query")
                expectError(
                    try await client.retrieve("x", from: dataset, token: token, model: ["search_method": "magic"]),
                    .badRequest, "invalid_param", field: "retrieval_model.search_method"
                )
                expectError(
                    try await client.retrieve("x", from: dataset, token: token, model: ["score_threshold": 2]),
                    .badRequest, "invalid_param", field: "retrieval_model.score_threshold"
                )
                expectError(
                    try await client.retrieve("x", from: dataset, token: token, model: ["weights": ["semantic_weight": 0, "keyword_weight": 0]]),
                    .badRequest, "invalid_param", field: "retrieval_model.weights"
                )
                expectError(
                    try await client.retrieve("x", from: dataset, token: token, model: ["reranking_enable": true]),
                    .badRequest, "invalid_param", field: "retrieval_model.reranking_model"
                )
                // An economy dataset has no vectors to search by meaning.
                let economy = try await client.createDataset("Words only", token: token)
                expectError(
                    try await client.retrieve("x", from: economy, token: token, model: ["search_method": "hybrid_search"]),
                    .badRequest, "invalid_param", field: "retrieval_model.search_method"
                )
            }
        }
    }

    @Test("changing a dataset's embedding model indexes its documents again with the new model; other changes do not")
    func embeddingModelChange() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let (owner, dataset, document) = try await Self.knowledge(client, stub)
                func embedded(by model: String) -> Int {
                    stub.requests.filter { $0["model"] == .string(model) }.flatMap { $0["input"].array }.filter { $0.string == Self.paragraphs[2] }
                        .count
                }
                #expect(embedded(by: "stub-embed-words") == 1)
                let batch = try #require(
                    try await client.get("/console/api/datasets/\(dataset)/documents/\(document)", token: owner.token).json["batch"].string)

                // A new name or description leaves the vectors alone.
                let renamed = try await client.send(
                    .patch, "/console/api/datasets/\(dataset)", token: owner.token, json: ["name": "Renamed", "description": "d"])
                #expect(renamed.status == .ok, "\(renamed.json)")
                #expect(
                    try await client.get("/console/api/datasets/\(dataset)/documents/\(document)", token: owner.token).json["indexing_status"]
                        == "completed")

                // Another model (3 dimensions instead of 384): every document is indexed again with it.
                let changed = try await client.send(
                    .patch, "/console/api/datasets/\(dataset)", token: owner.token,
                    json: ["embedding_model_provider": "openai_api_compatible", "embedding_model": "stub-embed"]
                )
                #expect(changed.status == .ok && changed.json["embedding_model"] == "stub-embed", "\(changed.json)")
                let status = try await client.waitIndexed(batch, in: dataset, token: owner.token)[0]
                #expect(status["indexing_status"] == "completed" && status["total_segments"] == 4, "\(status)")
                #expect(embedded(by: "stub-embed") == 1)
                #expect(embedded(by: "stub-embed-words") == 1)
                let semantic = try await client.retrieve(
                    "sourdough", from: dataset, token: owner.token, model: ["search_method": "semantic_search", "top_k": 4])
                #expect(semantic.status == .ok, "the stored vectors are the new model's: \(semantic.json)")
                #expect(semantic.json["records"].array.count == 4, "\(semantic.json)")
            }
        }
    }

    @Test("a rerank model orders hybrid results when reranking is enabled")
    func reranking() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let (owner, dataset, _) = try await Self.knowledge(client, stub)
                let reranked = try await client.retrieve(
                    "orbit speed", from: dataset, token: owner.token,
                    model: [
                        "search_method": "hybrid_search", "top_k": 2, "reranking_enable": true,
                        "reranking_model": ["reranking_provider_name": "openai_api_compatible", "reranking_model_name": "stub-rerank"],
                    ]
                )
                #expect(reranked.status == .ok, "\(reranked.json)")
                #expect(Self.contents(reranked).first == Self.paragraphs[1], "\(reranked.json)")
                // Both query words are in the rocket paragraph: the stub scores it 1.
                #expect(reranked.json["records"][0]["score"].number == 1)
                #expect(stub.requests.contains { $0["model"] == "stub-rerank" && $0["query"] == "orbit speed" })
            }
        }
    }

    @Test("segments are listed, added, changed, disabled and deleted; each change is what retrieval finds next")
    func segmentChanges() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forDatasetTests() }) { client in
                let (owner, dataset, document) = try await Self.knowledge(client, stub)
                let token = owner.token
                let path = "/console/api/datasets/\(dataset)/documents/\(document)/segments"
                let listed = try await client.get(path + "?limit=2", token: token)
                #expect(listed.json["total"] == 4 && listed.json["has_more"] == true && listed.json["data"].array.count == 2)
                #expect(try await client.get(path + "?keyword=sourdough", token: token).json["total"] == 1)

                let added = try await client.post(
                    path, token: token,
                    json: ["segments": [["content": "Penguins huddle together against the Antarctic wind.", "keywords": ["penguin"]]]])
                #expect(added.status == .ok, "\(added.json)")
                let penguin = try #require(added.json["data"][0]["id"].string)
                #expect(added.json["data"][0]["position"] == 5)
                #expect(
                    Self.contents(
                        try await client.retrieve(
                            "penguins antarctic", from: dataset, token: token, model: ["search_method": "semantic_search", "top_k": 1])) == [
                            "Penguins huddle together against the Antarctic wind."
                        ])
                #expect(
                    Self.contents(try await client.retrieve("penguins", from: dataset, token: token, model: ["search_method": "full_text_search"]))
                        .count == 1)

                // Changed: the old words are gone from both indexes, the new ones found.
                let changed = try await client.post(
                    path + "/\(penguin)", token: token, json: ["segment": ["content": "Owls hunt silently at night."]])
                #expect(changed.json["data"]["content"] == "Owls hunt silently at night.", "\(changed.json)")
                #expect(
                    Self.contents(try await client.retrieve("penguins", from: dataset, token: token, model: ["search_method": "full_text_search"]))
                        .isEmpty)
                #expect(
                    Self.contents(
                        try await client.retrieve("owls night", from: dataset, token: token, model: ["search_method": "semantic_search", "top_k": 1]))
                        == [
                            "Owls hunt silently at night."
                        ])

                // Disabled: found by neither search; enabled again: back.
                #expect(try await client.send(.patch, path + "/\(penguin)/disable", token: token).json["data"]["enabled"] == false)
                #expect(
                    Self.contents(try await client.retrieve("owls", from: dataset, token: token, model: ["search_method": "full_text_search"]))
                        .isEmpty)
                #expect(
                    !Self.contents(
                        try await client.retrieve("owls night", from: dataset, token: token, model: ["search_method": "semantic_search", "top_k": 5])
                    ).contains("Owls hunt silently at night."))
                #expect(try await client.send(.patch, path + "/\(penguin)/enable", token: token).json["data"]["enabled"] == true)
                #expect(
                    Self.contents(try await client.retrieve("owls", from: dataset, token: token, model: ["search_method": "full_text_search"])).count
                        == 1)

                // A disabled document hides all its segments.
                let off = try await client.send(
                    .patch, "/console/api/datasets/\(dataset)/documents/status/disable?document_id=\(document)", token: token)
                #expect(off.json["result"] == "success", "\(off.json)")
                #expect(
                    Self.contents(try await client.retrieve("owls", from: dataset, token: token, model: ["search_method": "full_text_search"]))
                        .isEmpty)
                #expect(
                    try await client.get("/console/api/datasets/\(dataset)/documents/\(document)", token: token).json["display_status"] == "disabled")
                let on = try await client.send(
                    .patch, "/console/api/datasets/\(dataset)/documents/status/enable", token: token, json: ["document_ids": [.string(document)]])
                #expect(on.json["result"] == "success", "\(on.json)")

                // Deleted.
                #expect(try await client.send(.delete, path + "/\(penguin)", token: token).status == .noContent)
                expectError(try await client.send(.delete, path + "/\(penguin)", token: token), .notFound, "not_found")
                #expect(try await client.get(path, token: token).json["total"] == 4)
                #expect(
                    try await client.get("/console/api/datasets/\(dataset)/documents/\(document)", token: token).json["word_count"].int
                        == Self.paragraphs.reduce(0) { $0 + $1.count })

                // Wrong requests change nothing.
                expectError(try await client.post(path, token: token, json: ["segments": []]), .badRequest, "invalid_param", field: "segments")
                expectError(
                    try await client.post(path, token: token, json: ["segments": [["content": "  "]]]), .badRequest, "invalid_param",
                    field: "segments[0].content"
                )
                expectError(try await client.post(path + "/\(UUID())", token: token, json: ["segment": ["content": "x"]]), .notFound, "not_found")
                expectError(try await client.post(path + "/\(penguin)", token: token, json: [:]), .badRequest, "invalid_param", field: "segment")
                #expect(try await client.get(path, token: token).json["total"] == 4)
            }
        }
    }

    @Test("past its threshold a dataset is searched through its approximate index, and finds what the exact scan finds")
    func approximateIndex() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forDatasetTests()
                $0.approximateSearchFrom = 2
            }) { client in
                let (owner, dataset, document) = try await Self.knowledge(client, stub)
                for (index, paragraph) in Self.paragraphs.enumerated() {
                    let reply = try await client.retrieve(
                        paragraph, from: dataset, token: owner.token, model: ["search_method": "semantic_search", "top_k": 2])
                    #expect(Self.contents(reply).first == paragraph, "paragraph \(index): \(reply.json)")
                    #expect(reply.json["records"][0]["score"].number.map { abs($0 - 1) < 0.0001 } == true, "\(reply.json)")
                }
                // A changed segment moves the revision: the index is built again and finds the new text.
                let segment = try #require(
                    try await client.get("/console/api/datasets/\(dataset)/documents/\(document)/segments", token: owner.token).json["data"][1]["id"]
                        .string)
                let changed = try await client.post(
                    "/console/api/datasets/\(dataset)/documents/\(document)/segments/\(segment)", token: owner.token,
                    json: ["segment": ["content": "Volcanoes erupt molten rock and ash."]])
                #expect(changed.status == .ok, "\(changed.json)")
                let found = try await client.retrieve(
                    "volcanoes molten ash", from: dataset, token: owner.token, model: ["search_method": "semantic_search", "top_k": 1])
                #expect(Self.contents(found) == ["Volcanoes erupt molten rock and ash."], "\(found.json)")
            }
        }
    }

    @Test("another workspace's datasets, documents and segments are not found through any route")
    func isolation() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forDatasetTests()
                $0.allowsRegistration = true
            }) { client in
                let (owner, dataset, document) = try await Self.knowledge(client, stub)
                let segment = try #require(
                    try await client.get("/console/api/datasets/\(dataset)/documents/\(document)/segments", token: owner.token).json["data"][0]["id"]
                        .string
                )
                let bob = try await client.register("bob@example.com")
                let bobsDataset = try await client.createDataset("Bob's", token: bob.token)
                let base = "/console/api/datasets/\(dataset)"
                let reads: [(HTTPRequest.Method, String, JSONValue?)] = [
                    (.get, base, nil), (.patch, base, ["name": "Mine"]), (.delete, base, nil),
                    (.get, base + "/documents", nil), (.get, base + "/documents/\(document)", nil), (.delete, base + "/documents/\(document)", nil),
                    (.get, base + "/documents/\(document)/indexing-status", nil),
                    (.post, base + "/document/create-by-text", ["name": "x", "text": "y"]),
                    (.post, base + "/documents/\(document)/update-by-text", ["text": "y"]),
                    (.post, base + "/documents/\(document)/rename", ["name": "z"]),
                    (.patch, base + "/documents/\(document)/processing/pause", nil),
                    (.post, base + "/retry", ["document_ids": [.string(document)]]),
                    (.patch, base + "/documents/status/disable", ["document_ids": [.string(document)]]),
                    (.get, base + "/documents/\(document)/segments", nil),
                    (.post, base + "/documents/\(document)/segments", ["segments": [["content": "x"]]]),
                    (.post, base + "/documents/\(document)/segments/\(segment)", ["segment": ["content": "x"]]),
                    (.delete, base + "/documents/\(document)/segments/\(segment)", nil),
                    (.post, base + "/retrieve", ["query": "cats"]),
                    (.get, base + "/api-keys", nil),
                    // Bob's own dataset with the other workspace's document and segment.
                    (.get, "/console/api/datasets/\(bobsDataset)/documents/\(document)", nil),
                    (.get, "/console/api/datasets/\(bobsDataset)/documents/\(document)/segments", nil),
                    (.delete, "/console/api/datasets/\(bobsDataset)/documents/\(document)/segments/\(segment)", nil),
                ]
                for (method, path, body) in reads {
                    let reply = try await client.send(method, path, token: bob.token, json: body)
                    expectError(reply, .notFound, "not_found")
                }
                #expect(try await client.get("/console/api/datasets", token: bob.token).json["total"] == 1)
                // Everything of the owner's is as it was.
                let after = try await client.get(base + "/documents/\(document)/segments", token: owner.token)
                #expect(after.json["total"] == 4)
                #expect(try await client.get(base, token: owner.token).json["name"] == "Mixed")
                #expect(Self.contents(try await client.retrieve("cats", from: dataset, token: owner.token)).count >= 1)
            }
        }
    }
}
