import Core
import Foundation
import Gateway
import Testing

@Suite("Workflows: runs")
struct WorkflowRunTests {
    static let echo = Graphs.graph(
        [Graphs.start(), Graphs.llm("llm", model: "stub-chat", prompt: "{{#start.query#}}"), Graphs.end([("answer", ["llm", "text"])])],
        [Graphs.edge("start", "llm"), Graphs.edge("llm", "end")]
    )

    @Test("streaming sends Dify's events in order, LLM pieces as text_chunk; the run is stored and its tokens counted")
    func streaming() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forWorkflowTests() }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                let app = try await client.workflowApp(Self.echo, owner: owner)
                var reader = try await EventStreamReader.open(
                    port: try #require(client.client.port), path: "/v1/workflows/run", token: app.key,
                    json: ["inputs": ["query": "one two"], "user": "alice", "response_mode": "streaming"]
                )
                var events: [JSONValue] = []
                while let event = try await reader.nextEvent() { events.append(event) }
                let names = events.map { $0["event"].string ?? "" }
                #expect(
                    names == ["workflow_started", "node_started", "node_finished", "node_started"] + Array(repeating: "text_chunk", count: 3)
                        + ["node_finished", "node_started", "node_finished", "workflow_finished"],
                    "\(names)"
                )
                let run = try #require(events.first?["workflow_run_id"].string)
                let task = try #require(events.first?["task_id"].string)
                // Times are the server's clock (the tests' fixed one).
                #expect(
                    events.allSatisfy {
                        $0["workflow_run_id"].string == run && $0["task_id"].string == task && $0["created_at"] == events[0]["data"]["created_at"]
                    })
                #expect(events[0]["data"]["inputs"] == ["query": "one two"])
                let started = events.filter { $0["event"] == "node_started" }.map(\.["data"])
                #expect(started.map { $0["node_id"].string ?? "" } == ["start", "llm", "end"])
                #expect(started.map { $0["index"].int ?? 0 } == [1, 2, 3])
                #expect(started[1]["predecessor_node_id"] == "start" && started[0]["predecessor_node_id"] == nil)
                let chunks = events.filter { $0["event"] == "text_chunk" }
                #expect(chunks.map { $0["data"]["text"].string ?? "" }.joined() == "Echo: one two")
                #expect(chunks.allSatisfy { $0["data"]["from_variable_selector"] == ["llm", "text"] })
                let llmFinished = try #require(events.first { $0["event"] == "node_finished" && $0["data"]["node_id"] == "llm" }?["data"])
                #expect(llmFinished["status"] == "succeeded" && llmFinished["outputs"]["text"] == "Echo: one two")
                #expect(llmFinished["execution_metadata"]["total_tokens"] == 18 && llmFinished["elapsed_time"].number != nil)
                let finished = try #require(events.last?["data"])
                #expect(finished["status"] == "succeeded" && finished["outputs"] == ["answer": "Echo: one two"])
                #expect(finished["total_tokens"] == 18 && finished["total_steps"] == 3 && finished["finished_at"].int != nil)

                // The same run, read back; another app's key finds nothing.
                let stored = try await client.get("/v1/workflows/run/\(run)", token: app.key).json
                #expect(stored["status"] == "succeeded" && stored["outputs"] == finished["outputs"] && stored["total_steps"] == 3)
                // The editor reads the run and each node's record, as stored.
                let detail = try await client.get("/console/api/apps/\(app.id)/workflow-runs/\(run)", token: owner.token).json
                #expect(detail["status"] == "succeeded" && detail["total_tokens"] == 18)
                let nodes = try await client.get("/console/api/apps/\(app.id)/workflow-runs/\(run)/node-executions", token: owner.token).json
                #expect(nodes["data"].array.map { $0["node_id"].string ?? "" } == ["start", "llm", "end"], "\(nodes)")
                #expect(nodes["data"][1]["outputs"]["text"] == "Echo: one two" && nodes["data"][1]["execution_metadata"]["total_tokens"] == 18)
                let logs = try await client.get("/v1/workflows/logs?status=succeeded", token: app.key).json
                #expect(logs["data"].array.map { $0["workflow_run"]["id"].string ?? "" } == [run] && logs["total"] == 1)
                #expect(try await client.get("/v1/workflows/logs?status=failed", token: app.key).json["total"] == 0)
                expectError(try await client.get("/v1/workflows/logs?status=sleeping", token: app.key), .badRequest, "invalid_param", field: "status")
                let usage = try await client.get("/console/api/workspaces/current/usage", token: owner.token).json
                #expect(usage["usage"]["tokens_today"] == 18)

                let other = try await client.workflowApp(Self.echo, owner: owner, name: "Other")
                expectError(try await client.get("/v1/workflows/run/\(run)", token: other.key), .notFound, "not_found")
                #expect(try await client.get("/v1/workflows/logs", token: other.key).json["total"] == 0)
                expectError(
                    try await client.post("/v1/workflows/tasks/\(task)/stop", token: other.key, json: ["user": "alice"]), .notFound, "not_found"
                )
            }
        }
    }

    @Test("structured output: the model is asked for JSON following the schema, and its object is the node's structured_output")
    func structuredOutput() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forWorkflowTests() }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                guard case .object(var llm) = Graphs.llm("llm", model: "stub-verbatim", prompt: "{{#start.query#}}"),
                    case .object(var data) = llm["data"]
                else { return }
                let schema: JSONValue = [
                    "type": "object", "properties": ["city": ["type": "string"], "days": ["type": "number"]], "required": ["city"],
                ]
                data["structured_output_enabled"] = true
                data["structured_output"] = ["schema": schema]
                llm["data"] = .object(data)
                let graph = Graphs.graph(
                    [
                        Graphs.start(), .object(llm),
                        Graphs.end([("city", ["llm", "structured_output", "city"]), ("all", ["llm", "structured_output"])]),
                    ],
                    [Graphs.edge("start", "llm"), Graphs.edge("llm", "end")]
                )
                let app = try await client.workflowApp(graph, owner: owner)
                let answered = try await client.runWorkflow(app, ["query": "```json\n{\"city\": \"Paris\", \"days\": 3}\n```"]).json["data"]
                #expect(answered["outputs"] == ["city": "Paris", "all": ["city": "Paris", "days": 3]], "\(answered)")
                let system = try #require(stub.requests.last)["messages"].array.compactMap { $0["role"] == "system" ? $0["content"].string : nil }
                #expect(system.contains { $0.contains("JSON schema") && $0.contains("\"city\"") }, "\(system)")
                let prose = try await client.runWorkflow(app, ["query": "Paris, for three days"]).json["data"]
                #expect(prose["status"] == "failed" && (prose["error"].string ?? "").contains("not a JSON object"), "\(prose)")
                let incomplete = try await client.runWorkflow(app, ["query": "{\"days\": 2}"]).json["data"]
                #expect(incomplete["status"] == "failed" && (incomplete["error"].string ?? "").contains("lacks city"), "\(incomplete)")
            }
        }
    }

    @Test("stop ends a running workflow as stopped, from the user who started it only")
    func stop() async throws {
        try await StubUpstream.with(slowDelay: .milliseconds(40)) { stub in
            try await withRelay(configure: { $0.forWorkflowTests() }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                let slow = Graphs.graph(
                    [Graphs.start(), Graphs.llm("llm", model: "stub-slow", prompt: "{{#start.query#}}"), Graphs.end([("answer", ["llm", "text"])])],
                    [Graphs.edge("start", "llm"), Graphs.edge("llm", "end")]
                )
                let app = try await client.workflowApp(slow, owner: owner)
                var reader = try await EventStreamReader.open(
                    port: try #require(client.client.port), path: "/v1/workflows/run", token: app.key,
                    json: ["inputs": ["query": "count"], "user": "alice", "response_mode": "streaming"]
                )
                var task: String?
                while let event = try await reader.nextEvent() {
                    task = event["task_id"].string
                    if event["event"] == "text_chunk" { break }
                }
                let id = try #require(task)
                expectError(
                    try await client.post("/v1/workflows/tasks/\(id)/stop", token: app.key, json: ["user": "mallory"]), .notFound, "not_found")
                #expect(
                    try await client.post("/v1/workflows/tasks/\(id)/stop", token: app.key, json: ["user": "alice"]).json == ["result": "success"])
                var last: JSONValue?
                var chunks = 1
                while let event = try await reader.nextEvent() {
                    last = event
                    if event["event"] == "text_chunk" { chunks += 1 }
                }
                #expect(last?["event"] == "workflow_finished" && last?["data"]["status"] == "stopped", "\(String(describing: last))")
                #expect(chunks < 100)
                let run = try #require(last?["workflow_run_id"].string)
                #expect(try await client.get("/v1/workflows/run/\(run)", token: app.key).json["status"] == "stopped")
                try await waitForUpstreamCancellation({ stub.cancelledStreams == 1 }, stub.streamState)
                // Stopping a finished run changes nothing.
                #expect(try await client.post("/v1/workflows/tasks/\(id)/stop", token: app.key, json: ["user": "alice"]).status == .ok)
            }
        }
    }

    @Test("a node that outlasts its timeout fails the run, its model request cancelled")
    func nodeTimeout() async throws {
        try await StubUpstream.with(slowDelay: .milliseconds(40)) { stub in
            try await withRelay(configure: { $0.forWorkflowTests() }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                guard case .object(var llm) = Graphs.llm("llm", model: "stub-slow", prompt: "{{#start.query#}}"), case .object(var data) = llm["data"]
                else { return }
                data["timeout"] = 0.5
                llm["data"] = .object(data)
                let graph = Graphs.graph(
                    [Graphs.start(), .object(llm), Graphs.end([("answer", ["llm", "text"])])],
                    [Graphs.edge("start", "llm"), Graphs.edge("llm", "end")]
                )
                let app = try await client.workflowApp(graph, owner: owner)
                let result = try await client.runWorkflow(app, ["query": "count"]).json["data"]
                #expect(result["status"] == "failed" && result["error"] == "The node did not finish within 0.5 s", "\(result)")
                #expect((result["elapsed_time"].number ?? 99) < 5)
                // The model request is gone: cancelled mid-stream (a stream lasts a minute otherwise), or, on a loaded
                // machine, before it even reached the upstream.
                try await waitForUpstreamCancellation({ stub.openStreams == 0 }, stub.streamState)
                #expect(stub.finishedStreams == 0)
            }
        }
    }

    @Test("code runs sandboxed: no network, nothing of the server's files, no writes outside its folder")
    func codeSandbox() async throws {
        try await withTemporaryDirectory { directory in
            try await withRelay(dataDirectory: directory, configure: { $0.forWorkflowTests() }) { client in
                let owner = try await client.setUpOwner()
                try await client.setPlan("team", for: owner)
                func run(_ source: String) async throws -> JSONValue {
                    let graph = Graphs.graph(
                        [
                            Graphs.start([]), Graphs.code("code", source, outputs: ["result": "string"]),
                            Graphs.end([("result", ["code", "result"])]),
                        ],
                        [Graphs.edge("start", "code"), Graphs.edge("code", "end")]
                    )
                    let app = try await client.workflowApp(graph, owner: owner, name: "Code \(UUID().uuidString.prefix(8))")
                    return try await client.runWorkflow(app, [:]).json["data"]
                }
                let fine = try await run("def main() -> dict:\n    import os\n    return {'result': ','.join(sorted(os.environ))}")
                #expect(
                    fine["status"] == "succeeded" && fine["outputs"]["result"] == "HOME,LANG,PATH,PYTHONDONTWRITEBYTECODE,TMPDIR",
                    "nothing of the server's environment: \(fine)"
                )

                let socket = try await run(
                    "def main() -> dict:\n    import socket\n    socket.create_connection(('1.1.1.1', 80), timeout=3)\n    return {'result': 'connected'}"
                )
                #expect(socket["status"] == "failed", "\(socket)")
                #expect(socket["error"].string?.contains("Error") == true, "\(socket)")

                // A file of the server's, beside its database.
                let secret = directory.appendingPathComponent("private.txt").path
                try "server only".write(toFile: secret, atomically: true, encoding: .utf8)
                let read = try await run("def main() -> dict:\n    return {'result': open('\(secret)').read()}")
                #expect(read["status"] == "failed" && read["error"].string?.contains("PermissionError") == true, "\(read)")

                let write = try await run("def main() -> dict:\n    open('/tmp/relay-code-escape', 'w').write('x')\n    return {'result': 'wrote'}")
                #expect(write["status"] == "failed" && write["error"].string?.contains("Error") == true, "\(write)")
                #expect(!FileManager.default.fileExists(atPath: "/tmp/relay-code-escape"))

                let home = try await run(
                    "def main() -> dict:\n    import os\n    open('scratch.txt', 'w').write('x')\n    return {'result': open('scratch.txt').read()}")
                #expect(home["outputs"]["result"] == "x", "its own folder is writable: \(home)")

                let raised = try await run("def main() -> dict:\n    raise ValueError('no good')")
                #expect(raised["status"] == "failed" && raised["error"] == "ValueError: no good", "\(raised)")
                let wrongType = try await run("def main() -> dict:\n    return {'result': 3}")
                #expect(wrongType["error"].string?.contains("Output result must be of type string") == true, "\(wrongType)")
                let missing = try await run("def main() -> dict:\n    return {}")
                #expect(missing["error"].string?.contains("Output result is missing") == true, "\(missing)")
            }
        }
    }

    @Test("error strategies: a failing node takes its fail branch, or goes on with default values; retries wait between attempts")
    func errorStrategies() async throws {
        try await withRelay(configure: { $0.forWorkflowTests() }) { client in
            let owner = try await client.setUpOwner()
            let failing = "def main() -> dict:\n    raise RuntimeError('broken')"
            let branching = Graphs.graph(
                [
                    Graphs.start([]),
                    Graphs.code("code", failing, outputs: ["result": "string"], extra: ["error_strategy": "fail-branch"]),
                    Graphs.template("ok", "fine"),
                    Graphs.template("recover", "recovered from {{ e }}", variables: [("e", ["code", "error_message"])]),
                    Graphs.node("join", "variable-aggregator", ["variables": [["ok", "output"], ["recover", "output"]], "output_type": "string"]),
                    Graphs.end([("result", ["join", "output"])]),
                ],
                [
                    Graphs.edge("start", "code"), Graphs.edge("code", "ok", handle: "success-branch"),
                    Graphs.edge("code", "recover", handle: "fail-branch"),
                    Graphs.edge("ok", "join"), Graphs.edge("recover", "join"), Graphs.edge("join", "end"),
                ]
            )
            let branched = try await client.runWorkflow(try await client.workflowApp(branching, owner: owner, name: "Branch"), [:]).json["data"]
            #expect(branched["status"] == "succeeded" && branched["outputs"]["result"] == "recovered from RuntimeError: broken", "\(branched)")

            let defaulted = Graphs.graph(
                [
                    Graphs.start([]),
                    Graphs.code(
                        "code", failing, outputs: ["result": "string"],
                        extra: ["error_strategy": "default-value", "default_value": [["key": "result", "type": "string", "value": "fallback"]]]
                    ),
                    Graphs.end([("result", ["code", "result"])]),
                ],
                [Graphs.edge("start", "code"), Graphs.edge("code", "end")]
            )
            let defaultedRun = try await client.runWorkflow(try await client.workflowApp(defaulted, owner: owner, name: "Default"), [:]).json["data"]
            #expect(defaultedRun["status"] == "succeeded" && defaultedRun["outputs"]["result"] == "fallback", "\(defaultedRun)")

            // It fails every time: the run fails after the two waits between its three attempts.
            let retrying = Graphs.graph(
                [
                    Graphs.start([]),
                    Graphs.code(
                        "code", failing, outputs: ["result": "string"],
                        extra: ["retry_config": ["enabled": true, "max_retries": 2, "retry_interval": 300]]
                    ),
                    Graphs.end([("result", ["code", "result"])]),
                ],
                [Graphs.edge("start", "code"), Graphs.edge("code", "end")]
            )
            let retried = try await client.runWorkflow(try await client.workflowApp(retrying, owner: owner, name: "Retry"), [:]).json["data"]
            #expect(retried["status"] == "failed" && retried["error"] == "RuntimeError: broken", "\(retried)")
            #expect((retried["elapsed_time"].number ?? 0) >= 0.6, "\(retried)")
            // With exponential backoff the second wait is three times the first: 200 ms, then 600 ms.
            let backingOff = Graphs.graph(
                [
                    Graphs.start([]),
                    Graphs.code(
                        "code", failing, outputs: ["result": "string"],
                        extra: [
                            "retry_config": [
                                "enabled": true, "max_retries": 2, "retry_interval": 200,
                                "exponential_backoff": ["enabled": true, "multiplier": 3, "max_interval": 5000],
                            ]
                        ]
                    ),
                    Graphs.end([("result", ["code", "result"])]),
                ],
                [Graphs.edge("start", "code"), Graphs.edge("code", "end")]
            )
            let backedOff = try await client.runWorkflow(try await client.workflowApp(backingOff, owner: owner, name: "Backoff"), [:]).json["data"]
            #expect(backedOff["status"] == "failed" && (backedOff["elapsed_time"].number ?? 0) >= 0.8, "\(backedOff)")
        }
    }

    @Test("http-request sends what it is told; private targets are refused unless the operator allows them")
    func httpRequest() async throws {
        try await StubUpstream.with { stub in
            let request = Graphs.graph(
                [
                    Graphs.start([("who", "text-input")]),
                    Graphs.node(
                        "http", "http-request",
                        [
                            "method": "post", "url": .string("http://127.0.0.1:\(stub.port)/hooks/echo"), "params": "name:{{#start.who#}}",
                            "headers": "X-Caller: relay", "authorization": ["type": "api-key", "config": ["type": "bearer", "api_key": "sk-hook"]],
                            "body": ["type": "json", "data": [["key": "", "type": "text", "value": "{\"who\": \"{{#start.who#}}\"}"]]],
                        ]
                    ),
                    Graphs.end([("status", ["http", "status_code"]), ("body", ["http", "body"])]),
                ],
                [Graphs.edge("start", "http"), Graphs.edge("http", "end")]
            )
            try await withRelay(configure: {
                $0.forWorkflowTests()
                $0.workflowHTTPAllowsPrivate = true
            }) { client in
                let app = try await client.workflowApp(request, owner: try await client.setUpOwner())
                let data = try await client.runWorkflow(app, ["who": "ann"]).json["data"]
                #expect(data["outputs"]["status"] == 200, "\(data)")
                let echoed = try JSONDecoder().decode(JSONValue.self, from: Data((data["outputs"]["body"].string ?? "").utf8))
                #expect(echoed["method"] == "POST" && echoed["query"] == "name=ann" && echoed["body"] == "{\"who\": \"ann\"}")
                #expect(echoed["headers"]["authorization"] == "Bearer sk-hook" && echoed["headers"]["x-caller"] == "relay", "\(echoed)")
            }
            try await withRelay(configure: { $0.forWorkflowTests() }) { client in
                let app = try await client.workflowApp(request, owner: try await client.setUpOwner())
                let data = try await client.runWorkflow(app, ["who": "ann"]).json["data"]
                #expect(data["status"] == "failed" && data["error"].string?.contains("private or loopback") == true, "\(data)")
            }
        }
    }

    @Test("http-request refuses header names and values that are not HTTP (a non-ASCII name trapped in NIO), and the server lives on")
    func httpRequestHeaders() async throws {
        try await StubUpstream.with { stub in
            @Sendable func graph(headers: String, custom: String = "Authorization") -> JSONValue {
                Graphs.graph(
                    [
                        Graphs.start([("who", "text-input")]),
                        Graphs.node(
                            "http", "http-request",
                            [
                                "method": "get", "url": .string("http://127.0.0.1:\(stub.port)/hooks/echo"), "headers": .string(headers),
                                "authorization": ["type": "api-key", "config": ["type": "custom", "header": .string(custom), "api_key": "k"]],
                            ]
                        ),
                        Graphs.end([("status", ["http", "status_code"])]),
                    ],
                    [Graphs.edge("start", "http"), Graphs.edge("http", "end")]
                )
            }
            try await withRelay(configure: {
                $0.forWorkflowTests()
                $0.workflowHTTPAllowsPrivate = true
            }) { client in
                let owner = try await client.setUpOwner()
                let cases: [(JSONValue, String, String)] = [
                    (graph(headers: "X-{{#start.who#}}: 1"), "Ünïcode", "not a valid header name"),
                    (graph(headers: "X-Who: {{#start.who#}}"), "a\r\nEvil: 1", "line break"),
                    (graph(headers: "X-Ok: 1", custom: "Tøken"), "ann", "not a valid header name"),
                ]
                for (index, (request, who, message)) in cases.enumerated() {
                    let app = try await client.workflowApp(request, owner: owner, name: "Headers \(index)")
                    let data = try await client.runWorkflow(app, ["who": .string(who)]).json["data"]
                    #expect(data["status"] == "failed" && data["error"].string?.contains(message) == true, "\(data)")
                }
                let fine = try await client.workflowApp(graph(headers: "X-Who: {{#start.who#}}"), owner: owner, name: "Fine")
                #expect(try await client.runWorkflow(fine, ["who": "ann"]).json["data"]["outputs"]["status"] == 200)
            }
        }
    }

    @Test("a tool node calls the workspace's plugin tool with parameters from variables and text; a failing tool fails its node")
    func toolNode() async throws {
        try await withRelay(configure: { $0.forWorkflowTests() }) { client in
            let owner = try await client.setUpOwner()
            _ = try await client.installPlugin(try await client.builtInIdentifier("relay/echo_c", owner: owner), owner: owner)
            #expect(try await client.saveToolCredentials("relay/echo_c/echo_c", ["api_key": "good"], owner: owner).status == .ok)
            func graph(tool: String, parameter: JSONValue) -> JSONValue {
                Graphs.graph(
                    [
                        Graphs.start(),
                        Graphs.node(
                            "tool", "tool",
                            [
                                "provider_id": "relay/echo_c/echo_c", "provider_type": "builtin", "tool_name": .string(tool),
                                "tool_parameters": ["text": parameter],
                            ]
                        ),
                        Graphs.end([("said", ["tool", "text"])]),
                    ],
                    [Graphs.edge("start", "tool"), Graphs.edge("tool", "end")]
                )
            }
            let byVariable = try await client.workflowApp(
                graph(tool: "echo", parameter: ["type": "variable", "value": ["start", "query"]]), owner: owner, name: "Var")
            #expect(try await client.runWorkflow(byVariable, ["query": "hello"]).json["data"]["outputs"] == ["said": "echo: hello"])
            let byText = try await client.workflowApp(
                graph(tool: "echo", parameter: ["type": "mixed", "value": "say {{#start.query#}}!"]), owner: owner, name: "Text")
            #expect(try await client.runWorkflow(byText, ["query": "hi"]).json["data"]["outputs"] == ["said": "echo: say hi!"])
            let failing = try await client.workflowApp(
                graph(tool: "fail", parameter: ["type": "constant", "value": "x"]), owner: owner, name: "Fail")
            let failed = try await client.runWorkflow(failing, ["query": "x"]).json["data"]
            #expect(failed["status"] == "failed" && (failed["error"].string ?? "").isEmpty == false, "\(failed)")
        }
    }

    @Test("iterations run their inside per item, in parallel when asked, keeping the items' order")
    func iterations() async throws {
        try await withRelay(configure: { $0.forWorkflowTests() }) { client in
            let owner = try await client.setUpOwner()
            func graph(parallel: Bool, failOn: Int?, mode: String = "continue-on-error") -> JSONValue {
                let inner: JSONValue =
                    failOn.map { bad in
                        Graphs.node(
                            "inner", "code",
                            [
                                "code_language": "python3",
                                "code": .string(
                                    "def main(x) -> dict:\n    if x == \(bad):\n        raise ValueError('bad')\n    return {'output': 'item ' + str(x)}"
                                ),
                                "outputs": ["output": ["type": "string"]], "variables": [["variable": "x", "value_selector": ["loop", "item"]]],
                            ],
                            parent: "loop"
                        )
                    }
                    ?? Graphs.template(
                        "inner", "item {{ x }} at {{ i }}", variables: [("x", ["loop", "item"]), ("i", ["loop", "index"])], parent: "loop")
                return Graphs.graph(
                    [
                        Graphs.start([]),
                        Graphs.code("items", "def main() -> dict:\n    return {'list': [1, 2, 3, 4, 5, 6]}", outputs: ["list": "array[number]"]),
                        Graphs.node(
                            "loop", "iteration",
                            [
                                "iterator_selector": ["items", "list"], "output_selector": ["inner", "output"], "start_node_id": "loop_start",
                                "is_parallel": .bool(parallel), "parallel_nums": 3, "error_handle_mode": failOn == nil ? "terminated" : .string(mode),
                            ]
                        ),
                        Graphs.node("loop_start", "iteration-start", [:], parent: "loop"),
                        inner,
                        Graphs.end([("all", ["loop", "output"])]),
                    ],
                    [Graphs.edge("start", "items"), Graphs.edge("items", "loop"), Graphs.edge("loop_start", "inner"), Graphs.edge("loop", "end")]
                )
            }
            let sequential = try await client.runWorkflow(
                try await client.workflowApp(graph(parallel: false, failOn: nil), owner: owner, name: "Seq"), [:])
            #expect(sequential.json["data"]["outputs"]["all"] == .array((1...6).map { .string("item \($0) at \($0 - 1)") }), "\(sequential.json)")
            let parallel = try await client.runWorkflow(
                try await client.workflowApp(graph(parallel: true, failOn: nil), owner: owner, name: "Par"), [:])
            #expect(parallel.json["data"]["outputs"]["all"] == sequential.json["data"]["outputs"]["all"], "\(parallel.json)")
            // start, items, loop and end, and two nodes inside for each of the six items.
            let steps: Int = 4 + 6 * 2
            #expect(parallel.json["data"]["total_steps"].int == steps)
            let tolerant = try await client.runWorkflow(
                try await client.workflowApp(graph(parallel: true, failOn: 4), owner: owner, name: "Tolerant"), [:])
            #expect(
                tolerant.json["data"]["outputs"]["all"] == ["item 1", "item 2", "item 3", nil, "item 5", "item 6"], "\(tolerant.json)"
            )
            // Terminated: the item's failure is the run's, said as the code said it.
            let strict = try await client.runWorkflow(
                try await client.workflowApp(graph(parallel: false, failOn: 2, mode: "terminated"), owner: owner, name: "Strict"), [:]
            ).json["data"]
            #expect(strict["status"] == "failed" && strict["error"] == "ValueError: bad", "\(strict)")
        }
    }

    @Test("the editor runs the draft, streamed, without publishing it")
    func draftRun() async throws {
        try await withRelay(configure: { $0.forWorkflowTests() }) { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Flow", mode: "workflow", as: owner)
            try await client.saveDraft(WorkflowDraftTests.passthrough, app: app, owner: owner)
            var reader = try await EventStreamReader.open(
                port: try #require(client.client.port), path: "/console/api/apps/\(app)/workflows/draft/run", token: owner.token,
                json: ["inputs": ["query": "draft"]]
            )
            var last: JSONValue?
            while let event = try await reader.nextEvent() { last = event }
            #expect(
                last?["event"] == "workflow_finished" && last?["data"]["outputs"] == ["query": "draft"] && last?["data"]["workflow_id"] == "draft")
        }
    }
}

@Suite("Workflows: chatflows")
struct ChatflowTests {
    static func graph(answer: String) -> JSONValue {
        Graphs.graph(
            [
                Graphs.start([]),
                Graphs.node(
                    "llm", "llm",
                    [
                        "model": ["provider": "openai_api_compatible", "name": "stub-chat", "mode": "chat", "completion_params": [:]],
                        "prompt_template": [["role": "system", "text": "Be brief."], ["role": "user", "text": "{{#sys.query#}}"]],
                        "memory": ["window": ["enabled": true, "size": 5]],
                    ]
                ),
                Graphs.node("answer", "answer", ["answer": .string(answer)]),
            ],
            [Graphs.edge("start", "llm"), Graphs.edge("llm", "answer")]
        )
    }

    @Test("an advanced-chat app answers chat-messages through its workflow: message pieces, message_end before workflow_finished, memory")
    func chatflow() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forWorkflowTests() }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                let app = try await client.workflowApp(Self.graph(answer: "{{#llm.text#}}"), owner: owner, mode: "advanced-chat")
                var reader = try await EventStreamReader.open(
                    port: try #require(client.client.port), path: "/v1/chat-messages", token: app.key,
                    json: ["query": "hello there", "inputs": [:], "user": "alice", "response_mode": "streaming"]
                )
                var events: [JSONValue] = []
                while let event = try await reader.nextEvent() { events.append(event) }
                let names = events.map { $0["event"].string ?? "" }
                #expect(
                    names == [
                        "workflow_started", "node_started", "node_finished", "node_started", "message", "message", "message", "node_finished",
                        "node_started", "node_finished", "message_end", "workflow_finished",
                    ],
                    "\(names)"
                )
                let conversation = try #require(events[0]["conversation_id"].string)
                let message = try #require(events[0]["message_id"].string)
                #expect(events.allSatisfy { $0["conversation_id"].string == conversation && $0["message_id"].string == message })
                #expect(events.filter { $0["event"] == "message" }.map { $0["answer"].string ?? "" }.joined() == "Echo: hello there")
                #expect(events[10]["metadata"]["usage"]["total_tokens"] == 18)
                #expect(events[11]["data"]["outputs"] == ["answer": "Echo: hello there"])

                // The next turn remembers the first, and the conversation holds both.
                let second = try await client.post(
                    "/v1/chat-messages", token: app.key,
                    json: ["query": "again", "inputs": [:], "user": "alice", "response_mode": "blocking", "conversation_id": .string(conversation)]
                )
                #expect(second.json["answer"] == "Echo: again" && second.json["mode"] == "advanced-chat", "\(second.json)")
                let sent = try #require(stub.requests.last)["messages"].array.map { "\($0["role"].string ?? ""): \($0["content"].string ?? "")" }
                #expect(sent == ["system: Be brief.", "user: hello there", "assistant: Echo: hello there", "user: again"], "\(sent)")
                let messages = try await client.get("/v1/messages?conversation_id=\(conversation)&user=alice", token: app.key).json
                #expect(messages["data"].array.map { $0["answer"].string ?? "" } == ["Echo: hello there", "Echo: again"])
                // Its key runs no /workflows/run.
                expectError(try await client.runWorkflow(WorkflowApp(owner: owner, id: app.id, key: app.key), [:]), .badRequest, "not_workflow_app")
            }
        }
    }

    @Test("an answer with text around the model's answer comes whole when its node runs; a chatflow needs an answer node")
    func answerText() async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forWorkflowTests() }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                let app = try await client.workflowApp(Self.graph(answer: "Result: {{#llm.text#}}."), owner: owner, mode: "advanced-chat")
                var reader = try await EventStreamReader.open(
                    port: try #require(client.client.port), path: "/v1/chat-messages", token: app.key,
                    json: ["query": "hi", "inputs": [:], "user": "alice", "response_mode": "streaming"]
                )
                var pieces: [String] = []
                while let event = try await reader.nextEvent() {
                    if event["event"] == "message" { pieces.append(event["answer"].string ?? "") }
                }
                #expect(pieces == ["Result: Echo: hi."])

                let other = try await client.createApp("No answer", mode: "advanced-chat", as: owner)
                let refused = try await client.post(
                    "/console/api/apps/\(other)/workflows/draft", token: owner.token,
                    json: ["graph": Graphs.graph([Graphs.start([]), Graphs.end([])], [Graphs.edge("start", "end")])]
                )
                expectError(refused, .badRequest, "invalid_param", field: "graph")
                #expect(
                    refused.json["details"]["problems"].array.contains { ($0["message"].string ?? "").contains("no answer node") }, "\(refused.json)")
            }
        }
    }
}
