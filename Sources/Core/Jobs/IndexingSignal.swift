import Synchronization

/// Wakes sleeping workers when a job was queued in this process, so that it starts at once instead of at the next
/// poll (jobs queued by other instances are found by polling).
public final class IndexingSignal: Sendable {
    private struct State {
        var pending = false
        var next = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters let go before they had registered (a very short timeout).
        var released: Set<Int> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every sleeping worker, or, when none sleeps, the next one to wait.
    public func wake() {
        let woken = state.withLock { state in
            let woken = Array(state.waiting.values)
            state.waiting = [:]
            if woken.isEmpty { state.pending = true }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns when woken, after `timeout`, or when the task is cancelled, whichever comes first. A timeout or a
    /// cancellation lets only this waiter go: it neither wakes the other workers nor leaves a wake pending.
    func wait(upTo timeout: Duration) async {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state in
                        if state.released.remove(id) != nil { return true }
                        if state.pending {
                            state.pending = false
                            return true
                        }
                        state.waiting[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.release(id)
            }
            await group.next()
            group.cancelAll()
        }
        // Both children have ended: a release that came after a wake leaves nothing behind.
        state.withLock { _ = $0.released.remove(id) }
    }

    /// Lets waiter `id` go if it still waits.
    private func release(_ id: Int) {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let continuation = state.waiting.removeValue(forKey: id) else {
                state.released.insert(id)
                return nil
            }
            return continuation
        }?.resume()
    }
}
