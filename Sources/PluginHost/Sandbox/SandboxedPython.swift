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
        let uid: UInt32? = ownUIDs ? UInt32.random(in: Self.uidRange) : nil
        let home = try SandboxedRun.makeHome(in: folder, uid: uid)
        defer { try? FileManager.default.removeItem(at: home) }
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
        let run = try await SandboxedRun.run(launch, launcher: launcher, input: request, timeout: timeout, outputLimit: Self.outputLimit)
        if run.timedOut { throw RelayError(.workflowNodeFailed, "The code did not finish within \(timeout.components.seconds) s and was killed") }
        if let refusal = run.report?.error { throw RelayError(.workflowNodeFailed, "The code sandbox could not be set up: \(refusal)") }
        if let report = run.report, report.level < minimumLevel {
            throw RelayError(.workflowNodeFailed, "The code sandbox is \(report.level.rawValue), below the required \(minimumLevel.rawValue)")
        }
        guard let reply = try? JSONDecoder().decode(JSONValue.self, from: run.output), reply.object != nil else {
            throw RelayError(.workflowNodeFailed, "The code \(run.ending) without a result. \(run.printed.suffix(1000))")
        }
        if let message = reply["error"].string { throw RelayError(.workflowNodeFailed, message) }
        return reply["result"]
    }
}
