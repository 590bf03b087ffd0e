import Core
import Foundation
import HTTPTypes
import RelayTestSupport
import Testing

@Suite("Knowledge documents: Dify's field sets, archiving, views, downloads, estimates, isolation")
struct KnowledgeDocumentTests {
    static func ownerAccountID(_ client: RelayClient, _ owner: Owner) async throws -> String {
        let members = try await client.get("/console/api/workspaces/current/members", token: owner.token)
        return try #require(members.json["accounts"].array.first { $0["role"] == "owner" }?["id"].string)
    }

    @Test("objects made with a key name the owner as creator and carry every field Dify sends; keyword filters match substrings")
    func fieldSets() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            // More requests than the default plan allows a minute (the indexing polls count too).
            try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
            let ownerID = try await Self.ownerAccountID(client, owner)
            let key = try await client.datasetKey(as: owner)
            let created = try await client.post("/v1/datasets", token: key, json: ["name": "sdk kb", "indexing_technique": "economy"])
            #expect(created.status == .ok, "\(created.json)")
            for field in [
                "id", "name", "description", "provider", "permission", "data_source_type", "indexing_technique", "app_count", "document_count",
                "word_count", "created_by", "author_name", "created_at", "updated_by", "updated_at", "embedding_model", "embedding_model_provider",
                "embedding_available", "retrieval_model_dict", "tags", "doc_form", "external_knowledge_info", "external_retrieval_model",
                "doc_metadata", "built_in_field_enabled", "pipeline_id", "runtime_mode", "chunk_structure", "icon_info", "is_published",
                "total_documents", "total_available_documents", "enable_api",
            ] {
                #expect(created.json.object?[field] != nil, "dataset lacks \(field): \(created.json)")
            }
            #expect(created.json["created_by"].string == ownerID && created.json["updated_by"].string == ownerID, "\(created.json)")
            let dataset = try #require(created.json["id"].string)
            // Dify matches the keyword as a substring of the name; `+` is a space, as clients encode it.
            for query in ["keyword=sdk+kb", "keyword=sdk%20kb", "keyword=DK%20K", "keyword=kb"] {
                #expect(try await client.get("/v1/datasets?\(query)", token: key).json["total"] == 1, "\(query)")
            }
            #expect(try await client.get("/v1/datasets?keyword=sdk%2Bkb", token: key).json["total"] == 0)

            let (document, batch) = try await client.addText("Penguins huddle for warmth.", name: "birds.txt", to: dataset, token: key, prefix: "/v1")
            _ = try await client.waitIndexed(batch, in: dataset, token: key, prefix: "/v1")
            let shown = try await client.get("/v1/datasets/\(dataset)/documents/\(document)", token: key)
            for field in [
                "id", "position", "data_source_type", "data_source_info", "dataset_process_rule_id", "name", "created_from", "created_by",
                "created_at", "tokens", "indexing_status", "error", "enabled", "disabled_at", "disabled_by", "archived", "display_status",
                "word_count", "hit_count", "doc_form", "doc_metadata", "doc_language", "segment_count", "average_segment_length",
                "document_process_rule", "completed_at", "updated_at",
            ] {
                #expect(shown.json.object?[field] != nil, "document lacks \(field): \(shown.json)")
            }
            #expect(shown.json["created_by"].string == ownerID && shown.json["created_from"] == "api")
            #expect(shown.json["data_source_info"]["upload_file"]["size"] == 27, "\(shown.json)")
            let segment = try await client.get("/v1/datasets/\(dataset)/documents/\(document)/segments", token: key).json["data"][0]
            for field in [
                "id", "position", "document_id", "content", "sign_content", "answer", "word_count", "tokens", "keywords", "index_node_id",
                "index_node_hash", "hit_count", "enabled", "disabled_at", "disabled_by", "status", "created_by", "created_at", "updated_at",
                "updated_by", "indexing_at", "completed_at", "error", "stopped_at", "child_chunks",
            ] {
                #expect(segment.object?[field] != nil, "segment lacks \(field): \(segment)")
            }
            #expect(segment["created_by"].string == ownerID)
            // The same through the console: the member is the creator.
            let console = try await client.get("/console/api/datasets/\(dataset)", token: owner.token)
            #expect(console.json["created_by"].string == ownerID)
        }
    }

    @Test("archived documents leave retrieval and refuse changes until un-archived; status actions are all or none; lists filter by status")
    func archiving() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            // More requests than the default plan allows a minute (the indexing polls count too).
            try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
            let key = try await client.datasetKey(as: owner)
            let dataset = try await client.createDataset("Archive", token: key, prefix: "/v1")
            let base = "/v1/datasets/\(dataset)"
            var documents: [String] = []
            for (name, text) in [("keep.txt", "Otters hold hands while they sleep."), ("old.txt", "Otters once lived in every river.")] {
                let (document, batch) = try await client.addText(text, name: name, to: dataset, token: key, prefix: "/v1")
                _ = try await client.waitIndexed(batch, in: dataset, token: key, prefix: "/v1")
                documents.append(document)
            }
            func found() async throws -> [String] {
                try await client.retrieve("otters", from: dataset, token: key, prefix: "/v1", model: ["search_method": "keyword_search"])
                    .json["records"].array.compactMap { $0["segment"]["document"]["name"].string }.sorted()
            }
            func status(_ filter: String) async throws -> [String] {
                try await client.get(base + "/documents?status=\(filter)", token: key).json["data"].array.compactMap { $0["name"].string }.sorted()
            }
            #expect(try await found() == ["keep.txt", "old.txt"])

            let archived = try await client.send(
                .patch, base + "/documents/status/archive", token: key, json: ["document_ids": [.string(documents[1])]])
            #expect(archived.status == .ok && archived.json["result"] == "success", "\(archived.json)")
            let old = try await client.get(base + "/documents/\(documents[1])", token: key)
            #expect(old.json["archived"] == true && old.json["display_status"] == "archived", "\(old.json)")
            #expect(try await found() == ["keep.txt"])
            #expect(try await status("archived") == ["old.txt"])
            #expect(try await status("available") == ["keep.txt"])
            #expect(try await status("active") == ["keep.txt"])
            #expect(try await status("somewhere") == ["keep.txt", "old.txt"])
            #expect(try await client.get(base, token: key).json["total_available_documents"] == 1)
            // Archived: not editable.
            for (method, path, body) in [
                (HTTPRequest.Method.post, "/documents/\(documents[1])/rename", ["name": "new.txt"] as JSONValue),
                (.post, "/documents/\(documents[1])/update-by-text", ["name": "old.txt", "text": "Changed."]),
                (.post, "/documents/\(documents[1])/segments", ["segments": [["content": "More otters."]]]),
                (.delete, "/documents/\(documents[1])", nil),
                (.patch, "/documents/status/disable", ["document_ids": [.string(documents[1])]]),
            ] {
                expectError(try await client.send(method, base + path, token: key, json: body), .forbidden, "archived_document_immutable")
            }
            #expect(
                try await client.send(.patch, base + "/documents/status/un_archive", token: key, json: ["document_ids": [.string(documents[1])]])
                    .status == .ok)
            #expect(try await found() == ["keep.txt", "old.txt"])

            // Disabled, then enabled; an unknown action or document changes nothing.
            #expect(
                try await client.send(.patch, base + "/documents/status/disable", token: key, json: ["document_ids": [.string(documents[0])]]).status
                    == .ok)
            let disabled = try await client.get(base + "/documents/\(documents[0])", token: key)
            #expect(disabled.json["display_status"] == "disabled" && disabled.json["disabled_at"].number != nil, "\(disabled.json)")
            #expect(try await found() == ["old.txt"])
            expectError(
                try await client.send(.patch, base + "/documents/status/shred", token: key, json: ["document_ids": [.string(documents[0])]]),
                .badRequest, "invalid_action")
            expectError(
                try await client.send(
                    .patch, base + "/documents/status/enable", token: key,
                    json: ["document_ids": [.string(documents[0]), .string(UUID().uuidString)]]),
                .notFound, "not_found")
            #expect(try await client.get(base + "/documents/\(documents[0])", token: key).json["enabled"] == false)
            #expect(
                try await client.send(.patch, base + "/documents/status/enable", token: key, json: ["document_ids": [.string(documents[0])]]).status
                    == .ok)
            #expect(try await found() == ["keep.txt", "old.txt"])

            // A document that never finished indexing (it has no text) cannot be disabled.
            let (empty, emptyBatch) = try await client.addText("   ", name: "blank.txt", to: dataset, token: key, prefix: "/v1")
            #expect(try await client.waitIndexed(emptyBatch, in: dataset, token: key, prefix: "/v1")[0]["indexing_status"] == "error")
            expectError(
                try await client.send(.patch, base + "/documents/status/disable", token: key, json: ["document_ids": [.string(empty)]]),
                .badRequest, "invalid_action")

            // Views of one document.
            let only = try await client.get(base + "/documents/\(documents[0])?metadata=only", token: key)
            #expect(Set(only.json.object?.keys.map { $0 } ?? []) == ["id", "doc_type", "doc_metadata"], "\(only.json)")
            let without = try await client.get(base + "/documents/\(documents[0])?metadata=without", token: key)
            #expect(without.json["doc_metadata"] == .null && without.json["name"] == "keep.txt")
            expectError(try await client.get(base + "/documents/\(documents[0])?metadata=some", token: key), .badRequest, "invalid_metadata")
        }
    }

    @Test("a document's file is linked with a signature that expires, downloaded alone or with others as a zip; estimates preview indexing")
    func downloadsAndEstimates() async throws {
        try await withRelay(configure: {
            $0.forDatasetTests()
            $0.documentZipBytes = 60
        }) { client in
            let owner = try await client.setUpOwner()
            // More requests than the default plan allows a minute (the indexing polls count too).
            try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
            let key = try await client.datasetKey(as: owner)
            let dataset = try await client.createDataset("Files", token: key, prefix: "/v1")
            let base = "/v1/datasets/\(dataset)"
            let first = "Herons stand still for a long time."
            let (one, batch) = try await client.addText(first, name: "herons", to: dataset, token: key, prefix: "/v1")
            let (two, _) = try await client.addText("Owls fly silently.", name: "owls.txt", to: dataset, token: key, prefix: "/v1")
            _ = try await client.waitIndexed(batch, in: dataset, token: key, prefix: "/v1")

            let file = try await client.get(base + "/documents/\(one)/upload-file", token: key)
            #expect(file.status == .ok, "\(file.json)")
            #expect(file.json["name"] == "herons" && file.json["size"] == 35 && file.json["mime_type"] == "text/plain", "\(file.json)")
            let url = try #require(file.json["url"].string)
            let path = try #require(URLComponents(string: url)).percentEncodedPath + "?" + (URLComponents(string: url)?.percentEncodedQuery ?? "")
            let fetched = try await client.get(path)
            #expect(fetched.status == .ok && String(buffer: fetched.body) == first)
            let attachment = try await client.get(path + "&as_attachment=true")
            #expect(attachment.header("Content-Disposition")?.hasPrefix("attachment; filename=\"herons.txt\"") == true)
            // Altered or expired links are refused.
            expectError(try await client.get(path.replacingOccurrences(of: one, with: two)), .forbidden, "forbidden")
            expectError(try await client.get(path.replacingOccurrences(of: "sign=", with: "sign=x")), .forbidden, "forbidden")
            client.clock.advance(by: 301)
            expectError(try await client.get(path), .forbidden, "forbidden")
            // A new file through Dify's PATCH of the document: indexed again, and the link serves it.
            let replaced = try await client.upload(
                Array("Herons wade in shallow water.".utf8), filename: "herons.txt", to: base + "/documents/\(one)", fields: [:], token: key,
                method: .PATCH)
            #expect(replaced.status == .ok && replaced.json["document"]["id"].string == one, "\(replaced.json)")
            _ = try await client.waitIndexed(try #require(replaced.json["batch"].string), in: dataset, token: key, prefix: "/v1")
            let relinked = try #require(try await client.get(base + "/documents/\(one)/upload-file", token: key).json["url"].string)
            let relinkedPath =
                try #require(URLComponents(string: relinked)).percentEncodedPath + "?" + (URLComponents(string: relinked)?.percentEncodedQuery ?? "")
            #expect(String(buffer: try await client.get(relinkedPath).body) == "Herons wade in shallow water.")
            let download = try await client.get(base + "/documents/\(one)/download", token: key)
            #expect(download.json["url"].string?.contains("as_attachment=true") == true, "\(download.json)")

            // Several as a zip: each file once, readable by Python's zipfile.
            let zip = try await client.post(base + "/documents/download-zip", token: key, json: ["document_ids": [.string(one), .string(two)]])
            #expect(zip.status == .ok && zip.header("Content-Type") == "application/zip")
            let archive = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID()).zip")
            defer { try? FileManager.default.removeItem(at: archive) }
            try Data(buffer: zip.body).write(to: archive)
            let listed = try await ChildProcess.run(
                "/usr/bin/python3",
                [
                    "-c",
                    "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(sorted(z.namelist())); print(z.read('herons.txt').decode())",
                    archive.path,
                ])
            #expect(
                listed.status == 0 && listed.output.contains("['herons.txt', 'owls.txt']") && listed.output.contains("Herons wade in shallow water."),
                "\(listed.output)")
            // Past the download's size (60 bytes here): refused before any file is read.
            expectError(
                try await client.post(
                    base + "/documents/download-zip", token: key, json: ["document_ids": [.string(one), .string(two), .string(two)]]),
                .contentTooLarge, "file_too_large")
            expectError(
                try await client.post(base + "/documents/download-zip", token: key, json: ["document_ids": []]), .badRequest, "invalid_param",
                field: "document_ids")
            expectError(
                try await client.post(base + "/documents/download-zip", token: key, json: ["document_ids": [.string(UUID().uuidString)]]), .notFound,
                "not_found")

            // Estimates: what a rule would make, before anything is stored.
            let estimate = try await client.post(
                "/v1/datasets/indexing-estimate", token: key,
                json: ["text": "One.\nTwo.\n\nThree.\nFour.", "doc_form": "hierarchical_model", "process_rule": KnowledgeChunkTests.paragraphRule])
            #expect(estimate.status == .ok, "\(estimate.json)")
            #expect(estimate.json["total_segments"] == 2 && estimate.json["preview"][0]["child_chunks"] == ["One.", "Two."], "\(estimate.json)")
            let stored = try await client.get(base + "/documents/\(one)/indexing-estimate", token: key)
            #expect(stored.json["total_segments"] == 1 && stored.json["preview"][0]["content"] == "Herons wade in shallow water.", "\(stored.json)")
            expectError(try await client.post("/v1/datasets/indexing-estimate", token: key, json: [:]), .badRequest, "invalid_param", field: "text")
        }
    }

    @Test("another workspace's metadata, segments, child chunks and files are not found through any new route")
    func isolation() async throws {
        try await withRelay(configure: {
            $0.forDatasetTests()
            $0.allowsRegistration = true
        }) { client in
            let owner = try await client.setUpOwner()
            // More requests than the default plan allows a minute (the indexing polls count too).
            try await client.setPlan("team", overrides: ["rpm": 10_000], for: owner)
            let key = try await client.datasetKey(as: owner)
            let dataset = try await client.createDataset("Mine", token: key, prefix: "/v1")
            let created = try await client.post(
                "/v1/datasets/\(dataset)/document/create-by-text", token: key,
                json: [
                    "name": "a.txt", "text": "Alpha line.\nBeta line.", "doc_form": "hierarchical_model",
                    "process_rule": KnowledgeChunkTests.paragraphRule,
                ])
            let document = try #require(created.json["document"]["id"].string)
            _ = try await client.waitIndexed(try #require(created.json["batch"].string), in: dataset, token: key, prefix: "/v1")
            let segment = try #require(try await client.get("/v1/datasets/\(dataset)/documents/\(document)/segments", token: key).json["data"][0])
            let segmentID = try #require(segment["id"].string)
            let child = try #require(segment["child_chunks"][0]["id"].string)
            let field = try #require(
                try await client.post("/v1/datasets/\(dataset)/metadata", token: key, json: ["name": "topic", "type": "string"]).json["id"].string)

            let bob = try await client.register("bob@example.com")
            let bobsKey = try await client.datasetKey(as: bob)
            let bobsDataset = try await client.createDataset("Bob's", token: bobsKey, prefix: "/v1")
            let mine = "/v1/datasets/\(dataset)"
            let his = "/v1/datasets/\(bobsDataset)"
            let attempts: [(HTTPRequest.Method, String, JSONValue?)] = [
                (.get, mine + "/metadata", nil), (.post, mine + "/metadata", ["name": "x", "type": "string"]),
                (.patch, mine + "/metadata/\(field)", ["name": "y"]), (.delete, mine + "/metadata/\(field)", nil),
                (.post, mine + "/metadata/built-in/enable", nil), (.get, mine + "/metadata/built-in", nil),
                (
                    .post, mine + "/documents/metadata",
                    ["operation_data": [["document_id": .string(document), "metadata_list": [["id": .string(field), "value": "z"]]]]]
                ),
                (.get, mine + "/documents/\(document)/segments/\(segmentID)", nil),
                (.get, mine + "/documents/\(document)/segments/\(segmentID)/child_chunks", nil),
                (.post, mine + "/documents/\(document)/segments/\(segmentID)/child_chunks", ["content": "x"]),
                (.patch, mine + "/documents/\(document)/segments/\(segmentID)/child_chunks/\(child)", ["content": "x"]),
                (.delete, mine + "/documents/\(document)/segments/\(segmentID)/child_chunks/\(child)", nil),
                (.get, mine + "/documents/\(document)/upload-file", nil), (.get, mine + "/documents/\(document)/download", nil),
                (.post, mine + "/documents/download-zip", ["document_ids": [.string(document)]]),
                (.get, mine + "/documents/\(document)/indexing-estimate", nil),
                (.patch, mine + "/documents/status/archive", ["document_ids": [.string(document)]]),
                // Bob's own dataset, with the other workspace's ids below it.
                (.post, his + "/documents/metadata", ["operation_data": [["document_id": .string(document), "metadata_list": []]]]),
                (.patch, his + "/metadata/\(field)", ["name": "y"]), (.delete, his + "/metadata/\(field)", nil),
                (.get, his + "/documents/\(document)/segments/\(segmentID)/child_chunks", nil),
                (.post, his + "/documents/download-zip", ["document_ids": [.string(document)]]),
                (.get, his + "/documents/\(document)/upload-file", nil),
            ]
            for (method, path, body) in attempts {
                expectError(try await client.send(method, path, token: bobsKey, json: body), .notFound, "not_found")
            }
            // Nothing of the owner's changed.
            #expect(try await client.get(mine + "/metadata", token: key).json["doc_metadata"][0]["name"] == "topic")
            #expect(try await client.get(mine + "/documents/\(document)/segments/\(segmentID)/child_chunks", token: key).json["total"] == 2)
            #expect(try await client.get(mine + "/documents/\(document)", token: key).json["archived"] == false)
        }
    }
}
