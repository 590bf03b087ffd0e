import Core
import Foundation
import GRDB
import HTTPTypes
import RelayTestSupport
import Testing

@Suite("Rate limits shared through the database")
struct SharedLimitTests {
    @Test(
        "when the shared store fails, requests fall back to in-process counters (open) or get 503 (closed), and recover",
        arguments: ["open", "closed"]
    )
    func failurePolicy(policy: String) async throws {
        try await withTemporaryDirectory { directory in
            try await withRelay(
                dataDirectory: directory,
                configure: {
                    $0.rateLimitStore = .database
                    $0.rateLimitFailure = policy == "open" ? .open : .closed
                    $0.databaseBusyTimeout = 0.2
                }
            ) { client in
                let tenant = try await client.tenant(overrides: ["rpm": 5])
                #expect(try await client.get("/v1/info", token: tenant.key).status == .ok)

                // Another connection takes the database's write lock, so the shared store cannot count. Failing fast
                // means waiting the busy timeout (0.2 s), not the default 5 s or longer: the blocked request is timed
                // against requests of the same server just before and after, so a loaded machine (the whole suite at
                // once) slows both alike.
                var started = Date()
                #expect(try await client.get("/v1/meta", token: tenant.key).status == .ok)
                let before = Date().timeIntervalSince(started)
                var blocked: TimeInterval = 0
                let during = try await TestDatabase.withWritesBlocked(client.database, tables: ["rate_limit_counter"]) {
                    started = Date()
                    let reply = try await client.get("/v1/info", token: tenant.key)
                    blocked = Date().timeIntervalSince(started)
                    return reply
                }
                started = Date()
                _ = try await client.get("/v1/meta", token: tenant.key)
                let after = Date().timeIntervalSince(started)
                #expect(blocked < max(before, after) * 2 + 2, "a failing store must fail fast: \(blocked) s, \(before) s before, \(after) s after")
                if policy == "open" {
                    #expect(during.status == .ok)
                    #expect(during.header("X-RateLimit-Limit-Minute") == "5")
                } else {
                    expectError(during, .serviceUnavailable, "service_unavailable")
                }

                // The shared count resumes where it was: the blocked request was not counted there, so this is the fourth.
                let resumed = try await client.get("/v1/info", token: tenant.key)
                #expect(resumed.status == .ok)
                #expect(resumed.header("X-RateLimit-Remaining-Minute") == "1")
            }
        }
    }

    @Test("a database busy with another process's write answers 503 to writes, and still authenticates keys")
    func busyDatabase() async throws {
        try await withTemporaryDirectory { directory in
            try await withRelay(dataDirectory: directory, configure: { $0.databaseBusyTimeout = 0.2 }) { client in
                let tenant = try await client.tenant(overrides: ["rpm": 100])
                let (created, info) = try await TestDatabase.withWritesBlocked(client.database, tables: ["app"]) {
                    let created = try await client.post("/console/api/apps", token: tenant.owner.token, json: ["name": "Blocked", "mode": "chat"])
                    // A key not yet in the cache is read (reads go on beside a writer) and its last-use stamp waits.
                    let info = try await client.get("/v1/info", token: tenant.key)
                    return (created, info)
                }
                expectError(created, .serviceUnavailable, "service_unavailable")
                #expect(info.status == .ok)
                #expect(
                    try await client.post("/console/api/apps", token: tenant.owner.token, json: ["name": "Blocked", "mode": "chat"]).status
                        == .created)
            }
        }
    }

    @Test("two relay processes on one database share one budget exactly")
    func twoProcesses() async throws {
        try await withTemporaryDirectory { directory in
            let database = try #require(TestDatabase.database(of: directory))
            // On SQLite both use the data directory's file; on PostgreSQL each has a data directory of its own.
            let databaseArguments = TestDatabase.isPostgres ? ["--database-url", TestDatabase.url(of: database)] : ["--data-dir", directory.path]
            func serve(_ name: String) throws -> [String] {
                let serve = ["serve", "--port", "0", "--rate-limit-store", "database"]
                guard TestDatabase.isPostgres else { return serve + databaseArguments }
                let own = directory.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
                return serve + ["--data-dir", own.path] + databaseArguments
            }
            let environment = ["RELAY_ADMIN_KEY": RelayClient.adminKey, "RELAY_SECRET_KEY": TestDatabase.secretKey]
            let first = try RelayProcess(arguments: try serve("first"), environment: environment)
            let firstPort = try await first.listeningPort()
            let second = try RelayProcess(arguments: try serve("second"), environment: environment)
            let secondPort = try await second.listeningPort()
            defer {
                kill(first.process.processIdentifier, SIGTERM)
                kill(second.process.processIdentifier, SIGTERM)
            }

            func call(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: JSONValue? = nil) async throws -> Reply {
                try await RelayClient.concurrently(1, method, path, port: firstPort, token: token, json: json)[0]
            }
            _ = try await call(.post, "/console/api/setup", json: ["email": "ops@example.com", "name": "Ops", "password": "password123"])
            let login = try await call(.post, "/console/api/login", json: ["email": "ops@example.com", "password": "password123"])
            let token = try #require(login.json["data"]["access_token"].string)
            let workspace = try #require(try await call(.get, "/console/api/workspaces/current", token: token).json["id"].string)
            let app = try #require(
                try await call(.post, "/console/api/apps", token: token, json: ["name": "Shared", "mode": "chat"]).json["id"].string)
            let key = try #require(try await call(.post, "/console/api/apps/\(app)/api-keys", token: token).json["token"].string)

            // The operator sets the budget with the CLI, on the same database, while both servers run.
            let admin = try RelayProcess(
                arguments: [
                    "admin", "workspaces", "set-plan", workspace, "sandbox",
                    "--override", "rpm=0", "--override", "rph=0", "--override", "rpd=40", "--override", "max_active_requests=0",
                ] + databaseArguments
            )
            #expect(try await admin.exitStatus() == 0, "\(admin.log)")
            #expect(admin.log.contains("rpd=40"))

            async let fromFirst = RelayClient.concurrently(30, .get, "/v1/info", port: firstPort, token: key)
            async let fromSecond = RelayClient.concurrently(30, .get, "/v1/info", port: secondPort, token: key)
            let replies = try await fromFirst + fromSecond
            #expect(replies.filter { $0.status == .ok }.count == 40)
            #expect(replies.filter { $0.code == "rate_limit_exceeded" }.count == 20)
            let last = try await RelayClient.concurrently(1, .get, "/v1/info", port: secondPort, token: key)[0]
            #expect(last.status == .tooManyRequests && last.header("X-RateLimit-Remaining-Day") == "0")

            let listing = try RelayProcess(arguments: ["admin", "plans", "list"] + databaseArguments)
            #expect(try await listing.exitStatus() == 0)
            #expect(listing.log.contains("sandbox\trpm=60 rph=1000 rpd=10000 members=1 apps=5"))
            let defining = try RelayProcess(arguments: ["admin", "plans", "set", "startup", "rpm=90"] + databaseArguments)
            #expect(try await defining.exitStatus() == 0)
            #expect(defining.log.contains("startup\trpm=90 rph=0"))
            let wrong = try RelayProcess(arguments: ["admin", "plans", "set", "startup", "speed=9"] + databaseArguments)
            #expect(try await wrong.exitStatus() != 0)
            #expect(wrong.log.contains("Unknown limit 'speed'"))
        }
    }
}
