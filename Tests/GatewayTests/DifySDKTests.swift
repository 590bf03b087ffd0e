import Core
import Foundation
import RelayTestSupport
import Testing

/// The yardstick of compatibility: Dify's own Python SDK, installed from PyPI, against a running Relay.
@Suite("Dify's Python SDK against Relay")
struct DifySDKTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("dify-client uploads, chats blocking and streamed, lists, renames, rates and completes")
    func difyClient() async throws {
        let setup = try await ChildProcess.run(Self.root.appendingPathComponent("scripts/dify-sdk-env").path, [])
        try #require(setup.status == 0, "installing dify-client: \(setup.output)")
        let python = try #require(setup.output.split(separator: "\n").last.map(String.init))
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let chat = try await client.chatApp(stub, config: ["opening_statement": "Hi from Relay"])
                let completion = try await client.chatApp(
                    stub, mode: "completion",
                    config: ["pre_prompt": "Explain {{topic}}", "user_input_form": [["text-input": ["variable": "topic", "label": "Topic"]]]],
                    owner: chat.owner, name: "Explainer"
                )
                let port = try #require(client.client.port)
                let script = Self.root.appendingPathComponent("Tests/GatewayTests/DifySDK/dify_client_check.py").path
                let run = try await ChildProcess.run(python, [script, "http://127.0.0.1:\(port)/v1", chat.key, completion.key])
                try #require(run.status == 0, "dify-client: \(run.output)")
                let line = try #require(run.output.split(separator: "\n").last)
                let seen = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
                #expect(seen["opening_statement"] == "Hi from Relay")
                #expect(seen["upload"] == ["name": "pixel.png", "size": 108, "extension": "png", "mime_type": "image/png"])
                #expect(seen["blocking_answer"] == "Echo: hello sdk")
                #expect(seen["streamed_answer"] == "Echo: streamed words")
                #expect(seen["streamed_events"].array.last == "message_end")
                #expect(seen["message_queries"] == ["hello sdk", "streamed words"])
                #expect(seen["conversation_count"] == 1)
                #expect(seen["renamed"] == "Renamed by the SDK")
                #expect(seen["feedback"] == "success")
                #expect(seen["first_rating"] == "like")
                #expect(seen["completion_answer"] == "Echo: Explain tides")
                // The image the SDK uploaded reached the model.
                #expect(
                    stub.requests.contains {
                        $0["messages"].array.last?["content"][1]["image_url"]["url"].string?.hasPrefix("data:image/png") == true
                    })
            }
        }
    }

    @Test(
        "Dify's Python SDK's knowledge client and dify-dataset-sdk drive datasets, documents, segments, child chunks, metadata, tags and retrieval",
        arguments: ["knowledge_client_check.py", "dataset_sdk_check.py"]
    )
    func knowledgeSDKs(script: String) async throws {
        let setup = try await ChildProcess.run(Self.root.appendingPathComponent("scripts/knowledge-sdk-env").path, [])
        try #require(setup.status == 0, "installing the knowledge SDKs: \(setup.output)")
        let python = try #require(setup.output.split(separator: "\n").last.map(String.init))
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            // The SDKs' walk-throughs make more than the default plan's 60 requests a minute.
            try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
            let key = try await client.datasetKey(as: owner)
            let port = try #require(client.client.port)
            let path = Self.root.appendingPathComponent("Tests/GatewayTests/DifySDK/\(script)").path
            let run = try await ChildProcess.run(python, [path, "http://127.0.0.1:\(port)/v1", key])
            try #require(run.status == 0, "\(script): \(run.output)")
            let line = try #require(run.output.split(separator: "\n").last)
            let seen = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
            if script == "knowledge_client_check.py" {
                #expect(seen["metadata"]["renamed"] == "writer" && seen["metadata"]["document_value"] == "Ada", "\(seen)")
                #expect(seen["hit_testing"]["filtered_documents"] == ["tides.txt"] && seen["hit_testing"]["unmatched_records"] == 0)
                #expect(seen["document_status"]["archive"] == ["harbour.txt"])
                #expect(seen["deleted"]["dataset_gone"] == true)
            } else {
                #expect(seen["child_chunks"] == ["parents": 2, "children": 3, "after_add": 4, "after_delete": 3], "\(seen)")
                #expect(seen["retrieve"]["filtered_documents"] == ["nile.txt"])
                #expect(seen["final"]["dataset_gone"] == true)
            }
        }
    }
}
