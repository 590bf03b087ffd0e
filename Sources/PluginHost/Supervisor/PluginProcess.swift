import Core
import Foundation
import Logging
import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// One running plugin: the sandbox launcher's child serving one workspace's install, many sessions at once.
///
/// `run()` owns the process from spawn to reaping and must run in a task of its own (the supervisor's group); every
/// other method may be called meanwhile. Sessions are routed by `session_id`; a session's answer is its stream chunks
/// (`blob_chunk`s reassembled), ended by `end` or failed by `error`, by its deadline, or by the process ending.
actor PluginProcess {
    struct Settings: Sendable {
        var launcher: String
        var lineLimit: Int
        var startTimeout: Duration
        var errorTailCapacity: Int = 8 * 1024
        var minimumLevel: SandboxLevel
        /// The most a reassembled blob may hold.
        var blobLimit: Int = 64 << 20
    }

    /// Answers a call back into the host: the response chunks, or an error whose message goes back to the plugin.
    typealias Callback = @Sendable (_ type: String, _ request: JSONValue, _ sessionType: String) async throws -> [JSONValue]

    enum Phase: Equatable {
        case starting
        case ready
        case ended(PluginProcessEnd)
    }

    private struct Session {
        let continuation: AsyncThrowingStream<JSONValue, any Error>.Continuation
        let type: String
        let deadline: ContinuousClock.Instant
        var blobs: [String: [UInt8]] = [:]
    }

    let launch: PluginLaunch
    let settings: Settings
    private let callback: Callback
    private let logger: Logger
    /// The plugin's standard input while its process runs; written by whoever has a line to send (no task in between),
    /// one writer at a time, lines that arrive meanwhile queued behind it.
    private var input: StandardInputWriter?
    private var queued: [UInt8] = []
    private var writing = false
    private var inputClosing = false
    private var writesDone: [CheckedContinuation<Void, Never>] = []
    /// A call back into the host, asked within a session of `sessionType`.
    private struct HostCall: Sendable {
        let session: String
        let type: String
        let id: String
        let request: JSONValue
        let sessionType: String
    }

    private let callbacks: AsyncStream<HostCall>
    private let callbacksInput: AsyncStream<HostCall>.Continuation

    private(set) var phase: Phase = .starting
    private(set) var report: SandboxReport?
    private var heartbeatSeen = false
    private(set) var lastActivity = ContinuousClock.now
    /// Calls answered (with an end or the plugin's own error): a process that answered any is no crash loop.
    private(set) var completedCalls = 0
    private var readyWaiters: [CheckedContinuation<Void, any Error>] = []
    private var sessions: [String: Session] = [:]
    private var pid: pid_t?
    private var killReason: PluginProcessEnd.KillReason?
    private var stopDeadline: ContinuousClock.Instant?
    private var errorTail: StandardErrorTail
    private var nextSession = 0
    private let started = ContinuousClock.now

    init(launch: PluginLaunch, settings: Settings, logger: Logger, callback: @escaping Callback) {
        self.launch = launch
        self.settings = settings
        self.logger = logger
        self.callback = callback
        (callbacks, callbacksInput) = AsyncStream.makeStream()
        errorTail = StandardErrorTail(capacity: settings.errorTailCapacity)
    }

    var openSessions: Int { sessions.count }

    // MARK: Calls

    /// Waits for the first heartbeat; throws how the process ended if it ends first.
    func waitUntilReady() async throws {
        switch phase {
        case .ready: return
        case .ended(let end): throw failure(end)
        case .starting: try await withCheckedThrowingContinuation { readyWaiters.append($0) }
        }
    }

    /// Opens a session with `data` (`{user_id, type, action, ...}`) and returns its answer's stream chunks.
    func call(_ data: JSONValue, timeout: Duration) async throws -> AsyncThrowingStream<JSONValue, any Error> {
        if case .starting = phase { try await waitUntilReady() }
        if case .ended(let end) = phase { throw failure(end) }
        nextSession += 1
        let id = "s-\(nextSession)-\(UUID().uuidString.prefix(8))"
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: JSONValue.self)
        sessions[id] = Session(continuation: continuation, type: data["type"].string ?? "", deadline: .now + timeout)
        lastActivity = .now
        let request: JSONValue = [
            "session_id": .string(id), "event": "request", "conversation_id": nil, "message_id": nil, "app_id": nil,
            "endpoint_id": nil, "context": [:], "data": data,
        ]
        await send(Self.line(request))
        return stream
    }

    /// Asks the plugin to exit (standard input closes), and kills it after `grace`.
    func stop(grace: Duration = .seconds(2)) async {
        guard stopDeadline == nil else { return }
        stopDeadline = .now + grace
        inputClosing = true
        await send([])
    }

    /// Writes `line` (with whatever queued behind the write in progress); closes the input once asked to and idle.
    private func send(_ line: [UInt8]) async {
        queued += line
        guard !writing, let input else { return }
        writing = true
        while !queued.isEmpty {
            let batch = queued
            queued = []
            _ = try? await input.write(batch)
        }
        if inputClosing { try? await input.finish() }
        writing = false
        for waiter in writesDone { waiter.resume() }
        writesDone = []
    }

    private func attach(_ writer: StandardInputWriter) async {
        input = writer
        await send([])
    }

    /// Once the plugin's output has ended: no more writes, and none left running on its input.
    private func detachInput() async {
        if writing { await withCheckedContinuation { writesDone.append($0) } }
        input = nil
    }

    /// Kills the process and everything it started: its process group and, with an own uid, every process of that uid.
    func kill(_ reason: PluginProcessEnd.KillReason) async {
        guard let pid, killReason == nil else { return }
        if case .ended = phase { return }
        killReason = reason
        logger.warning("Killing plugin process", metadata: ["pid": "\(pid)", "reason": "\(reason.rawValue)"])
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
        await killInstallUID()
    }

    // MARK: The process's life

    /// Spawns the plugin under the launcher and serves it until it ends; then fails whatever was still waiting.
    func run() async -> PluginProcessEnd {
        let end: PluginProcessEnd
        do {
            let result = try await Subprocess.run(
                .path(FilePath(settings.launcher)), arguments: Arguments(launch.launcherArguments), environment: .custom([:]),
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution in
                try await self.serve(execution)
            }
            switch result.terminationStatus {
            case .exited(let code): end = killReason.map { .killed($0) } ?? report?.error.map { .refused($0) } ?? .exited(status: code)
            case .signaled(let signal): end = killReason.map { .killed($0) } ?? .exited(status: 128 + signal)
            }
        } catch is PluginLineSplitter.LineTooLong {
            end = .killed(.lineTooLong)
        } catch {
            end = killReason.map { .killed($0) } ?? .spawnFailed("\(error)")
        }
        finish(end)
        return end
    }

    private nonisolated func serve(_ execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>) async throws {
        await spawned(pid: execution.processIdentifier.value)
        try await withThrowingTaskGroup(of: String.self) { group in
            await self.attach(execution.standardInputWriter)
            group.addTask {
                var first = true
                var splitter = PluginLineSplitter(maximum: 4096)
                for try await buffer in execution.standardError {
                    if first, let line = try? buffer.withUnsafeBytes({ bytes in try splitter.append(bytes) }).first {
                        first = false
                        await self.received(report: line)
                    }
                    await self.receivedError(buffer)
                }
                return "error"
            }
            group.addTask {
                await withDiscardingTaskGroup { answers in
                    for await call in self.callbacks {
                        answers.addTask { await self.answer(call) }
                    }
                }
                return "callbacks"
            }
            group.addTask {
                try await self.watch(pid: execution.processIdentifier.value)
                return "watch"
            }
            var splitter = PluginLineSplitter(maximum: settings.lineLimit)
            do {
                for try await buffer in execution.standardOutput {
                    let lines = try buffer.withUnsafeBytes { bytes in try splitter.append(bytes) }
                    // One hop onto the actor per read, however many lines it brought.
                    if !lines.isEmpty { await self.received(lines) }
                }
            } catch let error as PluginLineSplitter.LineTooLong {
                await self.kill(.lineTooLong)
                // Its input stays ours until no write is left on it.
                await self.outputEnded()
                group.cancelAll()
                throw error
            }
            // Its output has ended: what it wrote to standard error drains until the watch has seen it exit.
            await self.outputEnded()
            while let finished = try await group.next(), finished != "watch" {}
            group.cancelAll()
        }
    }

    /// Every 100 ms: ends serving once the plugin's own process has exited (a grandchild may still hold its output open),
    /// and enforces the start timeout, call deadlines and the stop grace.
    private nonisolated func watch(pid: pid_t) async throws {
        var exitedAt: ContinuousClock.Instant?
        while !Task.isCancelled {
            try await Task.sleep(for: .milliseconds(100))
            var info = siginfo_t()
            if exitedAt == nil, waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid {
                exitedAt = .now
            }
            if let exitedAt, ContinuousClock.now - exitedAt > .milliseconds(500) {
                // Half a second after it exited: whatever it left behind (holding its pipes open) goes too.
                await killLeftovers()
                return
            }
            await enforceDeadlines()
        }
    }

    private func outputEnded() async {
        callbacksInput.finish()
        await detachInput()
    }

    /// After the plugin itself exited: its process group and, with an own uid, that uid's processes.
    private func killLeftovers() async {
        guard let pid else { return }
        _ = Glibc.kill(-pid, SIGKILL)
        await killInstallUID()
    }

    /// Every process of the install's own uid, through the launcher (which becomes that uid to do it).
    private func killInstallUID() async {
        guard let uid = launch.uid else { return }
        await PluginLaunch.killProcesses(ofUID: uid, launcher: settings.launcher)
    }

    private func enforceDeadlines() async {
        let now = ContinuousClock.now
        if case .starting = phase, now - started > settings.startTimeout {
            await kill(.startTimeout)
        } else if let stopDeadline, now > stopDeadline {
            await kill(.stopped)
        } else if sessions.values.contains(where: { $0.deadline < now }) {
            await kill(.callTimeout)
        }
    }

    private func spawned(pid: pid_t) { self.pid = pid }

    private func received(report line: [UInt8]) async {
        guard let report = try? SandboxReport(line: line) else { return }
        self.report = report
        if report.error == nil, report.level < settings.minimumLevel {
            await kill(.sandboxBelowMinimum)
        } else {
            becomeReadyIfChecked()
        }
    }

    /// Ready once the plugin has sent its first heartbeat and its sandbox was reported at or above the minimum: the two
    /// arrive on different pipes, in either order.
    private func becomeReadyIfChecked() {
        guard case .starting = phase, heartbeatSeen, let report, report.error == nil, report.level >= settings.minimumLevel else { return }
        phase = .ready
        for waiter in readyWaiters { waiter.resume() }
        readyWaiters = []
    }

    private func receivedError(_ buffer: SubprocessOutputSequence.Buffer) {
        buffer.withUnsafeBytes { errorTail.append($0) }
    }

    private func received(_ lines: [[UInt8]]) {
        for line in lines { received(line) }
    }

    private func received(_ line: [UInt8]) {
        lastActivity = .now
        let output: PluginOutput
        do {
            output = try PluginOutput(line: line)
        } catch {
            logger.debug("A plugin wrote a line that is not JSON", metadata: ["bytes": "\(line.count)"])
            return
        }
        switch output {
        case .heartbeat:
            heartbeatSeen = true
            becomeReadyIfChecked()
        case .log(let level, let message):
            logger.debug("Plugin log", metadata: ["level": "\(level)", "message": "\(message.prefix(1000))"])
        case .failure(let message):
            logger.warning("Plugin error", metadata: ["message": "\(message.prefix(1000))"])
        case .session(let id, let event):
            received(event, in: id)
        case .ignored:
            break
        }
    }

    private func received(_ event: SessionEvent, in id: String) {
        guard var session = sessions[id] else { return }
        switch event {
        case .stream(let chunk):
            if chunk["type"].string == "blob_chunk" {
                let message = chunk["message"]
                let blobID = message["id"].string ?? ""
                let piece = message["blob"].string.flatMap { Data(base64Encoded: $0) } ?? Data()
                var blob = session.blobs[blobID, default: []]
                blob.append(contentsOf: piece)
                guard blob.count <= settings.blobLimit else {
                    sessions[id] = nil
                    session.continuation.finish(
                        throwing: RelayError(.pluginInvocationError, "The plugin sent a blob over \(settings.blobLimit) bytes")
                    )
                    return
                }
                if message["end"].bool == true {
                    session.blobs[blobID] = nil
                    session.continuation.yield(
                        ["type": "blob", "message": ["blob": .string(Data(blob).base64EncodedString())], "meta": chunk["meta"]]
                    )
                } else {
                    session.blobs[blobID] = blob
                }
                sessions[id] = session
            } else {
                session.continuation.yield(chunk)
            }
        case .end:
            sessions[id] = nil
            completedCalls += 1
            session.continuation.finish()
        case .error(let type, let message):
            sessions[id] = nil
            completedCalls += 1
            session.continuation.finish(
                throwing: RelayError(
                    .pluginInvocationError, message, details: ["error_type": .string(type)]
                )
            )
        case .invoke(let type, let requestID, let request):
            callbacksInput.yield(HostCall(session: id, type: type, id: requestID, request: request, sessionType: session.type))
        case .unknown:
            break
        }
    }

    private nonisolated func answer(_ call: HostCall) async {
        var lines: [[UInt8]] = []
        func response(_ event: String, message: String = "", data: JSONValue) -> [UInt8] {
            Self.line([
                "session_id": .string(call.session), "event": "backwards_response",
                "data": ["backwards_request_id": .string(call.id), "event": .string(event), "message": .string(message), "data": data],
            ])
        }
        do {
            for chunk in try await callback(call.type, call.request, call.sessionType) { lines.append(response("response", data: chunk)) }
            lines.append(response("end", data: nil))
        } catch let error as RelayError {
            lines.append(response("error", message: error.message, data: nil))
        } catch {
            lines.append(response("error", message: "\(error)", data: nil))
        }
        await send(lines.flatMap { $0 })
    }

    private func finish(_ end: PluginProcessEnd) {
        phase = .ended(end)
        input = nil
        callbacksInput.finish()
        let error = failure(end)
        for waiter in readyWaiters { waiter.resume(throwing: error) }
        readyWaiters = []
        for session in sessions.values { session.continuation.finish(throwing: error) }
        sessions = [:]
        logger.info("Plugin process ended", metadata: ["end": "\(end)"])
    }

    /// The error a caller sees for `end`, with the tail of what the plugin wrote to standard error for the operator.
    func failure(_ end: PluginProcessEnd) -> RelayError {
        let details: JSONValue = ["reason": .string(end.description), "stderr": .string(String(errorTail.text.suffix(2048)))]
        switch end {
        case .killed(.callTimeout): return RelayError(.pluginTimeout, "The plugin did not answer in time; \(end)", details: details)
        case .killed(.sandboxBelowMinimum), .refused, .spawnFailed, .killed(.startTimeout):
            return RelayError(.pluginUnavailable, "The plugin could not start: \(end)", details: details)
        default: return RelayError(.pluginCrashed, "The plugin process ended during the call: \(end)", details: details)
        }
    }

    static func line(_ value: JSONValue) -> [UInt8] {
        var bytes = (try? JSONEncoder().encode(value)).map(Array.init) ?? Array("{}".utf8)
        bytes.append(0x0A)
        return bytes
    }
}
