public import Core
public import Foundation
import Logging
import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// Runs workflow `code` nodes: Python 3 under the plugin launcher, in a fresh folder that is all it may write, with no
/// network (its own namespace), an empty environment, memory, CPU, file and process limits, and, when the server runs
/// as root, a uid of its own that is killed whole when the run ends or overruns.
public struct SandboxedPython: CodeSandbox {
    let launcher: String
    let python: String
    let folder: URL
    let minimumLevel: SandboxLevel
    let memory: Int
    let ownUIDs: Bool

    /// Largest result and standard error kept.
    static let outputLimit = 4 << 20
    static let uidRange: ClosedRange<UInt32> = 100_000...199_999

    public init(launcher: String, python: String, folder: URL, minimumLevel: SandboxLevel, memory: Int = 256 << 20) {
        self.launcher = launcher
        self.python = python
        self.folder = folder
        self.minimumLevel = minimumLevel
        self.memory = memory
        ownUIDs = geteuid() == 0
    }

    /// Reads `{code, inputs}`, runs `main(**inputs)` with the code's own prints sent to standard error, and writes
    /// `{result}` or `{error}` as the only thing on standard output.
    static let runner = #"""
        import json, sys, traceback
        out = sys.stdout
        sys.stdout = sys.stderr
        try:
            request = json.load(sys.stdin)
            scope = {"__name__": "__main__"}
            exec(compile(request["code"], "<code>", "exec"), scope)
            main = scope.get("main")
            if not callable(main):
                raise NameError("the code defines no main() function")
            reply = json.dumps({"result": main(**request["inputs"])})
        except BaseException as error:
            reply = json.dumps({"error": "".join(traceback.format_exception_only(type(error), error)).strip()})
        out.write(reply)
        out.flush()
        """#

    public func runPython(_ code: String, inputs: [String: JSONValue], timeout: Duration) async throws -> JSONValue {
        // Search-only for others, so that a run's uid reaches its own folder and lists nothing on the way.
        if !FileManager.default.fileExists(atPath: folder.path) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        }
        let home = folder.appendingPathComponent(UUID().uuidString.lowercased())
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: home) }
        let uid: UInt32? = ownUIDs ? UInt32.random(in: Self.uidRange) : nil
        if let uid, chown(home.path, uid, uid) != 0 { throw RelayError.internalError(POSIXError(.EPERM)) }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: home.path)

        var launch = PluginLaunch(
            program: [python, "-I", "-S", "-c", Self.runner], workingDirectory: home.path,
            environment: [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home.path, "TMPDIR": home.path, "PYTHONDONTWRITEBYTECODE": "1",
            ],
            memory: memory, cpuSeconds: max(1, Int(timeout.components.seconds)), openFiles: 64, fileSize: 16 << 20,
            processes: uid == nil ? 4096 : 16, uid: uid, network: false
        )
        launch.writes = [home.path]
        let request = JSONValue.object(["code": .string(code), "inputs": .object(inputs)]).canonicalData

        let result = try await Subprocess.run(
            .path(FilePath(launcher)), arguments: Arguments(launch.launcherArguments), environment: .custom([:]),
            input: .data(request), output: .sequence, error: .sequence
        ) { execution in
            let pid = execution.processIdentifier.value
            return try await withThrowingTaskGroup(of: Collected?.self) { group in
                group.addTask { .output(try await Self.collect(execution.standardOutput)) }
                group.addTask { .error(try await Self.collect(execution.standardError)) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    await Self.kill(pid: pid, uid: uid, launcher: launcher)
                    return .timedOut
                }
                var output = Data()
                var error = Data()
                var timedOut = false
                var streams = 0
                while streams < 2, let next = try await group.next() {
                    switch next {
                    case .output(let data): output = data; streams += 1
                    case .error(let data): error = data; streams += 1
                    case .timedOut: timedOut = true
                    case nil: break
                    }
                }
                group.cancelAll()
                return (output, error, timedOut)
            }
        }
        // Whatever it started is gone with it.
        if let uid { await Self.kill(pid: nil, uid: uid, launcher: launcher) }
        let (output, error, timedOut) = result.closureResult
        if timedOut { throw RelayError(.workflowNodeFailed, "The code did not finish within \(timeout.components.seconds) s and was killed") }

        let lines = error.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
        let report = lines.first.flatMap { line in try? SandboxReport(line: Array(line)) }
        let printed = lines.count > 1 ? String(decoding: lines[1], as: UTF8.self) : ""
        if let refusal = report?.error { throw RelayError(.workflowNodeFailed, "The code sandbox could not be set up: \(refusal)") }
        if let report, report.level < minimumLevel {
            throw RelayError(.workflowNodeFailed, "The code sandbox is \(report.level.rawValue), below the required \(minimumLevel.rawValue)")
        }
        guard let reply = try? JSONDecoder().decode(JSONValue.self, from: output), reply.object != nil else {
            let status: String = switch result.terminationStatus {
            case .exited(let code): "exited with status \(code)\(PluginProcessEnd.meaning(of: code))"
            case .signaled(let signal): "was killed by signal \(signal)\(PluginProcessEnd.meaning(of: 128 + signal))"
            }
            throw RelayError(.workflowNodeFailed, "The code \(status) without a result. \(printed.suffix(1000))")
        }
        if let message = reply["error"].string { throw RelayError(.workflowNodeFailed, message) }
        return reply["result"]
    }

    private enum Collected: Sendable {
        case output(Data)
        case error(Data)
        case timedOut
    }

    private static func collect(_ sequence: SubprocessOutputSequence) async throws -> Data {
        var data = Data()
        for try await buffer in sequence {
            buffer.withUnsafeBytes { bytes in
                if data.count < outputLimit { data.append(contentsOf: bytes.prefix(outputLimit - data.count)) }
            }
        }
        return data
    }

    /// Kills the run's process group, and every process of its uid (which reaches what escaped the group).
    private static func kill(pid: pid_t?, uid: UInt32?, launcher: String) async {
        if let pid { _ = Glibc.kill(-pid, SIGKILL) }
        if let uid { await PluginLaunch.killProcesses(ofUID: uid, launcher: launcher) }
    }
}
