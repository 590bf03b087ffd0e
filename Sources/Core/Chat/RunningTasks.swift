import Synchronization

/// The generations and workflow runs running in this process, by task id, so that a stop request can reach the one it
/// names.
public final class RunningTasks: Sendable {
    private let running = Mutex<[String: @Sendable () -> Void]>([:])

    public init() {}

    func register(_ taskID: String, stop: @escaping @Sendable () -> Void) {
        running.withLock { $0[taskID] = stop }
    }

    func remove(_ taskID: String) {
        _ = running.withLock { $0.removeValue(forKey: taskID) }
    }

    /// Stops the task if this process runs it; `false` when it does not (it may run elsewhere, or have ended).
    @discardableResult
    public func stop(_ taskID: String) -> Bool {
        guard let stop = running.withLock({ $0[taskID] }) else { return false }
        stop()
        return true
    }

    public var isEmpty: Bool { running.withLock { $0.isEmpty } }
}
