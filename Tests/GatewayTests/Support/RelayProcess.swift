import Foundation
import Synchronization
import Testing

/// Starts Foundation `Process`es one at a time: on Linux, `Process.run()` from two threads at once was seen to crash
/// the test process (a bad pointer in its copy of the arguments, CI, with several relays started together).
enum ProcessLaunches {
    private static let lock = Mutex(())

    static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }
}

/// The built `relay` executable run as a child process, as an operator runs it.
final class RelayProcess: Sendable {
    let process: Process
    private let pipe: Pipe
    private let output: OutputBuffer

    /// `relay` sits beside the test bundle in the build folder.
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("relay")
    }

    init(arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("RELAY_") }.merging(environment) { $1 }
        let output = OutputBuffer()
        self.output = output
        let pipe = Pipe()
        self.pipe = pipe
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try ProcessLaunches.run(process)
    }

    /// A test that ends, or fails, with its relay still running does not leave it behind: one was found alive half an
    /// hour after its test had sent SIGTERM and finished.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var log: String { output.text }

    /// Waits for the line announcing the listening address and returns its port.
    func listeningPort(within seconds: Double = 20) async throws -> Int {
        let deadline = Date() + seconds
        while Date() < deadline {
            if let range = log.range(of: #"listening on 127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                return Int(log[range].split(separator: ":").last!)!
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("relay did not announce its address; log:\n\(log)")
        throw CancellationError()
    }

    /// Waits for the process to exit and returns its status; kills it if it outlives `seconds`.
    func exitStatus(within seconds: Double = 20) async throws -> Int32 {
        let deadline = Date() + seconds
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.interrupt()
            kill(process.processIdentifier, SIGKILL)
            Issue.record("relay did not exit within \(seconds) s; log:\n\(log)")
        }
        process.waitUntilExit()
        // What the child wrote last may not have reached the handler yet.
        pipe.fileHandleForReading.readabilityHandler = nil
        output.append(pipe.fileHandleForReading.readDataToEndOfFile())
        return process.terminationStatus
    }
}

final class OutputBuffer: Sendable {
    private let data = Mutex(Data())

    func append(_ chunk: Data) { data.withLock { $0.append(chunk) } }

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}
