public import Core
import CoreMetrics
public import Logging
import Metrics
public import ServiceLifecycle

/// Runs plugin processes: one per workspace install, started on first use, stopped when idle, restarted with backoff,
/// all stopped (standard input closed, then killed) when the server shuts down.
public actor PluginSupervisor: Service {
    public let settings: PluginSupervisorSettings
    private let logger: Logger
    private let metrics: PluginMetrics
    private var instances: [PluginInstallID: PluginInstance] = [:]
    private nonisolated let starts: AsyncStream<(PluginInstance, PluginProcess)>
    private nonisolated let startInput: AsyncStream<(PluginInstance, PluginProcess)>.Continuation
    private var stopping = false

    public init(settings: PluginSupervisorSettings, metrics: PluginMetrics = .disabled, logger: Logger) {
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        (starts, startInput) = AsyncStream.makeStream()
    }

    public func run() async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.reapIdleProcesses() }
                for await (instance, process) in starts {
                    group.addTask { [metrics] in
                        metrics.starts.increment()
                        metrics.running.increment()
                        let end = await process.run()
                        metrics.running.decrement()
                        if end.isFailure { metrics.crashes.increment() }
                        await instance.ended(process, end)
                    }
                }
            }
        } onGracefulShutdown: {
            self.startInput.finish()
            Task { await self.stopAll() }
        }
        // Cancelled rather than shut down gracefully (start-up failed): the processes still get stopped.
        await stopAll()
    }

    /// Runs a call on `runtime`'s install and streams its answer's chunks.
    public func call(_ data: JSONValue, on runtime: PluginRuntime) async throws -> AsyncThrowingStream<JSONValue, any Error> {
        guard !stopping else { throw RelayError(.serviceUnavailable, "The server is shutting down") }
        let start = ContinuousClock.now
        let answer: AsyncThrowingStream<JSONValue, any Error>
        do {
            answer = try await instance(for: runtime).call(data)
        } catch {
            metrics.calls.record(duration: .now - start)
            throw error
        }
        // The call lasts until its answer's last chunk (or its failure); the consumer going away cancels the relay.
        let calls = metrics.calls
        return AsyncThrowingStream { continuation in
            let relay = Task {
                do {
                    for try await chunk in answer { continuation.yield(chunk) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
                calls.record(duration: .now - start)
            }
            continuation.onTermination = { _ in relay.cancel() }
        }
    }

    /// Every install that has had a process on this instance, running or not.
    public func processes() async -> [PluginProcessState] {
        var states: [PluginProcessState] = []
        for instance in instances.values {
            states.append(
                PluginProcessState(
                    install: instance.runtime.install, workspace: instance.runtime.workspace, isRunning: await instance.isRunning,
                    level: await instance.report()?.level
                )
            )
        }
        return states
    }

    /// The sandbox an install's process runs (or last ran) under; `nil` before it first ran.
    public func sandbox(of install: PluginInstallID) async -> SandboxReport? {
        await instances[install]?.report()
    }

    /// Whether an install's process runs on this instance, its failures in a row, and how its last process ended.
    public func status(of install: PluginInstallID) async -> (running: Bool, failures: Int, lastEnd: String?) {
        guard let instance = instances[install] else { return (false, 0, nil) }
        return (await instance.isRunning, await instance.failures, await instance.lastEnd.map { "\($0)" })
    }

    /// Every install that has run, with its sandbox: for `/health` and metrics.
    public func sandboxes() async -> [SandboxReport] {
        var reports: [SandboxReport] = []
        for instance in instances.values { if let report = await instance.report() { reports.append(report) } }
        return reports
    }

    /// The runtime an install already runs with on this instance, so a call need not prepare its folders again.
    public func knownRuntime(of install: PluginInstallID) -> PluginRuntime? {
        instances[install]?.runtime
    }

    /// Stops and forgets an install's process (it was uninstalled or replaced).
    public func remove(_ install: PluginInstallID) async {
        guard let instance = instances.removeValue(forKey: install) else { return }
        await instance.kill()
    }

    private func instance(for runtime: PluginRuntime) -> PluginInstance {
        if let instance = instances[runtime.install], instance.runtime.launch == runtime.launch { return instance }
        let instance = PluginInstance(runtime: runtime, settings: settings, logger: logger) { [startInput] instance, process in
            startInput.yield((instance, process))
        }
        instances[runtime.install] = instance
        return instance
    }

    private func reapIdleProcesses() async {
        var last = ContinuousClock.now
        while !stopping, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            guard ContinuousClock.now - last > min(settings.idleTimeout / 4, .seconds(5)) else { continue }
            last = .now
            for instance in instances.values { await instance.reapIfIdle(settings.idleTimeout) }
        }
    }

    private func stopAll() async {
        stopping = true
        for instance in instances.values { await instance.stop() }
    }
}
