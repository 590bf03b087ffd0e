/// One counter of one calendar window: `key` (whose budget, e.g. a workspace), the window's length and first second.
public struct RateCounter: Sendable, Hashable {
    public let key: String
    /// Seconds the window lasts. Part of the counter's identity: at an hour boundary the minute and the hour start on
    /// the same second, and must still count apart.
    public let windowLength: Int64
    /// Seconds since 1970 at which the window began.
    public let windowStart: Int64
    /// The most hits the window admits; always positive (unlimited windows have no counter).
    public let limit: Int

    public init(key: String, windowLength: Int64, windowStart: Int64, limit: Int) {
        self.key = key
        self.windowLength = windowLength
        self.windowStart = windowStart
        self.limit = limit
    }
}

/// Where rate-limit counters live: in this process, or in the database so that several instances share one budget.
public protocol RateLimitStore: Sendable {
    /// In one atomic step: when every counter is below its limit, adds one hit to each and admits; otherwise changes
    /// nothing. Returns the decision and each counter's hits after it, in the order given.
    func hit(_ counters: [RateCounter]) async throws -> (admitted: Bool, hits: [Int])
    /// Each counter's hits, without changing any.
    func hits(_ counters: [RateCounter]) async throws -> [Int]
}
