public import Foundation

/// How sign-in failures slow the next attempt. Failures are counted per account *and* client address together, so a
/// stranger guessing at an address slows only their own attempts, never the owner's from elsewhere; and they cost time
/// rather than lock anything: after `freeFailures` failures in the window, each further attempt must wait
/// `firstDelay`, doubling with every failure, up to `maxDelay`. An attempt refused for waiting is not a failure.
public struct LoginThrottle: Sendable {
    public var freeFailures: Int
    public var firstDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// Failures older than this are forgotten.
    public var window: TimeInterval

    public init(freeFailures: Int = 3, firstDelay: TimeInterval = 2, maxDelay: TimeInterval = 5 * 60, window: TimeInterval = 15 * 60) {
        self.freeFailures = freeFailures
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
        self.window = window
    }

    /// The most failures worth reading back: past these the delay is already at its longest.
    var failuresThatMatter: Int {
        var count = freeFailures
        var delay = firstDelay
        while delay < maxDelay {
            delay *= 2
            count += 1
        }
        return count + 1
    }

    /// Seconds until another attempt is allowed, given the failures inside the window (oldest first); `nil` to allow now.
    func retryAfter(failures: [Date], now: Date) -> TimeInterval? {
        guard failures.count >= freeFailures, let last = failures.last else { return nil }
        let doublings = failures.count - freeFailures
        let delay = min(maxDelay, firstDelay * pow(2, Double(min(doublings, 30))))
        let wait = (last + delay).timeIntervalSince(now)
        return wait > 0 ? max(1, wait) : nil
    }
}
