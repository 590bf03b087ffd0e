public import Core
public import Foundation
import Subprocess
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// One short-lived program run under the plugin launcher with its input on standard input: what it wrote, the
/// sandbox's report, and how it ended. Used for code nodes and untrusted document parsers alike.
struct SandboxedRun: Sendable {
    let output: Data
    /// Standard error after the launcher's report line: what the program itself printed there.
    let printed: String
    let report: SandboxReport?
    let timedOut: Bool
    let status: TerminationStatus

    /// How the program ended, in words: "exited with status 1 (…)" or "was killed by signal 9 (…)".
    var ending: String {
        switch status {
        case .exited(let code): "exited with status \(code)\(PluginProcessEnd.meaning(of: code))"
        case .signaled(let signal): "was killed by signal \(signal)\(PluginProcessEnd.meaning(of: 128 + signal))"
        }
    }

    /// A fresh folder under `folder` (search-only for others, so that a run's uid reaches it and lists nothing on the
    /// way), owned by `uid` when given and private to it.
    static func makeHome(in folder: URL, uid: UInt32?) throws -> URL {
        if !FileManager.default.fileExists(atPath: folder.path) {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        }
        let home = folder.appendingPathComponent(UUID().uuidString.lowercased())
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: false)
        if let uid, chown(home.path, uid, uid) != 0 { throw RelayError.internalError(POSIXError(.EPERM)) }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: home.path)
        return home
    }

    /// Runs `launch`, killing its group (and its uid's every process) at `timeout` and when it ends.
    static func run(_ launch: PluginLaunch, launcher: String, input: Data, timeout: Duration, outputLimit: Int) async throws -> SandboxedRun {
        let uid = launch.uid
        let result = try await Subprocess.run(
            .path(FilePath(launcher)), arguments: Arguments(launch.launcherArguments), environment: .custom([:]),
            input: .data(input), output: .sequence, error: .sequence
        ) { execution in
            let pid = execution.processIdentifier.value
            return try await withThrowingTaskGroup(of: Collected?.self) { group in
                group.addTask { .output(try await collect(execution.standardOutput, limit: outputLimit)) }
                group.addTask { .error(try await collect(execution.standardError, limit: outputLimit)) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    await kill(pid: pid, uid: uid, launcher: launcher)
                    return .timedOut
                }
                var output = Data()
                var error = Data()
                var timedOut = false
                var streams = 0
                while streams < 2, let next = try await group.next() {
                    switch next {
                    case .output(let data):
                        output = data
                        streams += 1
                    case .error(let data):
                        error = data
                        streams += 1
                    case .timedOut: timedOut = true
                    case nil: break
                    }
                }
                group.cancelAll()
                return (output, error, timedOut)
            }
        }
        // Whatever it started is gone with it.
        if let uid { await kill(pid: nil, uid: uid, launcher: launcher) }
        let (output, error, timedOut) = result.closureResult
        let lines = error.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false)
        return SandboxedRun(
            output: output, printed: lines.count > 1 ? String(decoding: lines[1], as: UTF8.self) : "",
            report: lines.first.flatMap { line in try? SandboxReport(line: Array(line)) }, timedOut: timedOut, status: result.terminationStatus
        )
    }

    private enum Collected: Sendable {
        case output(Data)
        case error(Data)
        case timedOut
    }

    private static func collect(_ sequence: SubprocessOutputSequence, limit: Int) async throws -> Data {
        var data = Data()
        for try await buffer in sequence {
            buffer.withUnsafeBytes { bytes in
                if data.count < limit { data.append(contentsOf: bytes.prefix(limit - data.count)) }
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
