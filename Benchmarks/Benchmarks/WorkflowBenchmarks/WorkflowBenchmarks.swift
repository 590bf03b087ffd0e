import Benchmark
import BenchmarkSupport
import Core
import Foundation
import Logging

/// The workflow engine through its service, as a Public API run uses it (a real SQLite file: each run is stored when
/// it starts and, with every node's record, when it ends): a chain of 100 template nodes, a fan-out of 50, and 1,000
/// runs of a small workflow at once. Engine overhead per trivial node ≈ a chain run's time / 100.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(10), maxIterations: 1_000)

    Benchmark("chain of 100 template-transform nodes, one run") { benchmark in
        let fixture = try await WorkflowFixture.shared.ready()
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.run(fixture.chain))
        }
    }

    Benchmark("fan-out to 50 template-transform nodes and back, one run") { benchmark in
        let fixture = try await WorkflowFixture.shared.ready()
        for _ in benchmark.scaledIterations {
            blackHole(try await fixture.run(fixture.fanOut))
        }
    }

    Benchmark("1,000 concurrent runs of a 3-node workflow", configuration: .init(maxDuration: .seconds(20), maxIterations: 20)) { benchmark in
        let fixture = try await WorkflowFixture.shared.ready()
        for _ in benchmark.scaledIterations {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<1_000 { group.addTask { blackHole(try await fixture.run(fixture.small)) } }
                try await group.waitForAll()
            }
        }
    }
}

/// One workspace with three published workflow apps on a fresh SQLite file, shared by the benchmarks.
actor WorkflowFixture {
    static let shared = WorkflowFixture()

    struct Ready: Sendable {
        let service: WorkflowService
        let chain: App
        let fanOut: App
        let small: App

        func run(_ app: App) async throws -> WorkflowRun {
            let prepared = try await service.prepareRun(of: app, inputs: ["query": "benchmark"], endUser: "bench", trigger: .appRun)
            let run = try await service.execute(prepared) { _ in }
            precondition(run.status == .succeeded, "\(run.error ?? "")")
            return run
        }
    }

    private var ready: Ready?

    func ready() async throws -> Ready {
        if let ready { return ready }
        let bench = try await BenchWorkspace.make("workflow")
        let (stores, workspace, now) = (bench.stores, bench.workspace, bench.createdAt)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let upstream = UpstreamClient(policy: UpstreamPolicy())
        let models = bench.models(upstream: upstream)
        let service = WorkflowService(
            store: stores.workflows, tasks: RunningTasks(),
            services: WorkflowServices(models: models, code: nil, toolbox: nil, http: WorkflowHTTPSettings(client: upstream.http)),
            logger: logger, now: Date.init
        )
        func app(_ name: String, _ graph: JSONValue) async throws -> App {
            let app = App(
                id: AppID(), workspaceID: workspace.id, name: name, mode: .workflow, icon: "🤖", iconBackground: "#FFEAD5", description: "",
                enableSite: true, enableAPI: true, apiRPM: 0, apiRPH: 0, isDemo: false, createdBy: nil, createdAt: now, updatedAt: now
            )
            try await stores.apps.insert(app)
            let content = WorkflowContent(graph: graph, features: [:], environmentVariables: [], conversationVariables: [])
            _ = try await service.saveDraft(content, expectedHash: nil, of: app, by: nil)
            _ = try await service.publish(app, by: nil)
            return app
        }
        let made = Ready(
            service: service, chain: try await app("chain", Self.chain(100)), fanOut: try await app("fan-out", Self.fanOut(50)),
            small: try await app("small", Self.chain(1))
        )
        ready = made
        return made
    }

    static func node(_ id: String, _ data: JSONValue) -> JSONValue { ["id": .string(id), "data": data] }

    static func edge(_ source: String, _ target: String) -> JSONValue {
        ["id": .string("\(source)-\(target)"), "source": .string(source), "sourceHandle": "source", "target": .string(target)]
    }

    static let start = node("start", ["type": "start", "variables": [["variable": "query", "type": "text-input", "required": true]]])

    static func template(_ id: String, reading source: [String]) -> JSONValue {
        node(
            id,
            [
                "type": "template-transform", "template": "{{ x }}!",
                "variables": [["variable": "x", "value_selector": .array(source.map(JSONValue.string))]],
            ])
    }

    /// start → t1 → … → tN → end.
    static func chain(_ count: Int) -> JSONValue {
        var nodes = [start]
        var edges: [JSONValue] = []
        var previous = ["start", "query"]
        for index in 1...count {
            nodes.append(template("t\(index)", reading: previous))
            edges.append(edge(previous[0], "t\(index)"))
            previous = ["t\(index)", "output"]
        }
        nodes.append(node("end", ["type": "end", "outputs": [["variable": "out", "value_selector": .array(previous.map(JSONValue.string))]]]))
        edges.append(edge(previous[0], "end"))
        return ["nodes": .array(nodes), "edges": .array(edges)]
    }

    /// start → t1…tN (at once) → end, which waits for all.
    static func fanOut(_ count: Int) -> JSONValue {
        var nodes = [start]
        var edges: [JSONValue] = []
        var outputs: [JSONValue] = []
        for index in 1...count {
            nodes.append(template("t\(index)", reading: ["start", "query"]))
            edges.append(edge("start", "t\(index)"))
            edges.append(edge("t\(index)", "end"))
            outputs.append(["variable": .string("o\(index)"), "value_selector": .array([.string("t\(index)"), "output"])])
        }
        nodes.append(node("end", ["type": "end", "outputs": .array(outputs)]))
        return ["nodes": .array(nodes), "edges": .array(edges)]
    }
}
