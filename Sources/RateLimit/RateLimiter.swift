public import Core
public import Foundation

/// Decides whether a request fits its budgets: every applicable window must have room, and the check and the count
/// are one atomic step in the store, so N concurrent requests against k remaining admit exactly k.
public struct RateLimiter: Sendable {
    let store: any RateLimitStore
    /// Told of every refusal (metrics count them by window).
    let onRefusal: (@Sendable (RateLimitDecision) -> Void)?

    public init(store: any RateLimitStore, onRefusal: (@Sendable (RateLimitDecision) -> Void)? = nil) {
        self.store = store
        self.onRefusal = onRefusal
    }

    /// Counts the request against every rule if all have room; counts nothing otherwise.
    public func admit(_ rules: [RateLimitRule], at date: Date) async throws -> RateLimitDecision {
        guard !rules.isEmpty else { return RateLimitDecision(isAdmitted: true, states: [], at: date) }
        let (admitted, hits) = try await store.hit(counters(rules, at: date))
        let decision = RateLimitDecision(isAdmitted: admitted, states: zip(rules, hits).map { .init(rule: $0, hits: $1) }, at: date)
        if !admitted { onRefusal?(decision) }
        return decision
    }

    /// Where the budgets stand, without counting anything.
    public func peek(_ rules: [RateLimitRule], at date: Date) async throws -> RateLimitDecision {
        guard !rules.isEmpty else { return RateLimitDecision(isAdmitted: true, states: [], at: date) }
        let hits = try await store.hits(counters(rules, at: date))
        let admitted = zip(rules, hits).allSatisfy { $1 < $0.limit }
        return RateLimitDecision(isAdmitted: admitted, states: zip(rules, hits).map { .init(rule: $0, hits: $1) }, at: date)
    }

    private func counters(_ rules: [RateLimitRule], at date: Date) -> [RateCounter] {
        rules.map {
            RateCounter(key: $0.key, windowLength: $0.window.seconds, windowStart: $0.window.start(containing: date), limit: $0.limit)
        }
    }
}

/// The outcome of one decision: whether it was admitted and where each budget stands.
public struct RateLimitDecision: Sendable {
    public struct BudgetState: Sendable {
        public let rule: RateLimitRule
        /// Hits in the current window, this request included when it was admitted.
        public let hits: Int

        public var remaining: Int { max(0, rule.limit - hits) }
        public var isExhausted: Bool { hits >= rule.limit }
    }

    public let isAdmitted: Bool
    public let states: [BudgetState]
    let date: Date

    init(isAdmitted: Bool, states: [BudgetState], at date: Date) {
        self.isAdmitted = isAdmitted
        self.states = states
        self.date = date
    }

    /// Per window, the budget with the least room left (of a workspace's and an app's), shortest window first.
    public var windows: [(window: RateWindow, state: BudgetState)] {
        Dictionary(grouping: states, by: \.rule.window)
            .map { window, states in (window, states.min { ($0.remaining, $0.rule.limit) < ($1.remaining, $1.rule.limit) }!) }
            .sorted { $0.window < $1.window }
    }

    /// The window that binds: when refused, the exhausted one that resets last; else the one with least room left,
    /// the longer window on a tie.
    public var mostRestrictive: (window: RateWindow, state: BudgetState)? {
        windows.min { lhs, rhs in
            (lhs.state.remaining, -lhs.window.seconds) < (rhs.state.remaining, -rhs.window.seconds)
        }
    }

    public func secondsUntilReset(_ window: RateWindow) -> Int { window.secondsUntilReset(from: date) }

    /// Seconds until a refused request would be admitted: until every exhausted window has reset.
    public var retryAfter: Int? {
        guard !isAdmitted else { return nil }
        return states.filter(\.isExhausted).map { secondsUntilReset($0.rule.window) }.max()
    }

    /// The exhausted budget that refused the request: the one that resets last; `nil` when admitted.
    public var refusingBudget: BudgetState? { isAdmitted ? nil : exhaustedLastToReset }

    private var exhaustedLastToReset: BudgetState? {
        states.filter(\.isExhausted).max { secondsUntilReset($0.rule.window) < secondsUntilReset($1.rule.window) }
    }

    /// Why a request was refused, naming the window, its limit and when it resets.
    public var refusal: String {
        guard let exhausted = exhaustedLastToReset else { return "Rate limit exceeded" }
        let window = exhausted.rule.window
        return "Rate limit exceeded: this \(exhausted.rule.holder) allows \(exhausted.rule.limit) requests per \(window.rawValue); "
            + "the window resets in \(secondsUntilReset(window)) seconds"
    }
}
