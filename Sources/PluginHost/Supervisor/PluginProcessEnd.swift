/// Why a plugin process is no longer serving.
public enum PluginProcessEnd: Sendable, Equatable, CustomStringConvertible {
    /// It exited by itself (or by a signal: status 128 + the signal).
    case exited(status: Int32)
    /// The launcher refused to run it: a sandbox layer failed.
    case refused(String)
    /// The server killed it.
    case killed(KillReason)
    /// It could not even be spawned.
    case spawnFailed(String)

    public enum KillReason: String, Sendable {
        case callTimeout = "a call did not finish within the call timeout"
        case startTimeout = "it sent no heartbeat within the start timeout"
        case lineTooLong = "it wrote a line over the size limit"
        case sandboxBelowMinimum = "its sandbox was below the configured minimum"
        case idle = "it was idle"
        case stopped = "the server stopped it"
    }

    /// Whether the end counts against the install (a crash, a hang, a broken protocol) rather than being the server's
    /// own doing.
    var isFailure: Bool {
        switch self {
        case .killed(.idle), .killed(.stopped): false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .exited(let status): "it exited with status \(status)\(Self.meaning(of: status))"
        case .refused(let reason): "the sandbox launcher refused to run it: \(reason)"
        case .killed(let reason): "it was killed because \(reason.rawValue)"
        case .spawnFailed(let reason): "it could not be started: \(reason)"
        }
    }

    /// Exit statuses worth decoding for an operator (sandbox.md).
    static func meaning(of status: Int32) -> String {
        switch status {
        case 137: " (SIGKILL: the memory or CPU hard limit, or a kill)"
        case 152: " (SIGXCPU: its CPU time limit)"
        case 153: " (SIGXFSZ: its file size limit)"
        case 139: " (SIGSEGV)"
        case 134: " (SIGABRT)"
        case 126: " (the launcher could not apply the sandbox)"
        case 127: " (its program could not be run)"
        default: ""
        }
    }
}
