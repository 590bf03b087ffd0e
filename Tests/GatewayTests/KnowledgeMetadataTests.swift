import Core
import Foundation
import HTTPTypes
import Testing

@Suite("Knowledge metadata: fields, documents' values, built-in fields, filtered retrieval")
struct KnowledgeMetadataTests {
    /// Three reports, one segment each; every one has the word "report", so a keyword search finds all three.
    static let reports = [
        ("first.txt", "The first report covers cats and their long naps."),
        ("second.txt", "The second report covers rockets and their fuel."),
        ("third.txt", "The third report covers bread and its yeast."),
    ]

    /// An economy dataset made with a dataset key, holding the three reports, indexed.
    static func reportsDataset(_ client: RelayClient, key: String) async throws -> (dataset: String, documents: [String]) {
        let dataset = try await client.createDataset("Reports", token: key, prefix: "/v1")
        var documents: [String] = []
        for (name, text) in reports {
            let (document, batch) = try await client.addText(text, name: name, to: dataset, token: key, prefix: "/v1")
            let status = try await client.waitIndexed(batch, in: dataset, token: key, prefix: "/v1")[0]
            try #require(status["indexing_status"] == "completed", "\(status)")
            documents.append(document)
        }
        return (dataset, documents)
    }

    static func names(_ reply: Reply) -> [String] {
        reply.json["records"].array.compactMap { $0["segment"]["document"]["name"].string }.sorted()
    }

    @Test("fields are made, listed with their use, renamed and deleted; values are set per document and filter retrieval inside the search")
    func metadataLifecycle() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            // More requests than the default plan allows a minute (the indexing polls count too).
            try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
            let key = try await client.datasetKey(as: owner)
            let (dataset, documents) = try await Self.reportsDataset(client, key: key)
            let base = "/v1/datasets/\(dataset)"

            // Fields: 201 with Dify's shape.
            var fields: [String: String] = [:]
            for (name, type) in [("author", "string"), ("year", "number"), ("published", "time")] {
                let reply = try await client.post(base + "/metadata", token: key, json: ["name": .string(name), "type": .string(type)])
                #expect(reply.status == .created, "\(reply.json)")
                #expect(reply.json["name"].string == name && reply.json["type"].string == type)
                fields[name] = try #require(reply.json["id"].string)
            }
            // Wrong fields are refused by name and make nothing.
            expectError(
                try await client.post(base + "/metadata", token: key, json: ["name": "author", "type": "string"]), .badRequest, "invalid_param",
                field: "name")
            expectError(
                try await client.post(base + "/metadata", token: key, json: ["name": "document_name", "type": "string"]), .badRequest,
                "invalid_param",
                field: "name")
            expectError(
                try await client.post(base + "/metadata", token: key, json: ["name": "kind", "type": "color"]), .badRequest, "invalid_param",
                field: "type")
            expectError(
                try await client.post(base + "/metadata", token: key, json: ["name": .string(String(repeating: "n", count: 256)), "type": "string"]),
                .badRequest, "invalid_param", field: "name")
            expectError(try await client.post(base + "/metadata", token: key, json: ["type": "string"]), .badRequest, "invalid_param", field: "name")
            #expect(try await client.get(base + "/metadata", token: key).json["doc_metadata"].array.count == 3)

            // Values: first and third by Ann, second by Bob; years as numbers or numeric text.
            func item(_ field: String, _ value: JSONValue) -> JSONValue { ["id": .string(fields[field]!), "name": .string(field), "value": value] }
            let set = try await client.post(
                base + "/documents/metadata", token: key,
                json: [
                    "operation_data": [
                        [
                            "document_id": .string(documents[0]),
                            "metadata_list": [item("author", "Ann"), item("year", 2020), item("published", 1_700_000_000)],
                        ],
                        ["document_id": .string(documents[1]), "metadata_list": [item("author", "Bob"), item("year", 2024)]],
                        ["document_id": .string(documents[2]), "metadata_list": [item("author", "Ann"), item("year", "2019")]],
                    ]
                ])
            #expect(set.status == .ok && set.json["result"] == "success", "\(set.json)")
            // A wrong value, an unknown field, another dataset's document: refused, and nothing of the batch is applied.
            let wrong: [(JSONValue, HTTPResponse.Status)] = [
                (
                    [
                        "operation_data": [
                            ["document_id": .string(documents[0]), "metadata_list": [item("author", "Zed")]],
                            ["document_id": .string(documents[1]), "metadata_list": [item("year", "soon")]],
                        ]
                    ], .badRequest
                ),
                (
                    [
                        "operation_data": [
                            ["document_id": .string(documents[0]), "metadata_list": [["id": .string(UUID().uuidString), "value": "x"]]]
                        ]
                    ], .notFound
                ),
                (
                    [
                        "operation_data": [
                            ["document_id": .string(documents[0]), "metadata_list": [item("author", "Zed")]],
                            ["document_id": .string(UUID().uuidString), "metadata_list": []],
                        ]
                    ], .notFound
                ),
            ]
            for (body, status) in wrong {
                #expect(try await client.post(base + "/documents/metadata", token: key, json: body).status == status)
            }
            let first = try await client.get(base + "/documents/\(documents[0])", token: key)
            let values = Dictionary(
                uniqueKeysWithValues: first.json["doc_metadata"].array.compactMap { item in item["name"].string.map { ($0, item["value"]) } })
            #expect(values["author"] == "Ann" && values["year"] == 2020 && values["published"] == 1_700_000_000, "\(first.json)")
            let listed = try await client.get(base + "/metadata", token: key)
            let counts = Dictionary(
                uniqueKeysWithValues: listed.json["doc_metadata"].array.compactMap { item in item["name"].string.map { ($0, item["count"].int ?? -1) }
                })
            #expect(counts == ["author": 3, "year": 3, "published": 1], "\(listed.json)")
            #expect(listed.json["built_in_field_enabled"] == false)

            // Filtered retrieval: the filter picks documents before top_k counts.
            func search(_ conditions: JSONValue, topK: Int = 3) async throws -> Reply {
                try await client.retrieve(
                    "report", from: dataset, token: key, prefix: "/v1",
                    model: ["search_method": "keyword_search", "top_k": .number(Double(topK)), "metadata_filtering_conditions": conditions])
            }
            #expect(
                Self.names(try await client.retrieve("report", from: dataset, token: key, prefix: "/v1", model: ["search_method": "keyword_search"]))
                    .count == 3)
            #expect(
                Self.names(
                    try await search(["logical_operator": "and", "conditions": [["name": "author", "comparison_operator": "is", "value": "Ann"]]]))
                    == ["first.txt", "third.txt"])
            #expect(
                Self.names(try await search(["conditions": [["name": "author", "comparison_operator": "is", "value": "Bob"]]], topK: 1)) == [
                    "second.txt"
                ])
            #expect(
                Self.names(
                    try await search([
                        "logical_operator": "and",
                        "conditions": [
                            ["name": "author", "comparison_operator": "is", "value": "Ann"],
                            ["name": "year", "comparison_operator": ">", "value": 2019],
                        ],
                    ])) == ["first.txt"])
            #expect(
                Self.names(
                    try await search([
                        "logical_operator": "or",
                        "conditions": [
                            ["name": "year", "comparison_operator": "≥", "value": 2024],
                            ["name": "author", "comparison_operator": "contains", "value": "an"],
                        ],
                    ])) == ["first.txt", "second.txt", "third.txt"])
            #expect(
                Self.names(try await search(["conditions": [["name": "published", "comparison_operator": "after", "value": 1_600_000_000]]])) == [
                    "first.txt"
                ])
            #expect(
                Self.names(try await search(["conditions": [["name": "published", "comparison_operator": "empty"]]])) == ["second.txt", "third.txt"])
            #expect(
                Self.names(try await search(["conditions": [["name": "author", "comparison_operator": "in", "value": "Bob, Carol"]]])) == [
                    "second.txt"
                ])
            // Nothing matches: no records, whatever the words.
            #expect(
                try await search(["conditions": [["name": "author", "comparison_operator": "is", "value": "Nobody"]]]).json["records"].array.isEmpty)
            // Wrong conditions are 400s naming the field.
            expectError(
                try await search(["conditions": [["name": "author", "comparison_operator": "resembles", "value": "x"]]]), .badRequest,
                "invalid_param",
                field: "retrieval_model.metadata_filtering_conditions.conditions[0].comparison_operator")
            expectError(
                try await search(["logical_operator": "xor", "conditions": []]), .badRequest, "invalid_param",
                field: "retrieval_model.metadata_filtering_conditions.logical_operator")
            // The record shows its document's values by name.
            let shown = try await search(["conditions": [["name": "author", "comparison_operator": "is", "value": "Bob"]]])
            #expect(shown.json["records"][0]["segment"]["document"]["doc_metadata"]["author"] == "Bob", "\(shown.json)")

            // Partial updates keep what they do not name; whole ones replace.
            _ = try await client.post(
                base + "/documents/metadata", token: key,
                json: ["operation_data": [["document_id": .string(documents[1]), "metadata_list": [item("year", 2025)], "partial_update": true]]])
            var second = try await client.get(base + "/documents/\(documents[1])?metadata=only", token: key)
            #expect(Set(second.json["doc_metadata"].array.compactMap { $0["name"].string }) == ["author", "year"], "\(second.json)")
            _ = try await client.post(
                base + "/documents/metadata", token: key,
                json: ["operation_data": [["document_id": .string(documents[1]), "metadata_list": [item("year", 2026)]]]])
            second = try await client.get(base + "/documents/\(documents[1])?metadata=only", token: key)
            #expect(second.json["doc_metadata"].array.compactMap { $0["name"].string } == ["year"], "\(second.json)")

            // Renamed, a field keeps its values; filters use the new name.
            let renamed = try await client.send(.patch, base + "/metadata/\(fields["author"]!)", token: key, json: ["name": "writer"])
            #expect(renamed.status == .ok && renamed.json["name"] == "writer", "\(renamed.json)")
            #expect(
                Self.names(try await search(["conditions": [["name": "writer", "comparison_operator": "is", "value": "Ann"]]])) == [
                    "first.txt", "third.txt",
                ])
            expectError(
                try await client.send(.patch, base + "/metadata/\(fields["year"]!)", token: key, json: ["name": "writer"]), .badRequest,
                "invalid_param",
                field: "name")

            // Built-in fields: listed, shown once switched on, filterable; off again, they filter nothing in.
            let builtIn = try await client.get("/v1/datasets/metadata/built-in", token: key)
            #expect(
                builtIn.json["fields"].array.compactMap { $0["name"].string } == [
                    "document_name", "uploader", "upload_date", "last_update_date", "source",
                ])
            #expect(try await client.get(base + "/metadata/built-in", token: key).json == builtIn.json)
            #expect(try await client.post(base + "/metadata/built-in/enable", token: key).json["result"] == "success")
            let detail = try await client.get(base, token: key)
            #expect(detail.json["built_in_field_enabled"] == true)
            #expect(detail.json["doc_metadata"].array.filter { $0["id"] == "built-in" }.count == 5, "\(detail.json)")
            let byName: JSONValue = ["conditions": [["name": "document_name", "comparison_operator": "start with", "value": "sec"]]]
            #expect(Self.names(try await search(byName)) == ["second.txt"])
            let uploader = try await search(["conditions": [["name": "uploader", "comparison_operator": "is", "value": "Owner"]]])
            #expect(Self.names(uploader).count == 3, "\(uploader.json)")
            #expect(try await client.post(base + "/metadata/built-in/disable", token: key).json["result"] == "success")
            #expect(try await search(byName).json["records"].array.isEmpty)
            expectError(try await client.post(base + "/metadata/built-in/toggle", token: key), .badRequest, "invalid_action")

            // Deleted, a field's values go with it.
            #expect(try await client.send(.delete, base + "/metadata/\(fields["year"]!)", token: key).status == .noContent)
            expectError(try await client.send(.delete, base + "/metadata/\(fields["year"]!)", token: key), .notFound, "not_found")
            let after = try await client.get(base + "/documents/\(documents[0])", token: key)
            #expect(after.json["doc_metadata"].array.compactMap { $0["name"].string }.sorted() == ["published", "writer"], "\(after.json)")
        }
    }

    @Test("apps and knowledge-retrieval nodes filter by metadata: manual conditions fill in inputs, automatic ones come from a model")
    func filteringModes() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forWorkflowTests()
                $0.forDatasetTests()
            }) { client in
                let owner = try await client.setUpOwner()
                // More requests than the default plan allows a minute (the indexing polls count too).
                try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
                try await client.configureStubProvider(stub, as: owner)
                let key = try await client.datasetKey(as: owner)
                let (dataset, documents) = try await Self.reportsDataset(client, key: key)
                let field = try #require(
                    try await client.post("/v1/datasets/\(dataset)/metadata", token: key, json: ["name": "author", "type": "string"]).json["id"]
                        .string)
                for (index, author) in ["Ann", "Bob", "Ann"].enumerated() {
                    let reply = try await client.post(
                        "/v1/datasets/\(dataset)/documents/metadata", token: key,
                        json: [
                            "operation_data": [
                                ["document_id": .string(documents[index]), "metadata_list": [["id": .string(field), "value": .string(author)]]]
                            ]
                        ])
                    try #require(reply.status == .ok)
                }
                let manual: JSONValue = ["conditions": [["name": "author", "comparison_operator": "is", "value": "{{who}}"]]]

                // A chat app: manual conditions, `{{who}}` filled from the conversation's inputs.
                let configs: JSONValue = [
                    "retrieval_model": "multiple", "top_k": 3, "datasets": ["datasets": [["dataset": ["enabled": true, "id": .string(dataset)]]]],
                    "metadata_filtering_mode": "manual", "metadata_filtering_conditions": manual,
                ]
                let app = try await client.chatApp(
                    stub, config: ["dataset_configs": configs, "user_input_form": [["text-input": ["variable": "who", "label": "Who"]]]], owner: owner
                )
                let answer = try await client.chat(app, "report", extra: ["inputs": ["who": "Bob"]])
                #expect(answer.status == .ok, "\(answer.json)")
                #expect(
                    answer.json["metadata"]["retriever_resources"].array.compactMap { $0["document_name"].string } == ["second.txt"], "\(answer.json)"
                )
                // A wrong mode is refused when the config is saved.
                var wrongConfigs = configs.object ?? [:]
                wrongConfigs["metadata_filtering_mode"] = "sometimes"
                let wrong = try await client.post(
                    "/console/api/apps/\(app.id)/model-config", token: owner.token,
                    json: ["model": ["provider": "openai_api_compatible", "name": "stub-chat"], "dataset_configs": .object(wrongConfigs)])
                expectError(wrong, .badRequest, "invalid_param", field: "dataset_configs.metadata_filtering_mode")

                // The knowledge-retrieval node: manual with the start node's input, and automatic, where a model reads
                // the conditions from the query (the stub answers Dify's `metadata_map` naming the query's last word).
                func node(_ filtering: [String: JSONValue]) -> JSONValue {
                    var data: [String: JSONValue] = [
                        "query_variable_selector": ["start", "query"], "dataset_ids": [.string(dataset)], "retrieval_mode": "multiple",
                        "multiple_retrieval_config": ["top_k": 3],
                    ]
                    data.merge(filtering) { $1 }
                    return Graphs.graph(
                        [
                            Graphs.start([("query", "text-input"), ("who", "text-input")]), Graphs.node("knowledge", "knowledge-retrieval", data),
                            Graphs.end([("result", ["knowledge", "result"])]),
                        ],
                        [Graphs.edge("start", "knowledge"), Graphs.edge("knowledge", "end")]
                    )
                }
                func titles(_ run: Reply) -> [String] { run.json["data"]["outputs"]["result"].array.compactMap { $0["title"].string }.sorted() }
                let manualFlow = try await client.workflowApp(
                    node(["metadata_filtering_mode": "manual", "metadata_filtering_conditions": manual]), owner: owner, name: "Manual")
                let manualRun = try await client.runWorkflow(manualFlow, ["query": "report", "who": "Ann"])
                #expect(titles(manualRun) == ["first.txt", "third.txt"], "\(manualRun.json)")
                #expect(manualRun.json["data"]["outputs"]["result"][0]["metadata"]["doc_metadata"]["author"] == "Ann")
                let automaticFlow = try await client.workflowApp(
                    node([
                        "metadata_filtering_mode": "automatic",
                        "metadata_model_config": ["provider": "openai_api_compatible", "name": "stub-metadata", "mode": "chat"],
                    ]), owner: owner, name: "Automatic")
                #expect(titles(try await client.runWorkflow(automaticFlow, ["query": "the report by Bob", "who": "x"])) == ["second.txt"])
                // The model names a value no document has: nothing is found.
                #expect(titles(try await client.runWorkflow(automaticFlow, ["query": "the report by Zoe", "who": "x"])).isEmpty)
                let sent = try #require(stub.requests.last { $0["model"] == "stub-metadata" })
                #expect(sent["messages"][0]["content"].string?.contains("metadata extract engine") == true)
                // Automatic mode without a model is refused by field when saved.
                let broken = try await client.post(
                    "/console/api/apps/\(automaticFlow.id)/workflows/draft", token: owner.token,
                    json: ["graph": node(["metadata_filtering_mode": "automatic"]), "features": [:]])
                expectError(broken, .badRequest, "invalid_param")
                #expect(broken.json["details"]["problems"].array.contains { $0["field"] == "data.metadata_model_config" }, "\(broken.json)")
            }
        }
    }
}
