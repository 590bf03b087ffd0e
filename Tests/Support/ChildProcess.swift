import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to its end and returns its exit status and everything it printed. Spawned and reaped directly:
/// Foundation's `Process` was seen to leave short-lived children as zombies in the test process, never seeing them exit.
public enum ChildProcess {
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
    }

    /// `input`, when given, is the child's standard input (closed after it); otherwise the child inherits the test's.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, input: String? = nil
    ) async throws -> Result {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("relay-child-\(UUID()).log")
        defer { try? FileManager.default.removeItem(at: log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pipe: [Int32] = [-1, -1]
        if input != nil {
            guard Glibc.pipe(&pipe) == 0 else { throw SpawnError(executable: executable, code: errno) }
            posix_spawn_file_actions_adddup2(&actions, pipe[0], 0)
            posix_spawn_file_actions_addclose(&actions, pipe[0])
            posix_spawn_file_actions_addclose(&actions, pipe[1])
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, variables)
        if let input {
            close(pipe[0])
            let writer = pipe[1]
            // Written on a thread of its own: a child that reads slowly must not block the test's executor.
            Thread.detachNewThread {
                // A child that exits early must not kill the test process with SIGPIPE.
                signal(SIGPIPE, SIG_IGN)
                let bytes = Array(input.utf8)
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { break }
                    offset += written
                }
                close(writer)
            }
        }
        guard spawned == 0 else { throw SpawnError(executable: executable, code: spawned) }
        let child = pid
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(child, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        let exited = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exited, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String { "could not start \(executable): \(String(cString: strerror(code)))" }
    }
}
