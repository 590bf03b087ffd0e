public import Foundation

/// How many failed sign-ins an address may have in a sliding window before further attempts are refused.
public struct LoginThrottle: Sendable {
    public var maxFailures: Int
    public var window: TimeInterval

    public init(maxFailures: Int = 5, window: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
    }

    /// Seconds until another attempt is allowed, given the failures inside the window (oldest first); `nil` to allow now.
    func retryAfter(failures: [Date], now: Date) -> TimeInterval? {
        guard failures.count >= maxFailures else { return nil }
        // The attempt becomes allowed when enough of the oldest failures have left the window.
        let freeing = failures[failures.count - maxFailures]
        return max(1, (freeing + window).timeIntervalSince(now))
    }
}
