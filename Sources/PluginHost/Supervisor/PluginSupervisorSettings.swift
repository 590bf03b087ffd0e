/// The supervisor's bounds, set by the operator (`relay serve --plugin-…`).
public struct PluginSupervisorSettings: Sendable {
    /// The `relay-plugin-launcher` executable.
    public var launcher: String
    /// The lowest sandbox level a plugin may run under (`--plugin-sandbox-minimum`).
    public var minimumLevel: SandboxLevel = .basic
    /// How long one call may take, start-up excluded (`--plugin-call-timeout`).
    public var callTimeout: Duration = .seconds(60)
    /// How long a new process has to send its first heartbeat.
    public var startTimeout: Duration = .seconds(30)
    /// A process with no open call for this long is stopped; the next call starts another.
    public var idleTimeout: Duration = .seconds(300)
    /// The longest line a plugin may write.
    public var lineLimit: Int = 8 << 20
    public var cpuSecondsPerProcess = 3600
    public var openFiles = 256
    public var fileSize = 64 << 20
    public var processes = 256
    var restart = RestartState.Policy()

    public init(launcher: String) { self.launcher = launcher }
}
