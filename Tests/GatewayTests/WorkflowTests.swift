import Core
import Foundation
import Gateway
import Testing

extension RelayConfiguration {
    /// Workflows whose code nodes run under the real launcher, beside the test bundle.
    mutating func forWorkflowTests() {
        usePlugins()
        forChatTests()
    }
}

@Suite("Workflows: drafts, validation, versions")
struct WorkflowDraftTests {
    static let passthrough = Graphs.graph(
        [Graphs.start(), Graphs.end([("query", ["start", "query"])])], [Graphs.edge("start", "end")]
    )

    @Test("a draft is saved with its hash; a stale hash is refused and changes nothing; other apps and modes are refused")
    func drafts() async throws {
        try await withRelay(configure: { $0.allowsRegistration = true }) { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Flow", mode: "workflow", as: owner)
            expectError(try await client.get("/console/api/apps/\(app)/workflows/draft", token: owner.token), .notFound, "draft_workflow_not_exist")

            let first = try await client.saveDraft(Self.passthrough, app: app, owner: owner)
            let loaded = try await client.get("/console/api/apps/\(app)/workflows/draft", token: owner.token).json
            #expect(loaded["hash"].string == first)
            #expect(loaded["graph"] == Self.passthrough)

            // Two editors loaded `first`; the second save from it is refused, and the first one's change stands.
            let changed = Graphs.graph(
                [
                    Graphs.start(), Graphs.template("t", "hi {{ q }}", variables: [("q", ["start", "query"])]),
                    Graphs.end([("out", ["t", "output"])]),
                ],
                [Graphs.edge("start", "t"), Graphs.edge("t", "end")]
            )
            let second = try await client.saveDraft(changed, app: app, owner: owner, hash: first)
            #expect(second != first)
            let stale = try await client.post(
                "/console/api/apps/\(app)/workflows/draft", token: owner.token, json: ["graph": Self.passthrough, "hash": .string(first)]
            )
            expectError(stale, .badRequest, "draft_workflow_not_sync")
            #expect(try await client.get("/console/api/apps/\(app)/workflows/draft", token: owner.token).json["graph"] == changed)

            expectError(
                try await client.post("/console/api/apps/\(app)/workflows/draft", token: owner.token, json: ["features": [:]]), .badRequest,
                "invalid_param", field: "graph")
            let chat = try await client.createApp("Chat", mode: "chat", as: owner)
            expectError(
                try await client.post("/console/api/apps/\(chat)/workflows/draft", token: owner.token, json: ["graph": Self.passthrough]),
                .badRequest, "not_workflow_app"
            )

            // Another workspace sees none of it.
            let other = try await client.register("other@example.com")
            expectError(try await client.get("/console/api/apps/\(app)/workflows/draft", token: other.token), .notFound, "not_found")
            expectError(try await client.post("/console/api/apps/\(app)/workflows/publish", token: other.token), .notFound, "not_found")
            expectError(
                try await client.post("/console/api/apps/\(app)/workflows/draft", token: other.token, json: ["graph": Self.passthrough]),
                .notFound, "not_found"
            )
            #expect(try await client.get("/console/api/apps/\(app)/workflows/draft", token: owner.token).json["graph"] == changed)
        }
    }

    @Test("every rule of a graph is checked, and every problem is listed with its node and field")
    func validation() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Flow", mode: "workflow", as: owner)
            try await client.saveDraft(Self.passthrough, app: app, owner: owner)
            let broken = Graphs.graph(
                [
                    Graphs.start([("query", "text-input"), ("bad name", "text-input")]),
                    Graphs.node("loop_a", "template-transform", ["template": "a", "variables": []]),
                    Graphs.node("loop_b", "template-transform", ["template": "b", "variables": []]),
                    Graphs.template("reads_later", "{{ x }}", variables: [("x", ["loop_b", "output"])]),
                    Graphs.template("reads_missing", "{{ x }}", variables: [("x", ["start", "nothing"])]),
                    Graphs.template("reads_nobody", "{{ x }}", variables: [("x", ["ghost", "output"])]),
                    Graphs.node(
                        "branch", "if-else",
                        [
                            "cases": [
                                [
                                    "case_id": "yes", "logical_operator": "and",
                                    "conditions": [["variable_selector": ["start", "query"], "comparison_operator": "is like", "value": "x"]],
                                ]
                            ]
                        ]),
                    Graphs.code("js", "function main() {}", outputs: ["x": "string"], extra: ["code_language": "javascript"]),
                    Graphs.node("kb", "question-classifier", [:]),
                    Graphs.node("mystery", "teleport", [:]),
                    Graphs.node("llm", "llm", ["model": ["provider": "", "name": ""], "prompt_template": []]),
                ],
                [
                    Graphs.edge("start", "loop_a"), Graphs.edge("loop_a", "loop_b"), Graphs.edge("loop_b", "loop_a"),
                    Graphs.edge("start", "reads_later"), Graphs.edge("start", "reads_missing"), Graphs.edge("start", "reads_nobody"),
                    Graphs.edge("start", "branch"), Graphs.edge("branch", "js", handle: "maybe"), Graphs.edge("start", "nowhere"),
                ]
            )
            let refused = try await client.post("/console/api/apps/\(app)/workflows/draft", token: owner.token, json: ["graph": broken])
            expectError(refused, .badRequest, "invalid_param", field: "graph")
            let problems = refused.json["details"]["problems"].array
            func has(_ node: String?, _ field: String, _ words: String) -> Bool {
                problems.contains { $0["node_id"].string == node && $0["field"].string == field && ($0["message"].string ?? "").contains(words) }
            }
            #expect(has("start", "variables[1].variable", "letters"), "\(problems)")
            #expect(has("loop_a", "graph.edges", "cycle"), "\(problems)")
            #expect(has("reads_later", "variables.x", "does not run before"), "\(problems)")
            #expect(has("reads_missing", "variables.x", "gives no 'nothing'"), "\(problems)")
            #expect(has("reads_nobody", "variables.x", "there is no node ghost"), "\(problems)")
            #expect(has("branch", "cases[0].conditions[0].comparison_operator", "unknown comparison"), "\(problems)")
            #expect(has("branch", "graph.edges.branch-maybe-js.sourceHandle", "does not have"), "\(problems)")
            #expect(has("js", "code_language", "only python3"), "\(problems)")
            #expect(has("kb", "type", "not supported"), "\(problems)")
            #expect(has("mystery", "type", "unknown node type"), "\(problems)")
            #expect(has("llm", "model.provider", "required"), "\(problems)")
            #expect(has(nil, "graph.edges.start-source-nowhere", "no node"), "\(problems)")
            #expect(has(nil, "graph.nodes", "no end node"), "\(problems)")
            #expect(problems.count >= 13)
            // Nothing was stored.
            #expect(try await client.get("/console/api/apps/\(app)/workflows/draft", token: owner.token).json["graph"] == Self.passthrough)

            // Types: a string compared as a number, a group of numbers given a string.
            let mistyped = Graphs.graph(
                [
                    Graphs.start(),
                    Graphs.node(
                        "branch", "if-else",
                        [
                            "cases": [
                                [
                                    "case_id": "big", "logical_operator": "and",
                                    "conditions": [["variable_selector": ["start", "query"], "comparison_operator": ">", "value": "3"]],
                                ]
                            ]
                        ]),
                    Graphs.template("t", "x"),
                    Graphs.node("join", "variable-aggregator", ["variables": [["t", "output"]], "output_type": "number"]),
                    Graphs.end([("out", ["join", "output"])]),
                ],
                [
                    Graphs.edge("start", "branch"), Graphs.edge("branch", "t", handle: "big"), Graphs.edge("branch", "t", handle: "false"),
                    Graphs.edge("t", "join"), Graphs.edge("join", "end"),
                ]
            )
            let typeProblems = try await client.post("/console/api/apps/\(app)/workflows/draft", token: owner.token, json: ["graph": mistyped])
            let typed = typeProblems.json["details"]["problems"].array
            #expect(
                typed.contains {
                    $0["node_id"] == "branch" && ($0["message"].string ?? "").contains("> compares numbers, but start.query is of type string")
                }, "\(typed)")
            #expect(
                typed.contains { $0["node_id"] == "join" && ($0["message"].string ?? "").contains("t.output is of type string, not number") },
                "\(typed)")

            let twoStarts = Graphs.graph(
                [Graphs.start(), Graphs.node("start2", "start", ["variables": []]), Graphs.end([])], [Graphs.edge("start", "end")])
            let refusedStarts = try await client.post("/console/api/apps/\(app)/workflows/draft", token: owner.token, json: ["graph": twoStarts])
            #expect(
                refusedStarts.json["details"]["problems"].array.contains { ($0["message"].string ?? "").contains("2 start nodes") },
                "\(refusedStarts.json)")
        }
    }

    @Test("graphs meant to hurt are refused or bounded: too many nodes, iterations nested too deep or in a loop, absurd timeouts")
    func hostileGraphs() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Flow", mode: "workflow", as: owner)
            func save(_ graph: JSONValue) async throws -> Reply {
                try await client.post("/console/api/apps/\(app)/workflows/draft", token: owner.token, json: ["graph": graph])
            }
            let crowd = Graphs.graph(
                [Graphs.start()] + (0..<1_000).map { Graphs.template("t\($0)", "x") } + [Graphs.end([])], [Graphs.edge("start", "end")])
            let crowded = try await save(crowd)
            expectError(crowded, .badRequest, "invalid_param", field: "graph")
            #expect(crowded.message?.contains("at most 1000 nodes") == true, "\(crowded.json)")

            var nested: [JSONValue] = [Graphs.start(), Graphs.end([])]
            for level in 0..<6 {
                nested.append(
                    Graphs.node(
                        "loop\(level)", "iteration", ["start_node_id": .string("loop\(level)_start")], parent: level == 0 ? nil : "loop\(level - 1)"))
            }
            let deep = try await save(Graphs.graph(nested, [Graphs.edge("start", "end")]))
            #expect(deep.message?.contains("nest at most 3 deep") == true, "\(deep.json)")
            let loop = try await save(
                Graphs.graph(
                    [
                        Graphs.start(), Graphs.end([]), Graphs.node("a", "iteration", [:], parent: "b"),
                        Graphs.node("b", "iteration", [:], parent: "a"),
                    ],
                    [Graphs.edge("start", "end")]
                )
            )
            #expect(loop.message?.contains("form a loop") == true, "\(loop.json)")

            let absurd = Graphs.graph(
                [
                    Graphs.start(),
                    Graphs.node(
                        "http", "http-request", ["method": "get", "url": "http://127.0.0.1:9/", "timeout": ["connect": 1e300, "read": 1e300]]),
                    Graphs.end([("status", ["http", "status_code"])]),
                ],
                [Graphs.edge("start", "http"), Graphs.edge("http", "end")]
            )
            #expect(try await save(absurd).status == .ok)
            let key = try await client.issueKey(for: app, as: owner).secret
            #expect(try await client.post("/console/api/apps/\(app)/workflows/publish", token: owner.token).status == .ok)
            let run = try await client.runWorkflow(WorkflowApp(owner: owner, id: app, key: key), ["query": "x"]).json["data"]
            #expect(run["status"] == "failed" && (run["error"].string ?? "").contains("private or loopback"), "\(run)")
        }
    }

    @Test("publishing freezes versions; runs use the newest; a version restores into the draft")
    func versions() async throws {
        try await withRelay { client in
            let owner = try await client.setUpOwner()
            let app = try await client.createApp("Flow", mode: "workflow", as: owner)
            let key = try await client.issueKey(for: app, as: owner).secret
            let flow = WorkflowApp(owner: owner, id: app, key: key)
            try await client.saveDraft(Self.passthrough, app: app, owner: owner)
            expectError(try await client.runWorkflow(flow, ["query": "x"]), .badRequest, "app_unavailable")

            let v1 = try await client.post("/console/api/apps/\(app)/workflows/publish", token: owner.token).json
            #expect(v1["result"] == "success" && v1["version"] == "v1" && v1["published_at"].int != nil)
            let shout = Graphs.graph(
                [
                    Graphs.start(), Graphs.template("t", "{{ q|uppercase }}!", variables: [("q", ["start", "query"])]),
                    Graphs.end([("query", ["t", "output"])]),
                ],
                [Graphs.edge("start", "t"), Graphs.edge("t", "end")]
            )
            try await client.saveDraft(shout, app: app, owner: owner)
            // The draft changed; runs still use v1 until it is published.
            #expect(try await client.runWorkflow(flow, ["query": "hey"]).json["data"]["outputs"] == ["query": "hey"])
            #expect(try await client.post("/console/api/apps/\(app)/workflows/publish", token: owner.token).json["version"] == "v2")
            #expect(try await client.runWorkflow(flow, ["query": "hey"]).json["data"]["outputs"] == ["query": "HEY!"])

            let listed = try await client.get("/console/api/apps/\(app)/workflows?page=1&limit=10", token: owner.token).json
            #expect(listed["items"].array.map { $0["version"].string ?? "" } == ["v2", "v1"])
            #expect(listed["total"] == 2 && listed["has_more"] == false)
            expectError(
                try await client.get("/console/api/apps/\(app)/workflows?limit=0", token: owner.token), .badRequest, "invalid_param", field: "limit")

            let first = try #require(listed["items"][1]["id"].string)
            let restored = try await client.post("/console/api/apps/\(app)/workflows/\(first)/restore", token: owner.token)
            #expect(restored.status == .ok)
            #expect(try await client.get("/console/api/apps/\(app)/workflows/draft", token: owner.token).json["graph"] == Self.passthrough)
            expectError(
                try await client.post("/console/api/apps/\(app)/workflows/\(UUID().uuidString.lowercased())/restore", token: owner.token),
                .notFound, "not_found"
            )

            // Inputs are checked against the start node's form.
            expectError(try await client.runWorkflow(flow, [:]), .badRequest, "invalid_param", field: "inputs.query")
            expectError(
                try await client.post("/v1/workflows/run", token: key, json: ["user": "alice"]), .badRequest, "invalid_param", field: "inputs")
            expectError(try await client.post("/v1/workflows/run", token: key, json: ["inputs": [:]]), .badRequest, "invalid_param", field: "user")
            // A chat app's key cannot run workflows.
            let chat = try await client.createApp("Chat", mode: "chat", as: owner)
            let chatKey = try await client.issueKey(for: chat, as: owner).secret
            expectError(
                try await client.post("/v1/workflows/run", token: chatKey, json: ["inputs": [:], "user": "alice"]), .badRequest, "not_workflow_app"
            )
        }
    }
}

@Suite("Workflows: Dify's own graphs")
struct WorkflowConformanceTests {
    @Test("every graph of Dify's workflow fixtures gives the outputs Dify states", arguments: try ConformanceGraph.all())
    func conformance(_ fixture: ConformanceGraph) async throws {
        try await StubUpstream.with { stub in
            try await withRelay(configure: { $0.forWorkflowTests() }) { client in
                let owner = try await client.setUpOwner()
                try await client.configureStubProvider(stub, as: owner)
                // "Point the llm node's model at any configured provider": the stub's echoing model.
                let graph = JSONValue.pointingModels(
                    of: fixture.graph, to: ["provider": "openai_api_compatible", "name": "stub-chat", "mode": "chat"])
                let app = try await client.workflowApp(graph, owner: owner, mode: fixture.mode)
                for item in fixture.cases {
                    let reply = try await client.runWorkflow(app, item["inputs"].object.map(JSONValue.object) ?? [:])
                    #expect(reply.status == .ok, "\(fixture.name): \(reply.json)")
                    #expect(reply.json["data"]["status"] == "succeeded", "\(fixture.name): \(reply.json)")
                    let outputs = reply.json["data"]["outputs"]
                    if let expected = item["outputs"].object {
                        #expect(outputs == .object(expected), "\(fixture.name) with \(item["inputs"])")
                    }
                    for (name, fragment) in item["outputs_contain"].object ?? [:] {
                        #expect(outputs[name].string?.contains(fragment.string ?? "") == true, "\(fixture.name): \(outputs)")
                    }
                }
            }
        }
    }
}

extension JSONValue {
    /// The graph with every llm node's `model` replaced.
    static func pointingModels(of graph: JSONValue, to model: JSONValue) -> JSONValue {
        let nodes = graph["nodes"].array.map { node -> JSONValue in
            guard node["data"]["type"] == "llm", var data = node["data"].object, var whole = node.object else { return node }
            data["model"] = model
            whole["data"] = .object(data)
            return .object(whole)
        }
        return ["nodes": .array(nodes), "edges": graph["edges"]]
    }
}

extension ConformanceGraph: CustomTestStringConvertible {
    var testDescription: String { name }
}
