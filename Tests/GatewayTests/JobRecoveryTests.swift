import Core
import Foundation
import HTTPTypes
import RelayTestSupport
import Testing

@Suite("Background jobs across instances and crashes")
struct JobRecoveryTests {
    /// `relay serve` on the test's database: on SQLite the shared data directory's file, on PostgreSQL the server
    /// (each instance with a data directory of its own).
    static func serve(_ name: String, in directory: URL, database: DatabaseLocation, extra: [String] = []) throws -> RelayProcess {
        // The stub model server is on loopback.
        var arguments = ["serve", "--port", "0", "--builtin-plugins", "", "--job-lease", "2", "--allow-private-model-endpoints"] + extra
        if TestDatabase.isPostgres {
            let own = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
            arguments += ["--data-dir", own.path, "--database-url", TestDatabase.url(of: database)]
        } else {
            arguments += ["--data-dir", directory.path]
        }
        return try RelayProcess(
            arguments: arguments, environment: ["RELAY_ADMIN_KEY": RelayClient.adminKey, "RELAY_SECRET_KEY": TestDatabase.secretKey])
    }

    static func call(_ port: Int, _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: JSONValue? = nil) async throws -> Reply {
        try await RelayClient.concurrently(1, method, path, port: port, token: token, json: json)[0]
    }

    static let paragraphs = (1...400).map { "Paragraph \($0) tells of topic \($0 % 17) and nothing else." }

    /// A parent-child document's parents: each paragraph with a second line, so that it has two children.
    static let parents = paragraphs.enumerated().map { "\($1)\nIts second line is line \($0 + 1)." }

    @Test(
        "a document whose instance is killed with SIGKILL mid-indexing is finished by another, nothing lost or stored twice",
        arguments: ["text_model", "hierarchical_model"]
    )
    func killedMidIndexing(form: String) async throws {
        let hierarchical = form == "hierarchical_model"
        let texts = hierarchical ? Self.parents : Self.paragraphs
        try await StubUpstream.with { stub in
            try await withTemporaryDirectory { directory in
                let database = try #require(TestDatabase.database(of: directory))
                let first = try Self.serve("first", in: directory, database: database)
                let firstPort = try await first.listeningPort()
                defer { kill(first.process.processIdentifier, SIGKILL) }

                _ = try await Self.call(
                    firstPort, .post, "/console/api/setup", json: ["email": "ops@example.com", "name": "Ops", "password": "password123"])
                let login = try await Self.call(
                    firstPort, .post, "/console/api/login", json: ["email": "ops@example.com", "password": "password123"])
                let token = try #require(login.json["data"]["access_token"].string)
                let provider = try await Self.call(
                    firstPort, .post, "/console/api/workspaces/current/model-providers/openai_api_compatible/credentials", token: token,
                    json: ["credentials": ["endpoint_url": .string(stub.baseURL), "api_key": "sk-good"]]
                )
                try #require(provider.status == .ok, "\(provider.json)")
                let created = try await Self.call(
                    firstPort, .post, "/console/api/datasets", token: token,
                    json: [
                        "name": "Big", "indexing_technique": "high_quality", "embedding_model_provider": "openai_api_compatible",
                        "embedding_model": "stub-embed-slow",
                    ]
                )
                let dataset = try #require(created.json["id"].string, "\(created.json)")
                let added = try await Self.call(
                    firstPort, .post, "/console/api/datasets/\(dataset)/document/create-by-text", token: token,
                    json: [
                        "name": "big.txt", "text": .string(texts.joined(separator: "\n\n")), "doc_form": .string(form),
                        "process_rule": hierarchical
                            ? [
                                "mode": "hierarchical",
                                "rules": [
                                    "parent_mode": "paragraph", "segmentation": ["separator": "\\n\\n", "max_tokens": 100],
                                    "subchunk_segmentation": ["separator": "\\n", "max_tokens": 50],
                                ],
                            ]
                            : [
                                "mode": "custom", "rules": ["segmentation": ["separator": "\\n\\n", "max_tokens": 100, "chunk_overlap": 0]],
                            ],
                    ]
                )
                let document = try #require(added.json["document"]["id"].string, "\(added.json)")
                let statusPath = "/console/api/datasets/\(dataset)/documents/\(document)/indexing-status"

                // Killed once some batches are stored and most are not.
                var stored = 0
                let deadline = Date() + 60
                while Date() < deadline {
                    stored = try await Self.call(firstPort, .get, statusPath, token: token).json["data"][0]["completed_segments"].int ?? 0
                    if stored >= 32 { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                kill(first.process.processIdentifier, SIGKILL)
                _ = try await first.exitStatus()
                try #require(stored >= 32 && stored < texts.count, "stored \(stored) before the kill")

                // Another instance takes the job over once the dead one's lease (2 s) runs out, and finishes it.
                let second = try Self.serve("second", in: directory, database: database)
                let secondPort = try await second.listeningPort()
                defer { kill(second.process.processIdentifier, SIGTERM) }
                var status: JSONValue = .null
                let finish = Date() + 90
                while Date() < finish {
                    status = try await Self.call(secondPort, .get, statusPath, token: token).json["data"][0]
                    if status["indexing_status"] == "completed" || status["indexing_status"] == "error" { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(status["indexing_status"] == "completed", "\(status)\n\(second.log)")
                #expect(status["total_segments"].int == texts.count && status["completed_segments"].int == texts.count, "\(status)")

                var contents: [Int: String] = [:]
                var children: [Int: [String]] = [:]
                var listed = 0
                for page in 1...5 {
                    let reply = try await Self.call(
                        secondPort, .get, "/console/api/datasets/\(dataset)/documents/\(document)/segments?limit=100&page=\(page)", token: token
                    )
                    for segment in reply.json["data"].array {
                        listed += 1
                        guard let position = segment["position"].int else { continue }
                        contents[position] = segment["content"].string
                        children[position] = segment["child_chunks"].array.compactMap { $0["content"].string }
                    }
                }
                #expect(listed == texts.count, "segments listed: \(listed)")
                #expect(contents.count == texts.count)
                #expect((1...texts.count).allSatisfy { contents[$0] == texts[$0 - 1] })
                // A parent's children are whole: both lines, each once, none from another parent.
                let expectedChildren = hierarchical ? 2 : 0
                #expect(
                    (1...texts.count).allSatisfy { position in
                        children[position] == (hierarchical ? texts[position - 1].split(separator: "\n").map(String.init) : [])
                    }, "children: \(children.values.map(\.count).reduce(0, +)) of \(texts.count * expectedChildren)")
                // Resumed, not redone: at most the batch in flight at the kill was embedded twice.
                let embedded = texts.count * max(1, expectedChildren)
                #expect(stub.embeddedTexts <= embedded + 32 * max(1, expectedChildren), "embedded \(stub.embeddedTexts)")
                // And it is searchable on the survivor.
                let found = try await Self.call(
                    secondPort, .post, "/console/api/datasets/\(dataset)/retrieve", token: token,
                    json: ["query": "Paragraph 399", "retrieval_model": ["search_method": "full_text_search", "top_k": 1]]
                )
                #expect(found.json["records"][0]["segment"]["position"] == 399, "\(found.json)")
                if hierarchical {
                    let semantic = try await Self.call(
                        secondPort, .post, "/console/api/datasets/\(dataset)/retrieve", token: token,
                        json: ["query": "Its second line is line 250.", "retrieval_model": ["search_method": "semantic_search", "top_k": 1]]
                    )
                    #expect(semantic.json["records"][0]["child_chunks"][0]["content"] == "Its second line is line 250.", "\(semantic.json)")
                }
            }
        }
    }

    @Test("two instances claiming from one queue index every document exactly once")
    func twoWorkersOneQueue() async throws {
        try await withTemporaryDirectory { directory in
            let database = try #require(TestDatabase.database(of: directory))
            let first = try Self.serve("first", in: directory, database: database, extra: ["--job-workers", "3"])
            let firstPort = try await first.listeningPort()
            let second = try Self.serve("second", in: directory, database: database, extra: ["--job-workers", "3"])
            let secondPort = try await second.listeningPort()
            defer {
                kill(first.process.processIdentifier, SIGTERM)
                kill(second.process.processIdentifier, SIGTERM)
            }
            _ = try await Self.call(
                firstPort, .post, "/console/api/setup", json: ["email": "ops@example.com", "name": "Ops", "password": "password123"])
            let login = try await Self.call(firstPort, .post, "/console/api/login", json: ["email": "ops@example.com", "password": "password123"])
            let token = try #require(login.json["data"]["access_token"].string)
            let dataset = try #require(
                try await Self.call(firstPort, .post, "/console/api/datasets", token: token, json: ["name": "Shared"]).json["id"].string
            )
            // Uploaded through both instances at once; each document three paragraphs.
            let rule: JSONValue = ["mode": "custom", "rules": ["segmentation": ["separator": "\\n\\n", "max_tokens": 100, "chunk_overlap": 0]]]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    let port = index.isMultiple(of: 2) ? firstPort : secondPort
                    group.addTask {
                        let reply = try await Self.call(
                            port, .post, "/console/api/datasets/\(dataset)/document/create-by-text", token: token,
                            json: [
                                "name": .string("doc-\(index).txt"),
                                "text": .string("First of \(index).\n\nSecond of \(index).\n\nThird of \(index)."), "process_rule": rule,
                            ]
                        )
                        #expect(reply.status == .ok, "\(reply.json)")
                    }
                }
                try await group.waitForAll()
            }
            var documents: [JSONValue] = []
            let deadline = Date() + 60
            while Date() < deadline {
                documents = try await Self.call(secondPort, .get, "/console/api/datasets/\(dataset)/documents?limit=100", token: token).json["data"]
                    .array
                if documents.count == 40, documents.allSatisfy({ $0["indexing_status"] == "completed" }) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(documents.count == 40 && documents.allSatisfy { $0["indexing_status"] == "completed" }, "\(documents.map(\.["indexing_status"]))")
            #expect(Set(documents.compactMap { $0["position"].int }) == Set(1...40))
            for document in documents {
                let id = try #require(document["id"].string)
                let segments = try await Self.call(secondPort, .get, "/console/api/datasets/\(dataset)/documents/\(id)/segments", token: token)
                #expect(segments.json["total"] == 3, "\(document["name"]): \(segments.json["total"])")
            }
            // Both instances did some of the work (each logs nothing of it; the queue's rows say who claimed what).
            let claims = try await TestDatabase.claimTokens(of: database)
            #expect(claims.count == 40)
            let instances = Set(claims.map { $0.split(separator: "/").first.map(String.init) ?? "" })
            #expect(instances.count == 2, "jobs were claimed by \(instances.count) instance(s)")
        }
    }
}
