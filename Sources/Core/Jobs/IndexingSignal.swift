import Synchronization

/// Wakes sleeping workers when a job was queued in this process, so that it starts at once instead of at the next
/// poll (jobs queued by other instances are found by polling).
public final class IndexingSignal: Sendable {
    private let waiters = Mutex<(pending: Bool, continuations: [CheckedContinuation<Void, Never>])>((false, []))

    public init() {}

    public func wake() {
        let woken = waiters.withLock { state in
            let continuations = state.continuations
            state.continuations = []
            if continuations.isEmpty { state.pending = true }
            return continuations
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns when woken, after `timeout`, or when the task is cancelled, whichever comes first.
    func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.waiters.withLock { state in
                        if state.pending {
                            state.pending = false
                            return true
                        }
                        state.continuations.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                // Ends early when cancelled; either way the waiter above is let go.
                try? await Task.sleep(for: timeout)
                self.wake()
            }
            await group.next()
            group.cancelAll()
        }
    }
}
