import Benchmark
import Core
import Foundation
import Logging
import PluginHost

/// A warm call to the C echo plugin through the supervisor: the request line out, the session routed back, the stream
/// ended. What an HTTP request to a tool adds on top is measured by Benchmarks/plugin-calls.sh.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(20), maxIterations: 10_000)

    Benchmark("warm echo call through the supervisor (C plugin, sandboxed)") { benchmark in
        let (supervisor, runtime) = try await EchoPlugin.shared.ready()
        let request: JSONValue = [
            "user_id": "u", "type": "tool", "action": "invoke_tool", "provider": "echo_c", "tool": "echo",
            "credentials": ["api_key": "good"], "tool_parameters": ["text": "hi"], "credential_type": "api-key",
        ]
        for _ in benchmark.scaledIterations {
            var chunks = 0
            for try await _ in try await supervisor.call(request, on: runtime) { chunks += 1 }
            blackHole(chunks)
        }
    }
}

/// One supervisor with the echo plugin started, shared by the benchmark's runs.
actor EchoPlugin {
    static let shared = EchoPlugin()
    private var started: (PluginSupervisor, PluginRuntime)?

    func ready() async throws -> (PluginSupervisor, PluginRuntime) {
        if let started { return started }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let package = repository.appendingPathComponent("plugins/echo-c")
        let launcher = repository.appendingPathComponent(".build/release/relay-plugin-launcher").path
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let supervisor = PluginSupervisor(settings: PluginSupervisorSettings(launcher: launcher), logger: logger)
        Task { await supervisor.run() }
        let runtime = PluginRuntime(
            install: PluginInstallID(), workspace: WorkspaceID(),
            launch: PluginLaunch(
                program: [package.appendingPathComponent("bin/echo").path], workingDirectory: package.path, environment: ["INSTALL_METHOD": "local"],
                memory: 16 << 20, cpuSeconds: 3600, openFiles: 64, fileSize: 1 << 20, processes: 16,
                uid: geteuid() == 0 ? 64124 : nil, network: false
            )
        )
        started = (supervisor, runtime)
        return (supervisor, runtime)
    }
}
