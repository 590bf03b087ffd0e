import Foundation
import HTTPTypes
import RelayTestSupport
import Testing

@testable import Core

@Suite(
    "Moving a data directory to PostgreSQL",
    .enabled(if: TestDatabase.isPostgres, "runs when RELAY_TEST_DATABASE_URL names a PostgreSQL server")
)
struct MigrateToPostgresTests {
    @Test("relay admin migrate-to copies everything, verified; a server on PostgreSQL then carries on with the same sessions, keys and plans")
    func migrateTo() async throws {
        try await withTemporaryDirectory { directory in
            let target = TestDatabase.url(of: try #require(TestDatabase.database(of: directory)))
            let sqliteDirectory = directory.appendingPathComponent("sqlite")
            try FileManager.default.createDirectory(at: sqliteDirectory, withIntermediateDirectories: true)
            let environment = ["RELAY_ADMIN_KEY": RelayClient.adminKey]

            // A single SQLite instance with some of everything.
            let before = try RelayProcess(
                arguments: ["serve", "--port", "0", "--data-dir", sqliteDirectory.path, "--rate-limit-store", "database"],
                environment: environment
            )
            var port = try await before.listeningPort()
            func call(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: JSONValue? = nil) async throws -> Reply {
                try await RelayClient.concurrently(1, method, path, port: port, token: token, json: json)[0]
            }
            _ = try await call(.post, "/console/api/setup", json: ["email": "ops@example.com", "name": "Ops", "password": "password123"])
            let login = try await call(.post, "/console/api/login", json: ["email": "ops@example.com", "password": "password123"])
            let token = try #require(login.json["data"]["access_token"].string)
            let workspace = try #require(try await call(.get, "/console/api/workspaces/current", token: token).json["id"].string)
            let overrides: JSONValue = ["plan": "team", "overrides": ["rpd": 777]]
            #expect(try await call(.put, "/admin/api/workspaces/\(workspace)/plan", token: RelayClient.adminKey, json: overrides).status == .ok)
            let app = try #require(
                try await call(.post, "/console/api/apps", token: token, json: ["name": "Moved", "mode": "chat"]).json["id"].string)
            let key = try #require(try await call(.post, "/console/api/apps/\(app)/api-keys", token: token).json["token"].string)
            let invite = try await call(
                .post, "/console/api/workspaces/current/members/invite-email", token: token, json: ["emails": ["new@example.com"], "role": "editor"]
            )
            #expect(invite.status == .created || invite.status == .ok)
            for _ in 0..<3 { #expect(try await call(.get, "/v1/info", token: key).status == .ok) }
            // A knowledge base: its source bytes, segments and keyword index move too.
            let dataset = try #require(try await call(.post, "/console/api/datasets", token: token, json: ["name": "Moved docs"]).json["id"].string)
            let document = try await call(
                .post, "/console/api/datasets/\(dataset)/document/create-by-text", token: token,
                json: [
                    "name": "moved.txt", "text": "Migration keeps segments.\n\nSearch works after the move.",
                    "process_rule": ["mode": "custom", "rules": ["segmentation": ["separator": "\\n\\n", "max_tokens": 100, "chunk_overlap": 0]]],
                ]
            )
            let documentID = try #require(document.json["document"]["id"].string, "\(document.json)")
            let indexed = Date() + 30
            while Date() < indexed,
                try await call(.get, "/console/api/datasets/\(dataset)/documents/\(documentID)", token: token).json["indexing_status"] != "completed"
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            kill(before.process.processIdentifier, SIGTERM)
            #expect(try await before.exitStatus() == 0)

            let migration = try RelayProcess(arguments: ["admin", "migrate-to", "--data-dir", sqliteDirectory.path, "--database-url", target])
            #expect(try await migration.exitStatus() == 0, "\(migration.log)")
            #expect(migration.log.contains("every count and checksum matches"))
            for table in [
                "account\t2 rows", "membership\t2 rows", "app\t1 rows", "api_key\t1 rows", "invitation\t1 rows", "plan\t4 rows",
                "usage_counter\t1 rows",
                "dataset\t1 rows", "document_source\t1 rows", "document_segment\t2 rows",
            ] {
                #expect(migration.log.contains(table), "\(migration.log)")
            }

            // The same secret, so the sessions of before stay valid.
            let secret = try String(contentsOf: sqliteDirectory.appendingPathComponent("secret_key"), encoding: .utf8)
            let postgresDirectory = directory.appendingPathComponent("postgres")
            try FileManager.default.createDirectory(at: postgresDirectory, withIntermediateDirectories: true)
            let after = try RelayProcess(
                arguments: ["serve", "--port", "0", "--data-dir", postgresDirectory.path, "--database-url", target],
                environment: environment.merging(["RELAY_SECRET_KEY": secret]) { $1 }
            )
            defer { kill(after.process.processIdentifier, SIGTERM) }
            port = try await after.listeningPort()
            let current = try await call(.get, "/console/api/workspaces/current", token: token)
            #expect(current.status == .ok && current.json["plan"].string == "team")
            #expect(try await call(.post, "/console/api/login", json: ["email": "ops@example.com", "password": "password123"]).status == .ok)
            #expect(try await call(.get, "/console/api/apps/\(app)", token: token).json["name"].string == "Moved")
            let info = try await call(.get, "/v1/info", token: key)
            #expect(info.status == .ok && info.header("X-RateLimit-Limit-Day") == "777")
            let members = try await call(.get, "/console/api/workspaces/current/members", token: token).json["accounts"].array
            #expect(members.count == 2)
            let found = try await call(
                .post, "/console/api/datasets/\(dataset)/retrieve", token: token,
                json: ["query": "search move", "retrieval_model": ["search_method": "full_text_search", "top_k": 1]]
            )
            #expect(found.json["records"][0]["segment"]["content"] == "Search works after the move.", "\(found.json)")

            let again = try RelayProcess(arguments: ["admin", "migrate-to", "--data-dir", sqliteDirectory.path, "--database-url", target])
            #expect(try await again.exitStatus() != 0)
            #expect(again.log.contains("already holds 2 accounts"), "\(again.log)")
        }
    }
}
