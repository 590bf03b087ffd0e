import Core
import Logging

/// One workspace's install as the supervisor runs it: at most one process at a time, started on first use, restarted
/// after a failure only once its backoff has passed, and refused while its crash-loop breaker is open.
actor PluginInstance {
    let runtime: PluginRuntime
    private let settings: PluginSupervisorSettings
    private let logger: Logger
    private let start: @Sendable (PluginInstance, PluginProcess) -> Void
    private var process: PluginProcess?
    private var restart: RestartState
    private(set) var lastEnd: PluginProcessEnd?
    private(set) var lastFailure: RelayError?

    init(
        runtime: PluginRuntime, settings: PluginSupervisorSettings, logger: Logger, start: @escaping @Sendable (PluginInstance, PluginProcess) -> Void
    ) {
        self.runtime = runtime
        self.settings = settings
        self.logger = logger
        self.start = start
        restart = RestartState(policy: settings.restart)
    }

    /// Runs one call: the process started (or restarted) if need be, the request sent, the answer's chunks streamed.
    func call(_ data: JSONValue) async throws -> AsyncThrowingStream<JSONValue, any Error> {
        try await readyProcess().call(data, timeout: settings.callTimeout)
    }

    /// The process to call: the running one (the call itself waits for it to be ready), else a new one once the
    /// backoff allows.
    private func readyProcess() async throws -> PluginProcess {
        if let process { return process }
        let wait = restart.delay(at: .now)
        if restart.isBroken, wait > .zero {
            throw RelayError(
                .pluginUnavailable,
                "The plugin failed \(restart.consecutiveFailures) times in a row and is stopped for now; it will be tried again in "
                    + "\(Int(wait.components.seconds) + 1) s. Last: \(lastEnd.map { "\($0)" } ?? "unknown")",
                details: lastFailure?.details
            )
        }
        if wait > settings.callTimeout {
            throw RelayError(.pluginUnavailable, "The plugin is restarting after a failure; try again in \(Int(wait.components.seconds) + 1) s")
        }
        if wait > .zero { try await Task.sleep(for: wait) }
        if let process { return process }  // another call started one while this one waited
        let process = PluginProcess(
            launch: runtime.launch,
            settings: .init(
                launcher: settings.launcher, lineLimit: settings.lineLimit, startTimeout: settings.startTimeout, minimumLevel: settings.minimumLevel
            ),
            logger: logger, callback: runtime.callback
        )
        self.process = process
        start(self, process)
        return process
    }

    /// Called by the supervisor when a process of this install has ended.
    func ended(_ ended: PluginProcess, _ end: PluginProcessEnd) async {
        if ended === process { process = nil }
        lastEnd = end
        // Failures count in a row only while no process in between answered a call.
        if await ended.completedCalls > 0 { restart.recordSuccess() }
        if end.isFailure {
            lastFailure = await ended.failure(end)
            restart.recordFailure(at: .now)
            logger.warning("Plugin process failed", metadata: ["install": "\(runtime.install)", "end": "\(end)"])
        }
    }

    /// Stops the process if it has had no open call for `idle`.
    func reapIfIdle(_ idle: Duration) async {
        guard let process, await process.openSessions == 0, ContinuousClock.now - (await process.lastActivity) > idle else { return }
        await process.stop()
    }

    func stop() async {
        await process?.stop()
    }

    func kill() async {
        await process?.kill(.stopped)
    }

    /// The sandbox of the running process, else of the last one.
    private var lastReport: SandboxReport?
    func report() async -> SandboxReport? {
        if let process, let report = await process.report { lastReport = report }
        return lastReport
    }

    var isRunning: Bool { process != nil }
    var failures: Int { restart.consecutiveFailures }
}
