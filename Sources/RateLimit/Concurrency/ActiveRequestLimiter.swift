import Synchronization

/// Caps how many requests of one app are in flight at once in this process, blocking and streaming alike.
public final class ActiveRequestLimiter: Sendable {
    private let active = Mutex<[String: Int]>([:])

    public init() {}

    /// A slot for one request, or `nil` when `key` already has `limit` in flight. A limit of 0 means unlimited.
    public func acquire(_ key: String, limit: Int) -> ActiveRequestSlot? {
        guard limit > 0 else { return ActiveRequestSlot(limiter: nil, key: key) }
        let acquired = active.withLock { active in
            guard active[key, default: 0] < limit else { return false }
            active[key, default: 0] += 1
            return true
        }
        return acquired ? ActiveRequestSlot(limiter: self, key: key) : nil
    }

    public func inFlight(_ key: String) -> Int {
        active.withLock { $0[key] ?? 0 }
    }

    fileprivate func release(_ key: String) {
        active.withLock { active in
            let remaining = (active[key] ?? 1) - 1
            active[key] = remaining > 0 ? remaining : nil
        }
    }
}

/// One request's place in its app's cap. Released once: explicitly when the response has been written (or failed),
/// or when the slot is dropped, so a response that is never written cannot leak it.
public final class ActiveRequestSlot: Sendable {
    private let limiter: ActiveRequestLimiter?
    private let key: String
    private let isReleased = Atomic<Bool>(false)

    fileprivate init(limiter: ActiveRequestLimiter?, key: String) {
        self.limiter = limiter
        self.key = key
    }

    public func release() {
        guard !isReleased.exchange(true, ordering: .acquiringAndReleasing) else { return }
        limiter?.release(key)
    }

    deinit { release() }
}
