import Subprocess
import SystemPackage

/// How one install's process is started: the program and the limits the launcher applies around it.
public struct PluginLaunch: Sendable, Hashable {
    /// The program and its arguments; the program by absolute path.
    public var program: [String]
    /// The unpacked package: the plugin's working directory.
    public var workingDirectory: String
    /// The whole environment the plugin gets (nothing of the server's).
    public var environment: [String: String]
    /// RLIMIT_DATA, from the manifest's `resource.memory`.
    public var memory: Int
    /// RLIMIT_CPU over the process's whole life (soft; SIGKILL one second later).
    public var cpuSeconds: Int
    public var openFiles: Int
    public var fileSize: Int
    /// RLIMIT_NPROC: processes and threads of the install's uid.
    public var processes: Int
    /// The install's own uid and gid, when the server runs as root; `nil` shares the server's.
    public var uid: UInt32?
    /// Folders the plugin may read (and run) beside the system's: its package (the working directory) and its Python
    /// environment. With `writes`, they switch Landlock on: nothing else of the file system is reachable.
    public var reads: [String] = []
    /// Folders the plugin may write: its install's home.
    public var writes: [String] = []
    /// Whether the manifest grants network access (else inet sockets are refused, and a network namespace is used).
    public var network: Bool

    public init(
        program: [String], workingDirectory: String, environment: [String: String], memory: Int, cpuSeconds: Int, openFiles: Int,
        fileSize: Int, processes: Int, uid: UInt32?, network: Bool
    ) {
        self.program = program
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.memory = memory
        self.cpuSeconds = cpuSeconds
        self.openFiles = openFiles
        self.fileSize = fileSize
        self.processes = processes
        self.uid = uid
        self.network = network
    }

    /// The launcher's arguments; its report goes to standard error, as the first line there.
    var launcherArguments: [String] {
        var arguments = ["--report-fd", "2", "--cwd", workingDirectory]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["--env", "\(name)=\(value)"] }
        arguments += [
            "--memory", String(memory), "--cpu", String(cpuSeconds), "--files", String(openFiles), "--file-size", String(fileSize),
            "--processes", String(processes),
        ]
        for path in reads { arguments += ["--read", path] }
        for path in writes { arguments += ["--write", path] }
        if let uid { arguments += ["--uid", String(uid), "--gid", String(uid)] }
        if network { arguments.append("--network") }
        return arguments + ["--"] + program
    }
}

extension PluginLaunch {
    /// Kills every process of `uid`, through the launcher (which becomes that uid to do it). Not cancellable: the kill
    /// is often asked for by a task that the death of those processes then cancels.
    static func killProcesses(ofUID uid: UInt32, launcher: String) async {
        await Task {
            _ = try? await Subprocess.run(
                .path(FilePath(launcher)), arguments: ["--kill-uid", String(uid)], environment: .custom([:]), output: .discarded,
                error: .discarded
            )
        }.value
    }
}
