import Core
import Foundation
import Testing
import Yams

/// A workflow app with its owner and a key of its own.
struct WorkflowApp: Sendable {
    let owner: Owner
    let id: String
    let key: String
}

/// One of Dify's own workflow fixtures (`Fixtures/dify-workflows`): a graph, its mode, and cases of inputs with the
/// outputs Dify states.
struct ConformanceGraph: Sendable {
    let name: String
    let mode: String
    let graph: JSONValue
    let cases: [JSONValue]

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/dify-workflows")

    static func all() throws -> [ConformanceGraph] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yml") }.sorted().map { file in
            let document = JSONValue(yaml: try Yams.load(yaml: String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)))
            return ConformanceGraph(
                name: file, mode: document["mode"].string ?? "workflow", graph: document["graph"], cases: document["cases"].array
            )
        }
    }
}

extension JSONValue {
    /// A value Yams loaded, as JSON.
    init(yaml value: Any?) {
        switch value {
        case let text as String: self = .string(text)
        case let flag as Bool: self = .bool(flag)
        case let number as Int: self = .number(Double(number))
        case let number as Double: self = .number(number)
        case let list as [Any?]: self = .array(list.map(JSONValue.init(yaml:)))
        case let map as [String: Any?]: self = .object(map.mapValues(JSONValue.init(yaml:)))
        case let map as [AnyHashable: Any?]: self = .object(Dictionary(uniqueKeysWithValues: map.map { ("\($0.key)", JSONValue(yaml: $0.value)) }))
        default: self = .null
        }
    }
}

extension RelayClient {
    /// A workflow app of `owner` (a new owner when `nil`) whose draft is `graph`, published, with a key.
    func workflowApp(_ graph: JSONValue, owner existing: Owner? = nil, mode: String = "workflow", name: String = "Flow") async throws -> WorkflowApp {
        let owner: Owner
        if let existing { owner = existing } else { owner = try await setUpOwner() }
        let app = try await createApp(name, mode: mode, as: owner)
        try await saveDraft(graph, app: app, owner: owner)
        let published = try await post("/console/api/apps/\(app)/workflows/publish", token: owner.token)
        try #require(published.status == .ok, "publish: \(published.json)")
        return WorkflowApp(owner: owner, id: app, key: try await issueKey(for: app, as: owner).secret)
    }

    @discardableResult
    func saveDraft(_ graph: JSONValue, app: String, owner: Owner, hash: String? = nil) async throws -> String {
        var body: JSONValue = ["graph": graph, "features": [:], "environment_variables": []]
        if let hash { body = .object(body.object!.merging(["hash": .string(hash)]) { $1 }) }
        let saved = try await post("/console/api/apps/\(app)/workflows/draft", token: owner.token, json: body)
        try #require(saved.status == .ok, "save draft: \(saved.json)")
        return try #require(saved.json["hash"].string)
    }

    func runWorkflow(_ app: WorkflowApp, _ inputs: JSONValue, user: String = "alice") async throws -> Reply {
        try await post("/v1/workflows/run", token: app.key, json: ["inputs": inputs, "user": .string(user), "response_mode": "blocking"])
    }
}

/// Small graphs for the tests: nodes and edges written as Dify writes them.
enum Graphs {
    static func node(_ id: String, _ type: String, _ data: [String: JSONValue] = [:], parent: String? = nil) -> JSONValue {
        var fields = data
        fields["type"] = .string(type)
        fields["title"] = fields["title"] ?? .string(id)
        var node: [String: JSONValue] = ["id": .string(id), "data": .object(fields)]
        if let parent { node["parentId"] = .string(parent) }
        return .object(node)
    }

    static func edge(_ source: String, _ target: String, handle: String = "source") -> JSONValue {
        [
            "id": .string("\(source)-\(handle)-\(target)"), "source": .string(source), "sourceHandle": .string(handle), "target": .string(target),
            "targetHandle": "target",
        ]
    }

    static func graph(_ nodes: [JSONValue], _ edges: [JSONValue]) -> JSONValue { ["nodes": .array(nodes), "edges": .array(edges)] }

    static func start(_ variables: [(String, String)] = [("query", "text-input")]) -> JSONValue {
        node(
            "start", "start",
            ["variables": .array(variables.map { ["variable": .string($0.0), "label": .string($0.0), "type": .string($0.1), "required": true] })])
    }

    static func end(_ outputs: [(String, [String])]) -> JSONValue {
        node("end", "end", ["outputs": .array(outputs.map { ["variable": .string($0.0), "value_selector": .array($0.1.map(JSONValue.string))] })])
    }

    static func code(
        _ id: String, _ source: String, outputs: [String: String], variables: [(String, [String])] = [], extra: [String: JSONValue] = [:]
    ) -> JSONValue {
        var data: [String: JSONValue] = [
            "code_language": "python3", "code": .string(source),
            "outputs": .object(outputs.mapValues { ["type": .string($0)] }),
            "variables": .array(variables.map { ["variable": .string($0.0), "value_selector": .array($0.1.map(JSONValue.string))] }),
        ]
        data.merge(extra) { $1 }
        return node(id, "code", data)
    }

    static func template(_ id: String, _ text: String, variables: [(String, [String])] = [], parent: String? = nil) -> JSONValue {
        node(
            id, "template-transform",
            [
                "template": .string(text),
                "variables": .array(variables.map { ["variable": .string($0.0), "value_selector": .array($0.1.map(JSONValue.string))] }),
            ],
            parent: parent
        )
    }

    static func llm(_ id: String, model: String, prompt: String) -> JSONValue {
        node(
            id, "llm",
            [
                "model": ["provider": "openai_api_compatible", "name": .string(model), "mode": "chat", "completion_params": [:]],
                "prompt_template": [["role": "system", "text": "Be brief."], ["role": "user", "text": .string(prompt)]],
            ]
        )
    }
}
