import Core
import Foundation
import Gateway
import RelayTestSupport
import Testing

/// One sample of a scrape, as Prometheus' own client library parsed it.
struct MetricSample: Sendable {
    let name: String
    let labels: [String: String]
    let value: Double
}

/// A scrape of `/metrics`, read by the official Python parser (`prometheus-client`, from scripts/prometheus-parser-env):
/// a body it rejects fails the test.
struct Scrape: Sendable {
    let samples: [MetricSample]

    static func parse(_ text: String) async throws -> Scrape {
        let root = DifySDKTests.root
        let setup = try await ChildProcess.run(root.appendingPathComponent("scripts/prometheus-parser-env").path, [])
        try #require(setup.status == 0, "installing prometheus-client: \(setup.output)")
        let python = try #require(setup.output.split(separator: "\n").last.map(String.init))
        let script = root.appendingPathComponent("Tests/GatewayTests/Fixtures/prometheus_samples.py").path
        let run = try await ChildProcess.run(python, [script], input: text)
        try #require(run.status == 0, "the Prometheus parser refused the scrape: \(run.output)\n\(text)")
        let line = try #require(run.output.split(separator: "\n").last)
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        return Scrape(
            samples: parsed.array.map { sample in
                MetricSample(
                    name: sample["name"].string ?? "", labels: (sample["labels"].object ?? [:]).compactMapValues(\.string),
                    value: sample["value"].number ?? .nan
                )
            }
        )
    }

    /// The sum of the samples named `name` whose labels include `labels`.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }

    func labels(of name: String, _ label: String) -> Set<String> {
        Set(samples.filter { $0.name == name }.compactMap { $0.labels[label] })
    }
}

extension RelayClient {
    static let metricsKey = "metrics-key-for-tests"

    func scrape(token: String = RelayClient.adminKey) async throws -> Scrape {
        let reply = try await get("/metrics", token: token)
        try #require(reply.status == .ok, "scrape: \(reply.status) \(reply.json)")
        #expect(reply.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        return try await Scrape.parse(String(buffer: reply.body))
    }
}

@Suite("Prometheus metrics and the operator's status data")
struct MetricsTests {
    @Test("/metrics answers 401 without a key or with a wrong one, and serves the admin key and the metrics key")
    func scrapeNeedsAKey() async throws {
        try await withRelay(configure: { $0.metricsKey = RelayClient.metricsKey }) { client in
            expectError(try await client.get("/metrics"), .unauthorized, "unauthorized")
            expectError(try await client.get("/metrics", token: "not-the-metrics-key"), .unauthorized, "unauthorized")
            let byAdmin = try await client.scrape(token: RelayClient.adminKey)
            let byMetricsKey = try await client.scrape(token: RelayClient.metricsKey)
            #expect(byAdmin.samples.contains { $0.name == "relay_http_requests_total" })
            #expect(byMetricsKey.value("relay_http_requests_total", ["route": "/metrics", "status_class": "2xx"]) >= 1)
            // A key for metrics opens nothing else.
            expectError(try await client.get("/admin/api/plans", token: RelayClient.metricsKey), .unauthorized, "unauthorized")
        }
    }

    @Test("without an admin key, a metrics key or a metrics port, /metrics on the main port is off (403)")
    func scrapeOffWithoutKeys() async throws {
        try await withRelay(configure: { $0.adminKey = nil }) { client in
            expectError(try await client.get("/metrics", token: "anything-at-all-here"), .forbidden, "access_denied")
        }
    }

    @Test("counters move with requests: per route template, latency histogram, upstream tokens by model, workspace, refusals")
    func countersMove() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub)
                let chat = try await client.chat(app, "hello there")
                #expect(chat.status == .ok, "\(chat.json)")
                // A route with an id in it counts under its template, never under the id.
                #expect(try await client.get("/console/api/apps/\(app.id)", token: app.owner.token).status == .ok)
                _ = try await client.get("/no/such/path/\(UUID())")
                try await client.setPlan("sandbox", overrides: ["rpm": 3], for: app.owner)
                var statuses: [Int] = []
                for _ in 0..<4 { statuses.append(Int(try await client.get("/v1/info", token: app.key).status.code)) }

                let scrape = try await client.scrape()
                let chatRoute = try #require(scrape.labels(of: "relay_http_requests_total", "route").first { $0.hasSuffix("chat-messages") })
                #expect(scrape.value("relay_http_requests_total", ["route": chatRoute, "method": "POST", "status_class": "2xx"]) == 1)
                #expect(scrape.value("relay_http_request_duration_seconds_count", ["route": chatRoute, "method": "POST"]) == 1)
                #expect(scrape.value("relay_http_request_duration_seconds_bucket", ["route": chatRoute, "le": "+Inf"]) == 1)
                #expect(scrape.value("relay_http_request_duration_seconds_sum", ["route": chatRoute]) > 0)
                let routes = scrape.labels(of: "relay_http_requests_total", "route")
                #expect(!routes.contains { $0.contains(app.id) }, "\(routes)")
                #expect(routes.contains("NotFound"))
                #expect(scrape.value("relay_http_requests_total", ["route": "NotFound", "status_class": "4xx"]) == 1)
                #expect(scrape.value("relay_http_requests_total", ["status_class": "4xx"]) >= 2)

                // The stub reports 11 prompt and 7 completion tokens for this message.
                let model = ["provider": "openai_api_compatible", "model": "stub-chat", "type": "llm"]
                #expect(scrape.value("relay_upstream_calls_total", model) == 1)
                #expect(scrape.value("relay_upstream_call_duration_seconds_count", model) == 1)
                #expect(scrape.value("relay_upstream_tokens_total", model.merging(["direction": "input"]) { $1 }) == 11)
                #expect(scrape.value("relay_upstream_tokens_total", model.merging(["direction": "output"]) { $1 }) == 7)
                #expect(scrape.value("relay_workspace_tokens_total", ["workspace_id": app.owner.workspaceID]) == 18)
                #expect(scrape.value("relay_workspace_requests_total", ["workspace_id": app.owner.workspaceID]) >= 6)

                // The chat counted against the minute too: of the four calls, the last two were refused.
                #expect(statuses == [200, 200, 429, 429])
                #expect(scrape.value("relay_rate_limit_refusals_total", ["window": "minute"]) == 2)
                #expect(scrape.value("relay_rate_limit_refusals_total", ["window": "day"]) == 0)
                #expect(scrape.value("relay_sse_streams_active") == 0)
                #expect(scrape.value("relay_jobs_queued") == 0)
                #expect(scrape.samples.contains { $0.name == "relay_plugin_processes_running" })
            }
        }
    }

    @Test("a streamed chat is one open event stream while it runs and none after; a stopped upstream call counts as cancelled")
    func activeStreams() async throws {
        try await StubUpstream.with(slowDelay: .milliseconds(40)) { stub in
            try await withRelay(configure: { $0.forChatTests() }) { client in
                let app = try await client.chatApp(stub, model: "stub-slow")
                let port = try #require(client.client.port)
                var reader = try await EventStreamReader.open(
                    port: port, path: "/v1/chat-messages", token: app.key,
                    json: ["query": "count", "inputs": [:], "user": "alice", "response_mode": "streaming"]
                )
                let first = try #require(try await reader.nextEvent())
                let task = try #require(first["task_id"].string)
                #expect(try await client.scrape().value("relay_sse_streams_active") == 1)
                #expect(try await client.post("/v1/chat-messages/\(task)/stop", token: app.key, json: ["user": "alice"]).status == .ok)
                _ = try await reader.drain()
                try await waitUntil {
                    let scrape = try await client.scrape()
                    return scrape.value("relay_sse_streams_active") == 0
                        && scrape.value("relay_upstream_errors_total", ["model": "stub-slow", "code": "cancelled"]) == 1
                } otherwise: {
                    let scrape = try await client.scrape()
                    return "\(scrape.samples.filter { $0.name.hasPrefix("relay_sse") || $0.name.hasPrefix("relay_upstream") })"
                }
                let scrape = try await client.scrape()
                let route = try #require(scrape.labels(of: "relay_http_requests_total", "route").first { $0.hasSuffix("chat-messages") })
                #expect(scrape.value("relay_http_request_duration_seconds_count", ["route": route]) == 1)
                #expect(scrape.value("relay_upstream_calls_total", ["model": "stub-slow"]) == 1)
            }
        }
    }

    @Test("/admin/api/status answers the page's shape, and its series move with requests and tokens")
    func statusData() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: {
                $0.forChatTests()
                $0.statusStep = .seconds(1)
            }) { client in
                let fresh = try await client.get("/admin/api/status", token: RelayClient.adminKey)
                #expect(fresh.status == .ok, "\(fresh.json)")
                let members: Set<String> = ["window_seconds", "step_seconds", "series", "busiest_workspaces", "plugins", "jobs"]
                #expect(Set(fresh.json.object?.keys.map { $0 } ?? []) == members)
                #expect(fresh.json["window_seconds"].int == 3600)
                #expect(fresh.json["step_seconds"].int == 1)
                let keys: Set<String> = [
                    "timestamps", "requests_per_second", "p50_ms", "p95_ms", "p99_ms", "error_rate", "client_error_rate", "input_tokens",
                    "output_tokens",
                ]
                #expect(Set(fresh.json["series"].object?.keys.map { $0 } ?? []) == keys)
                #expect(fresh.json["series"]["timestamps"].array.count >= 1, "the step under way is always there")
                #expect(fresh.json["jobs"] == ["queued": 0, "running": 0, "failed": 0])
                #expect(fresh.json["plugins"] == [])
                expectError(try await client.get("/admin/api/status"), .unauthorized, "unauthorized")

                let app = try await client.chatApp(stub)
                #expect(try await client.chat(app, "hello there").status == .ok)
                _ = try await client.get("/v1/info", token: "app-not-a-key")
                var status = JSONValue.null
                // The sampler closes a step every second: wait for a second point, so the series spans two steps.
                try await waitUntil {
                    status = try await client.get("/admin/api/status", token: RelayClient.adminKey).json
                    return status["series"]["timestamps"].array.count >= 2
                }
                let series = status["series"]
                let count = series["timestamps"].array.count
                for key in keys { #expect(series[key].array.count == count, "\(key)") }
                let stamps = series["timestamps"].array.compactMap(\.int)
                #expect(stamps == stamps.sorted() && abs(Double(stamps.last!) - Date().timeIntervalSince1970) < 30)
                #expect(series["input_tokens"].array.compactMap(\.int).reduce(0, +) == 11)
                #expect(series["output_tokens"].array.compactMap(\.int).reduce(0, +) == 7)
                #expect(series["requests_per_second"].array.compactMap(\.number).reduce(0, +) > 0)
                #expect(series["client_error_rate"].array.compactMap(\.number).contains { $0 > 0 && $0 <= 1 })
                #expect(series["error_rate"].array.compactMap(\.number).allSatisfy { $0 == 0 })
                let p50 = series["p50_ms"].array.compactMap(\.number)
                let p99 = series["p99_ms"].array.compactMap(\.number)
                #expect(p99.contains { $0 > 0 } && zip(p50, p99).allSatisfy { $0 <= $1 })

                let busiest = status["busiest_workspaces"].array
                let mine = try #require(busiest.first { $0["workspace_id"].string == app.owner.workspaceID })
                #expect(mine["tokens"].int == 18)
                #expect((mine["requests"].int ?? 0) >= 3)
                #expect(!(mine["name"].string ?? "").isEmpty)
            }
        }
    }

    @Test("--metrics-port serves /metrics alone, without a key, beside a main port that refuses it")
    func metricsPort() async throws {
        try await withTemporaryDirectory { directory in
            let relay = try RelayProcess(
                arguments: ["serve", "--metrics-port", "0"], environment: ["RELAY_DATA_DIR": directory.path, "RELAY_PORT": "0"]
            )
            var ports: (main: Int, metrics: Int)?
            let deadline = Date() + 20
            while ports == nil, Date() < deadline, relay.process.isRunning {
                let lines = relay.log.split(separator: "\n").filter { $0.contains("listening on 127.0.0.1:") }
                func port(_ line: Substring?) -> Int? { line.flatMap { $0.split(separator: ":").last.flatMap { Int($0) } } }
                if let metrics = port(lines.first { $0.contains("relay.metrics") }), let main = port(lines.first { !$0.contains("relay.metrics") }) {
                    ports = (main, metrics)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            let (main, metrics) = try #require(ports, "relay did not announce both ports; log:\n\(relay.log)")
            let scraped = try #require(try await RelayClient.concurrently(1, .get, "/metrics", port: metrics, token: nil).first)
            #expect(scraped.status == .ok)
            let scrape = try await Scrape.parse(String(buffer: scraped.body))
            #expect(scrape.samples.contains { $0.name == "relay_http_requests_total" || $0.name == "relay_jobs_queued" })
            #expect(try await RelayClient.concurrently(1, .get, "/health", port: metrics, token: nil).first?.status == .notFound)
            // No admin or metrics key was given: the main port's /metrics is off.
            #expect(try await RelayClient.concurrently(1, .get, "/metrics", port: main, token: "whatever-token").first?.status == .forbidden)
            #expect(try await RelayClient.concurrently(1, .get, "/health", port: main, token: nil).first?.status == .ok)
            kill(relay.process.processIdentifier, SIGTERM)
            #expect(try await relay.exitStatus() == 0)
        }
    }
}

/// Polls `condition` until it holds, for background work with no signal to await (the status sampler's clock is real).
func waitUntil(
    within seconds: Double = 15, _ condition: () async throws -> Bool, otherwise describe: () async throws -> String = { "" }
) async throws {
    let deadline = Date() + seconds
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("the condition did not hold within \(seconds) s: \(try await describe())")
}
