import Core
import Foundation
import HTTPTypes
import RelayTestSupport
import Testing

@Suite("Structured logs")
struct LogFormatTests {
    static let adminKey = "admin-key-that-must-never-be-logged"
    static let metricsKey = "metrics-key-that-must-never-be-logged"
    static let secretKey = String(repeating: "signing-secret-", count: 3)
    static let password = "password never logged 1"

    @Test("--log-format json writes one JSON object a line, an access line per request, and no key, token or password")
    func jsonLines() async throws {
        try await withTemporaryDirectory { directory in
            let relay = try RelayProcess(
                arguments: ["serve", "--log-format", "json", "--admin-key", Self.adminKey, "--secret-key", Self.secretKey],
                environment: ["RELAY_DATA_DIR": directory.path, "RELAY_PORT": "0", "RELAY_METRICS_KEY": Self.metricsKey]
            )
            let port = try await relay.listeningPort()
            func send(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: JSONValue? = nil) async throws -> Reply {
                try #require(try await RelayClient.concurrently(1, method, path, port: port, token: token, json: json).first)
            }
            let setup = try await send(
                .post, "/console/api/setup", json: ["email": "ops@example.com", "name": "Ops", "password": .string(Self.password)])
            #expect(setup.status == .created)
            let login = try await send(.post, "/console/api/login", json: ["email": "ops@example.com", "password": .string(Self.password)])
            let token = try #require(login.json["data"]["access_token"].string)
            let current = try await send(.get, "/console/api/workspaces/current", token: token)
            let workspace = try #require(current.json["id"].string)
            let apps = try await send(.get, "/console/api/apps?page=1", token: token)
            #expect(apps.status == .ok)
            #expect(try await send(.get, "/admin/api/plans", token: Self.adminKey).status == .ok)
            #expect(try await send(.get, "/metrics", token: Self.metricsKey).status == .ok)
            #expect(try await send(.get, "/v1/info?api_key=app-query-key-never-logged").status == .unauthorized)
            #expect(try await send(.get, "/admin/api/plans", token: "a-wrong-admin-key-never-logged").status == .unauthorized)
            kill(relay.process.processIdentifier, SIGTERM)
            #expect(try await relay.exitStatus() == 0)

            let log = relay.log
            let lines = log.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            #expect(lines.count >= 8)
            var entries: [JSONValue] = []
            for line in lines {
                guard let entry = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)), entry.object != nil else {
                    Issue.record("not a JSON object: \(line)")
                    continue
                }
                #expect(entry["timestamp"].string?.hasSuffix("Z") == true, "\(line)")
                #expect(entry["level"].string != nil && entry["label"].string != nil && entry["message"].string != nil, "\(line)")
                #expect(entry["metadata"].object != nil, "\(line)")
                entries.append(entry)
            }
            let access = entries.filter { $0["message"] == "Request" }
            #expect(access.count == 8, "\(access)")
            for entry in access {
                let metadata = entry["metadata"]
                #expect(metadata["hb.request.id"].string?.isEmpty == false)
                #expect(metadata["http.route"].string?.hasPrefix("/") == true, "\(entry)")
                #expect(metadata["http.method"].string != nil && metadata["http.status"].int != nil && metadata["duration_ms"].number != nil)
            }
            let appsLine = try #require(access.first { $0["metadata"]["http.route"].string?.hasSuffix("/console/api/apps") == true })
            #expect(appsLine["metadata"]["workspace.id"].string == workspace)
            #expect(appsLine["metadata"]["hb.request.id"].string == apps.header("X-Request-Id"))
            #expect(appsLine["metadata"]["http.status"] == 200 && appsLine["metadata"]["http.method"] == "GET")
            #expect(access.contains { $0["metadata"]["http.status"] == 401 && $0["metadata"]["http.route"].string?.hasSuffix("/v1/info") == true })

            for secret in [Self.adminKey, Self.metricsKey, Self.secretKey, Self.password, token, "app-query-key-never-logged", "never-logged"] {
                #expect(!log.contains(secret), "the log holds a secret: \(secret)")
            }
            #expect(!log.localizedCaseInsensitiveContains("bearer"))
        }
    }
}
