import Foundation
import HTTPTypes
import Hummingbird
import RelayTestSupport
import Testing

@testable import Core

@Suite("Several instances on one database")
struct MultiInstanceTests {
    @Test("a logout or a spent refresh token through one instance is refused by another at once")
    func sessionRevocationAcrossInstances() async throws {
        try await withTemporaryDirectory { directory in
            let clock = TestClock()
            try await withRelay(clock: clock, dataDirectory: directory) { first in
                try await withRelay(clock: clock, dataDirectory: directory) { second in
                    let owner = try await first.setUpOwner()
                    #expect(try await second.get("/console/api/workspaces/current", token: owner.token).status == .ok)

                    // Rotated on the first; the spent token presented to the second revokes the whole session there.
                    let rotated = try await first.post("/console/api/refresh-token", json: ["refresh_token": .string(owner.refreshToken)])
                    let fresh = try #require(rotated.json["data"]["access_token"].string)
                    expectError(
                        try await second.post("/console/api/refresh-token", json: ["refresh_token": .string(owner.refreshToken)]),
                        .unauthorized, "unauthorized"
                    )
                    expectError(try await first.get("/console/api/workspaces/current", token: fresh), .unauthorized, "unauthorized")

                    // A new session, logged out on the second, is refused by the first.
                    let again = try await first.signIn(owner.email)
                    #expect(try await first.get("/console/api/workspaces/current", token: again.token).status == .ok)
                    #expect(try await second.post("/console/api/logout", token: again.token).status == .ok)
                    expectError(try await first.get("/console/api/workspaces/current", token: again.token), .unauthorized, "unauthorized")
                }
            }
        }
    }
}

extension MultiInstanceTests {
    @Test("a stop sent to one instance stops the generation another instance runs")
    func stopAcrossInstances() async throws {
        try await StubUpstream.with(slowDelay: .milliseconds(40)) { stub in
            try await withTemporaryDirectory { directory in
                let clock = TestClock()
                try await withRelay(clock: clock, dataDirectory: directory, configure: { $0.forChatTests() }) { first in
                    try await withRelay(clock: clock, dataDirectory: directory, configure: { $0.forChatTests() }) { second in
                        let app = try await first.chatApp(stub, model: "stub-slow")
                        var reader = try await EventStreamReader.open(
                            port: try #require(first.client.port), path: "/v1/chat-messages", token: app.key,
                            json: ["query": "count", "inputs": [:], "user": "alice", "response_mode": "streaming"]
                        )
                        let task = try #require(try await reader.nextEvent()?["task_id"].string)
                        let stopped = try await second.post("/v1/chat-messages/\(task)/stop", token: app.key, json: ["user": "alice"])
                        #expect(stopped.json == ["result": "success"])
                        let rest = try await reader.drain()
                        #expect(rest.last?["event"] == "message_end")
                        // 1,500 pieces 40 ms apart would take a minute; the stop lands within a few polls.
                        #expect(rest.pieces < 100)
                        try await waitForUpstreamCancellation({ stub.cancelledStreams == 1 }, stub.streamState)
                    }
                }
            }
        }
    }
}

extension MultiInstanceTests {
    @Test("a workflow stop sent to one instance stops the run another instance runs")
    func workflowStopAcrossInstances() async throws {
        try await StubUpstream.with(slowDelay: .milliseconds(40)) { stub in
            try await withTemporaryDirectory { directory in
                let clock = TestClock()
                try await withRelay(clock: clock, dataDirectory: directory, configure: { $0.forWorkflowTests() }) { first in
                    try await withRelay(clock: clock, dataDirectory: directory, configure: { $0.forWorkflowTests() }) { second in
                        let owner = try await first.setUpOwner()
                        try await first.configureStubProvider(stub, as: owner)
                        let slow = Graphs.graph(
                            [
                                Graphs.start(), Graphs.llm("llm", model: "stub-slow", prompt: "{{#start.query#}}"),
                                Graphs.end([("answer", ["llm", "text"])]),
                            ],
                            [Graphs.edge("start", "llm"), Graphs.edge("llm", "end")]
                        )
                        let app = try await first.workflowApp(slow, owner: owner)
                        var reader = try await EventStreamReader.open(
                            port: try #require(first.client.port), path: "/v1/workflows/run", token: app.key,
                            json: ["inputs": ["query": "count"], "user": "alice", "response_mode": "streaming"]
                        )
                        let task = try #require(try await reader.nextEvent()?["task_id"].string)
                        let stopped = try await second.post("/v1/workflows/tasks/\(task)/stop", token: app.key, json: ["user": "alice"])
                        #expect(stopped.json == ["result": "success"])
                        var last: JSONValue?
                        var chunks = 0
                        while let event = try await reader.nextEvent() {
                            last = event
                            if event["event"] == "text_chunk" { chunks += 1 }
                        }
                        #expect(last?["data"]["status"] == "stopped", "\(String(describing: last))")
                        // 1,500 pieces 40 ms apart would take a minute; the stop lands within a few polls.
                        #expect(chunks < 100)
                    }
                }
            }
        }
    }
}

@Suite(
    "PostgreSQL going away",
    .enabled(if: TestDatabase.isPostgres, "runs when RELAY_TEST_DATABASE_URL names a PostgreSQL server"),
    .serialized
)
struct PostgresFaultTests {
    /// `scripts/test-postgres`, which starts and stops a cluster of this test's own, so the rest of the suite keeps its.
    static let clusterScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/test-postgres")

    static func cluster(_ command: String, _ directory: URL) async throws {
        let result = try await ChildProcess.run(clusterScript.path, [command, directory.path])
        guard result.status == 0 else { throw ClusterError(command: command) }
    }

    struct ClusterError: Error {
        let command: String
    }

    @Test(
        "with the database stopped under load, requests fail fast with 503 (rate limits fail open), nothing hangs, and service returns without a restart",
        .timeLimit(.minutes(5))
    )
    func databaseStopsAndReturns() async throws {
        let clusterDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-fault-\(UUID())")
        try await Self.cluster("start", clusterDirectory)
        let port = try #require(
            Int(
                String(decoding: try Data(contentsOf: clusterDirectory.appendingPathComponent("port")), as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        var database = PostgresLocation(host: "127.0.0.1", port: port, user: "relay", password: "relay", database: "relay")
        database.tls = .disable
        do {
            try await outage(of: database, in: clusterDirectory)
        } catch {
            try? await Self.cluster("stop", clusterDirectory)
            throw error
        }
        try await Self.cluster("stop", clusterDirectory)
    }

    private func outage(of database: PostgresLocation, in clusterDirectory: URL) async throws {
        try await withRelay(configure: { [database] in
            $0.database = .postgres(database)
            $0.rateLimitStore = .database
            $0.apiKeyCacheTTL = 60
        }) {
            client in
            let tenant = try await client.tenant(overrides: ["rpm": 1000])
            #expect(try await client.get("/v1/parameters", token: tenant.key).status == .ok)

            let port = try #require(client.client.port)
            try await Self.cluster("pause", clusterDirectory)
            // Whatever happens while it is paused (a failure, the time limit), the server is resumed before the relay
            // shuts down: a relay closing its pool against a paused server would wait for it forever.
            let started = Date()
            let outcome: Result<([Reply], [Reply]), any Error>
            do {
                async let console = RelayClient.concurrently(10, .get, "/console/api/apps", port: port, token: tenant.owner.token)
                // `/v1/info` needs nothing but the resolved key: the app and its author's name come with it.
                async let api = RelayClient.concurrently(10, .get, "/v1/info", port: port, token: tenant.key)
                outcome = .success(try await (console, api))
            } catch {
                outcome = .failure(error)
            }
            let elapsed = Date().timeIntervalSince(started)
            try await Self.cluster("resume", clusterDirectory)
            let (consoleReplies, apiReplies) = try outcome.get()
            #expect(elapsed < 8, "requests must fail fast, not wait for the database")
            #expect(consoleReplies.allSatisfy { $0.status == .serviceUnavailable && $0.code == "service_unavailable" })
            // The key was resolved before: it stays trusted for its cache time, and rate limiting fails open.
            #expect(
                apiReplies.allSatisfy {
                    $0.status == .ok && $0.header("X-RateLimit-Limit-Minute") == "1000" && $0.json["author_name"].string == "Owner"
                }, "\(apiReplies.map { "\($0.status) \($0.code ?? "") \($0.message ?? "")" })")

            let resumed = Date()
            var recovered = false
            while Date().timeIntervalSince(resumed) < 15 {
                if try await client.get("/console/api/apps", token: tenant.owner.token).status == .ok {
                    recovered = true
                    break
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(recovered, "service must return within seconds of the database")
            #expect(try await client.get("/v1/info", token: tenant.key).status == .ok)
            #expect(try await client.get("/v1/parameters", token: tenant.key).header("X-RateLimit-Remaining-Minute") != nil)
        }
    }
}
