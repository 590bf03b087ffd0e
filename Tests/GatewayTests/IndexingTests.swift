import Core
import Foundation
import HTTPTypes
import Testing
import ZIPFoundation

@Suite("Knowledge bases: the indexing pipeline")
struct IndexingTests {
    static let handbook = """
        Relay keeps every workspace apart.   Its    queries are scoped by workspace.



        Rate limits are exact: one atomic statement decides each request. Contact ops@example.com or see https://example.com/limits for more.

        Plugins run in a sandbox with their own uid, no network and strict limits.
        """

    @Test("a document goes through every step to completed: cleaned, split by its rule, with timestamps, counts and tokens")
    func pipelineSteps() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            let dataset = try await client.createDataset("Handbook", token: owner.token)
            let rule: JSONValue = [
                "mode": "custom",
                "rules": [
                    "pre_processing_rules": [["id": "remove_extra_spaces", "enabled": true], ["id": "remove_urls_emails", "enabled": true]],
                    "segmentation": ["separator": "\\n\\n", "max_tokens": 50, "chunk_overlap": 0],
                ],
            ]
            let created = try await client.post(
                "/console/api/datasets/\(dataset)/document/create_by_text", token: owner.token,
                json: ["name": "handbook.md", "text": .string(Self.handbook), "process_rule": rule]
            )
            #expect(created.status == .ok, "\(created.json)")
            // The answer comes at once, before any work.
            #expect(
                ["waiting", "parsing", "cleaning", "splitting", "indexing", "completed"].contains(
                    created.json["document"]["indexing_status"].string ?? ""))
            let batch = try #require(created.json["batch"].string)
            let document = try #require(created.json["document"]["id"].string)
            let status = try await client.waitIndexed(batch, in: dataset, token: owner.token)[0]
            #expect(status["indexing_status"] == "completed", "\(status)")
            for step in ["processing_started_at", "parsing_completed_at", "cleaning_completed_at", "splitting_completed_at", "completed_at"] {
                #expect(status[step].number != nil, "\(step) in \(status)")
            }
            #expect(status["total_segments"] == 3 && status["completed_segments"] == 3, "\(status)")
            #expect(status["error"] == .null)

            let segments = try await client.get("/console/api/datasets/\(dataset)/documents/\(document)/segments", token: owner.token)
            let contents = segments.json["data"].array.compactMap { $0["content"].string }
            #expect(
                contents == [
                    "Relay keeps every workspace apart. Its queries are scoped by workspace.",
                    "Rate limits are exact: one atomic statement decides each request. Contact or see for more.",
                    "Plugins run in a sandbox with their own uid, no network and strict limits.",
                ], "\(contents)")
            #expect(segments.json["data"].array.map(\.["position"]) == [1, 2, 3])
            let first = segments.json["data"][0]
            #expect(first["word_count"].int == contents.first?.count)
            #expect((first["tokens"].int ?? 0) > 10)
            #expect(first["index_node_hash"].string?.count == 64)

            let read = try await client.get("/console/api/datasets/\(dataset)/documents/\(document)", token: owner.token)
            #expect(read.json["display_status"] == "available")
            #expect(read.json["word_count"].int == contents.reduce(0) { $0 + $1.count })
            #expect(try await client.get("/console/api/datasets/\(dataset)", token: owner.token).json["document_count"] == 1)
            let documents = try await client.get("/console/api/datasets/\(dataset)/documents?keyword=hand", token: owner.token)
            #expect(documents.json["total"] == 1 && documents.json["data"][0]["id"].string == document)

            // New text for the same document: indexed again from the start; renamed.
            let updated = try await client.post(
                "/console/api/datasets/\(dataset)/documents/\(document)/update-by-text", token: owner.token,
                json: ["text": "Only this sentence now.", "process_rule": rule]
            )
            #expect(updated.status == .ok, "\(updated.json)")
            let again = try await client.waitIndexed(batch, in: dataset, token: owner.token)[0]
            #expect(again["indexing_status"] == "completed" && again["total_segments"] == 1, "\(again)")
            let replaced = try await client.get("/console/api/datasets/\(dataset)/documents/\(document)/segments", token: owner.token)
            #expect(replaced.json["data"].array.map(\.["content"]) == ["Only this sentence now."])
            let renamed = try await client.post(
                "/console/api/datasets/\(dataset)/documents/\(document)/rename", token: owner.token, json: ["name": "policy.md"])
            #expect(renamed.json["name"] == "policy.md", "\(renamed.json)")
            expectError(
                try await client.post("/console/api/datasets/\(dataset)/documents/\(document)/rename", token: owner.token, json: ["name": " "]),
                .badRequest, "invalid_param", field: "name"
            )
            let byFile = try await client.upload(
                Array("A file replaces the text.".utf8), filename: "new.txt",
                to: "/console/api/datasets/\(dataset)/documents/\(document)/update-by-file", fields: [:], token: owner.token
            )
            #expect(byFile.status == .ok && byFile.json["document"]["name"] == "new.txt", "\(byFile.json)")
            _ = try await client.waitIndexed(batch, in: dataset, token: owner.token)
            let fromFile = try await client.get("/console/api/datasets/\(dataset)/documents/\(document)/segments", token: owner.token)
            #expect(fromFile.json["data"].array.map(\.["content"]) == ["A file replaces the text."])

            // Wrong rules are refused before anything is stored.
            for (bad, field) in [
                (["mode": "smart"] as JSONValue, "process_rule.mode"),
                (["mode": "custom", "rules": ["segmentation": ["max_tokens": 10]]], "process_rule.rules.segmentation.max_tokens"),
                (
                    ["mode": "custom", "rules": ["segmentation": ["max_tokens": 100, "chunk_overlap": 100]]],
                    "process_rule.rules.segmentation.chunk_overlap"
                ),
                (
                    ["mode": "custom", "rules": ["pre_processing_rules": [["id": "translate", "enabled": true]]]],
                    "process_rule.rules.pre_processing_rules"
                ),
            ] {
                let reply = try await client.post(
                    "/console/api/datasets/\(dataset)/document/create-by-text", token: owner.token,
                    json: ["name": "bad.txt", "text": "text", "process_rule": bad]
                )
                expectError(reply, .badRequest, "invalid_param", field: field)
            }
            expectError(
                try await client.post("/console/api/datasets/\(dataset)/document/create-by-text", token: owner.token, json: ["name": "empty.txt"]),
                .badRequest, "invalid_param", field: "text"
            )
            #expect(try await client.get("/console/api/datasets/\(dataset)/documents", token: owner.token).json["total"] == 1)
        }
    }

    @Test("automatic splitting keeps chunks within 500 tokens with overlap; a long text makes many segments")
    func automaticSplitting() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            let dataset = try await client.createDataset("Long", token: owner.token)
            let sentences = (1...400).map { "Sentence number \($0) talks about topic \($0 % 7) in some detail." }
            let (document, batch) = try await client.addText(sentences.joined(separator: " "), to: dataset, token: owner.token)
            let status = try await client.waitIndexed(batch, in: dataset, token: owner.token)[0]
            let total = try #require(status["total_segments"].int)
            #expect(total >= 8 && total <= 20, "\(status)")
            let page = try await client.get("/console/api/datasets/\(dataset)/documents/\(document)/segments?limit=100", token: owner.token)
            let segments = page.json["data"].array
            #expect(segments.count == total)
            #expect(segments.allSatisfy { ($0["tokens"].int ?? 0) <= 500 })
            // Neighbours overlap: each chunk begins with words the one before ended with.
            let firstWords = try #require(segments[1]["content"].string?.split(separator: " ").prefix(4).joined(separator: " "))
            #expect(segments[0]["content"].string?.contains(firstWords) == true, "\(firstWords)")
            let text = segments.compactMap { $0["content"].string }.joined(separator: " ")
            for number in [1, 200, 400] { #expect(text.contains("Sentence number \(number) talks")) }
        }
    }

    @Test("txt, md, html, csv, json, pdf and docx are read; wrong types are refused at once and unreadable files end in error")
    func fileFormats() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            let dataset = try await client.createDataset("Files", token: owner.token)
            func upload(_ bytes: [UInt8], _ name: String, data: String? = nil) async throws -> Reply {
                var fields: [String: String] = [:]
                if let data { fields["data"] = data }
                return try await client.upload(
                    bytes, filename: name, to: "/console/api/datasets/\(dataset)/document/create-by-file", fields: fields, token: owner.token)
            }
            func indexedText(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) async throws -> (status: JSONValue, text: String) {
                #expect(reply.status == .ok, "\(reply.json)", sourceLocation: sourceLocation)
                let batch = try #require(reply.json["batch"].string)
                let status = try await client.waitIndexed(batch, in: dataset, token: owner.token)[0]
                let id = try #require(reply.json["document"]["id"].string)
                let segments = try await client.get("/console/api/datasets/\(dataset)/documents/\(id)/segments?limit=100", token: owner.token)
                return (status, segments.json["data"].array.compactMap { $0["content"].string }.joined(separator: "\n"))
            }

            let txt = try await indexedText(try await upload(Array("Plain words in a file.".utf8), "plain.txt"))
            #expect(txt.text == "Plain words in a file.")
            let md = try await indexedText(try await upload(Array("# Title\n\nSome *markdown* text.".utf8), "notes.md"))
            #expect(md.text.contains("Some *markdown* text."))
            let html = try await indexedText(
                try await upload(
                    Array(
                        "<html><head><title>T</title><style>p{color:red}</style></head><body><p>Visible &amp; kept</p><script>alert('gone')</script><!-- hidden --><div>Second&nbsp;block</div></body></html>"
                            .utf8),
                    "page.html"
                )
            )
            #expect(html.text.contains("Visible & kept") && html.text.contains("Second block"), "\(html.text)")
            #expect(!html.text.contains("alert") && !html.text.contains("color") && !html.text.contains("hidden"), "\(html.text)")
            let csv = try await indexedText(try await upload(Array("name,role\nAda,\"engineer, lead\"\nLin,designer\n".utf8), "people.csv"))
            #expect(csv.text.contains("name: Ada; role: engineer, lead") && csv.text.contains("name: Lin; role: designer"), "\(csv.text)")
            let json = try await indexedText(try await upload(Array(#"{"b": [1, 2], "a": "first"}"#.utf8), "data.json"))
            #expect(json.text.contains(#""a" : "first""#), "\(json.text)")
            let pdf = try await indexedText(
                try await upload(TestDocuments.pdf(["Quarterly report of the relay project.", "Latency fell by half."]), "report.pdf"))
            #expect(pdf.status["indexing_status"] == "completed", "\(pdf.status)")
            #expect(pdf.text.contains("Quarterly report of the relay project.") && pdf.text.contains("Latency fell by half."), "\(pdf.text)")
            let docx = try await indexedText(
                try await upload(try Self.docx(["First paragraph of the memo.", "Second paragraph, with a\ttab."]), "memo.docx"))
            #expect(docx.text.contains("First paragraph of the memo.") && docx.text.contains("Second paragraph, with a"), "\(docx.text)")

            // Options in the `data` field apply.
            let custom = try await indexedText(
                try await upload(
                    Array("one one one\n\ntwo two two".utf8), "split.txt",
                    data:
                        #"{"indexing_technique": "economy", "process_rule": {"mode": "custom", "rules": {"segmentation": {"separator": "\n\n", "max_tokens": 50}}}}"#
                )
            )
            #expect(custom.status["total_segments"] == 2, "\(custom.status)")

            // Refused at once: nothing stored.
            let before = try await client.get("/console/api/datasets/\(dataset)/documents", token: owner.token).json["total"]
            expectError(try await upload(Array("MZ binary".utf8), "tool.exe"), .unsupportedMediaType, "unsupported_file_type")
            expectError(try await upload(Array("just text".utf8), "fake.pdf"), .unsupportedMediaType, "unsupported_file_type")
            expectError(try await upload([0x00, 0xff, 0xfe, 0x00], "binary.txt"), .unsupportedMediaType, "unsupported_file_type")
            expectError(try await upload([], "empty.txt"), .badRequest, "no_file_uploaded")
            expectError(try await upload(Array("x".utf8), "x.txt", data: "not json"), .badRequest, "invalid_param", field: "data")
            expectError(
                try await client.upload(
                    Array("x".utf8), filename: nil, to: "/console/api/datasets/\(dataset)/document/create-by-file", fields: ["data": "{}"],
                    token: owner.token),
                .badRequest, "no_file_uploaded"
            )
            #expect(try await client.get("/console/api/datasets/\(dataset)/documents", token: owner.token).json["total"] == before)

            // Unreadable inside: the document ends in error with the reason, the server stays well.
            let broken = try await indexedText(try await upload(Array("%PDF-1.4\nthis is not really a pdf\n".utf8), "broken.pdf"))
            #expect(broken.status["indexing_status"] == "error", "\(broken.status)")
            #expect(broken.status["error"].string?.contains("could not be read") == true, "\(broken.status)")
            let notDocx = try await indexedText(try await upload([0x50, 0x4b, 0x03, 0x04, 1, 2, 3], "fake.docx"))
            #expect(notDocx.status["indexing_status"] == "error" && notDocx.status["error"].string?.contains("docx") == true, "\(notDocx.status)")
            let badJSON = try await indexedText(try await upload(Array("{not json".utf8), "bad.json"))
            #expect(badJSON.status["indexing_status"] == "error", "\(badJSON.status)")
            #expect(try await client.get("/health").status == .ok)
        }
    }

    /// A minimal Word document with `paragraphs`.
    static func docx(_ paragraphs: [String]) throws -> [UInt8] {
        let body = paragraphs.map { text in
            let runs = text.split(separator: "\t", omittingEmptySubsequences: false).map { "<w:r><w:t xml:space=\"preserve\">\($0)</w:t></w:r>" }
            return "<w:p>" + runs.joined(separator: "<w:r><w:tab/></w:r>") + "</w:p>"
        }.joined()
        let document = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>\(body)</w:body></w:document>
            """
        let archive = try Archive(accessMode: .create)
        for (path, text) in [
            ("[Content_Types].xml", #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#),
            ("word/document.xml", document),
        ] {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return Array(try #require(archive.data))
    }

    @Test("pause, resume and retry: a paused document waits, resumes where it stood; an error is retried from the source")
    func pauseResumeRetry() async throws {
        try await StubUpstream.with { stub in
            try await withTemporaryDirectory { directory in
                // An instance without workers: documents wait until the second instance runs them.
                let ids = try await withRelay(
                    dataDirectory: directory,
                    configure: {
                        $0.forDatasetTests()
                        $0.jobs.concurrency = 0
                    }
                ) { client in
                    let owner = try await client.setUpOwner()
                    try await client.configureStubProvider(stub, as: owner)
                    let dataset = try await client.createDataset("Queue", token: owner.token)
                    let (document, batch) = try await client.addText("Waiting text for later.", to: dataset, token: owner.token)
                    let paused = try await client.send(
                        .patch, "/console/api/datasets/\(dataset)/documents/\(document)/processing/pause", token: owner.token)
                    #expect(paused.json["document"]["indexing_status"] == "paused", "\(paused.json)")
                    #expect(paused.json["document"]["display_status"] == "paused")
                    expectError(
                        try await client.send(.patch, "/console/api/datasets/\(dataset)/documents/\(document)/processing/pause", token: owner.token),
                        .badRequest, "invalid_param"
                    )
                    let resumed = try await client.send(
                        .patch, "/console/api/datasets/\(dataset)/documents/\(document)/processing/resume", token: owner.token)
                    #expect(resumed.json["document"]["indexing_status"] == "waiting", "\(resumed.json)")
                    expectError(
                        try await client.send(.patch, "/console/api/datasets/\(dataset)/documents/\(document)/processing/resume", token: owner.token),
                        .badRequest, "invalid_param"
                    )
                    // A high-quality dataset whose embedding upstream always fails.
                    let failing = try await client.createDataset("Failing", technique: "high_quality", model: "stub-embed-500", token: owner.token)
                    let (bad, badBatch) = try await client.addText("Doomed text.", to: failing, token: owner.token)
                    return (owner, dataset, document, batch, failing, bad, badBatch)
                }
                try await withRelay(
                    dataDirectory: directory,
                    configure: {
                        $0.forDatasetTests()
                        $0.jobs.maxAttempts = 2
                    }
                ) { client in
                    let (owner, dataset, document, batch, failing, bad, badBatch) = ids
                    let done = try await client.waitIndexed(batch, in: dataset, token: owner.token)[0]
                    #expect(done["indexing_status"] == "completed", "\(done)")
                    let segments = try await client.get("/console/api/datasets/\(dataset)/documents/\(document)/segments", token: owner.token)
                    #expect(segments.json["total"] == 1)

                    // Retried with backoff, then given up with the reason.
                    let failed = try await client.waitIndexed(badBatch, in: failing, token: owner.token)[0]
                    #expect(failed["indexing_status"] == "error", "\(failed)")
                    #expect(failed["error"].string?.contains("2 times") == true, "\(failed)")
                    #expect(failed["error"].string?.contains("HTTP 500") == true, "\(failed)")
                    #expect(stub.requests.count { $0["model"] == "stub-embed-500" } >= 2, "two runs of the job, each asking the model")

                    // Retried by hand: indexed again from the stored source (and, the model still failing, given up again).
                    let attempts = stub.requests.count { $0["model"] == "stub-embed-500" }
                    let retried = try await client.post(
                        "/console/api/datasets/\(failing)/retry", token: owner.token, json: ["document_ids": [.string(bad)]])
                    #expect(retried.json["result"] == "success", "\(retried.json)")
                    let again = try await client.waitIndexed(badBatch, in: failing, token: owner.token)[0]
                    #expect(again["indexing_status"] == "error", "\(again)")
                    #expect(stub.requests.count { $0["model"] == "stub-embed-500" } >= attempts + 2)

                    // Pointing the dataset at a working model indexes its documents again: the failed one completes.
                    let switched = try await client.send(
                        .patch, "/console/api/datasets/\(failing)", token: owner.token, json: ["embedding_model": "stub-embed-words"])
                    #expect(switched.status == .ok, "\(switched.json)")
                    let after = try await client.waitIndexed(badBatch, in: failing, token: owner.token)[0]
                    #expect(after["indexing_status"] == "completed" && after["error"] == .null, "\(after)")
                    expectError(
                        try await client.post("/console/api/datasets/\(failing)/retry", token: owner.token, json: ["document_ids": []]),
                        .badRequest, "invalid_param", field: "document_ids"
                    )
                }
            }
        }
    }

    @Test("a plan's document count and vector space are checked before work starts")
    func quotas() async throws {
        try await withRelay(configure: { $0.forDatasetTests() }) { client in
            let owner = try await client.setUpOwner()
            try await client.setPlan("sandbox", overrides: ["documents": 2, "vector_space": 200], for: owner)
            let dataset = try await client.createDataset("Small", token: owner.token)
            let (_, first) = try await client.addText(String(repeating: "word ", count: 30), to: dataset, token: owner.token)
            _ = try await client.waitIndexed(first, in: dataset, token: owner.token)
            // 149 bytes stored; this one would pass 200: it ends in error with the reason, nothing stored for it.
            let (big, second) = try await client.addText(String(repeating: "more ", count: 40), to: dataset, token: owner.token)
            let status = try await client.waitIndexed(second, in: dataset, token: owner.token)[0]
            #expect(status["indexing_status"] == "error" && status["error"].string?.contains("vector space") == true, "\(status)")
            #expect(try await client.get("/console/api/datasets/\(dataset)/documents/\(big)/segments", token: owner.token).json["total"] == 0)
            let usage = try await client.get("/console/api/workspaces/current/usage", token: owner.token)
            #expect(usage.json["documents"] == ["limit": 2, "used": 2], "\(usage.json)")
            #expect(usage.json["vector_space"]["used"].int == 149 && usage.json["vector_space"]["limit"] == 200, "\(usage.json)")
            // Two documents held: a third is refused at once.
            let third = try await client.addText("third", to: dataset, token: owner.token, expectingFailure: true)
            expectError(third, .forbidden, "forbidden")
            #expect(third.json["details"]["limit"] == "documents")
            #expect(try await client.send(.delete, "/console/api/datasets/\(dataset)/documents/\(big)", token: owner.token).status == .noContent)
            #expect(try await client.addText("third", to: dataset, token: owner.token, expectingFailure: true).status == .ok)

            // Many uploads at once cannot pass the limit together.
            try await client.setPlan("sandbox", overrides: ["documents": 8], for: owner)
            let replies = try await client.concurrently(
                12, .post, "/console/api/datasets/\(dataset)/document/create-by-text", token: owner.token, json: ["name": "many.txt", "text": "many"]
            )
            #expect(replies.filter { $0.status == .ok }.count == 6, "\(replies.map(\.status))")
            #expect(replies.filter { $0.code == "forbidden" }.count == 6)
            #expect(try await client.get("/console/api/datasets/\(dataset)/documents", token: owner.token).json["total"] == 8)
        }
    }
}
