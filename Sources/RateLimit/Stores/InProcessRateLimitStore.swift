public import Core
import Synchronization

/// Counters in this process's memory behind one lock: the default for a single instance, and the fallback when the
/// shared store fails open.
public final class InProcessRateLimitStore: RateLimitStore, Sendable {
    struct CounterID: Hashable {
        let key: String
        let windowLength: Int64
        let windowStart: Int64

        init(_ counter: RateCounter) {
            key = counter.key
            windowLength = counter.windowLength
            windowStart = counter.windowStart
        }
    }

    struct State {
        var hits: [CounterID: Int] = [:]
        var newestStart: Int64 = 0
        var decisionsSincePrune = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func hit(_ counters: [RateCounter]) async throws -> (admitted: Bool, hits: [Int]) {
        hitNow(counters)
    }

    public func hits(_ counters: [RateCounter]) async throws -> [Int] {
        state.withLock { state in counters.map { state.hits[CounterID($0)] ?? 0 } }
    }

    /// The decision itself, synchronous: check every counter, then count all or none, under one lock.
    public func hitNow(_ counters: [RateCounter]) -> (admitted: Bool, hits: [Int]) {
        state.withLock { state in
            var current: [Int] = []
            current.reserveCapacity(counters.count)
            var admitted = true
            for counter in counters {
                let hits = state.hits[CounterID(counter)] ?? 0
                current.append(hits)
                if hits >= counter.limit { admitted = false }
            }
            guard admitted else { return (false, current) }
            for (index, counter) in counters.enumerated() {
                state.hits[CounterID(counter)] = current[index] + 1
                current[index] += 1
                state.newestStart = max(state.newestStart, counter.windowStart)
            }
            state.decisionsSincePrune += 1
            if state.decisionsSincePrune >= 65_536 { Self.prune(&state) }
            return (true, current)
        }
    }

    /// Drops counters of windows that ended: none is longer than a day.
    private static func prune(_ state: inout State) {
        state.decisionsSincePrune = 0
        let horizon = state.newestStart - 86_400
        state.hits = state.hits.filter { $0.key.windowStart > horizon }
    }
}
