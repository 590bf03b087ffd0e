/// When an install whose process failed may start again: exponential backoff between attempts, and a breaker that
/// stops a crash loop until a cool-down has passed (then one attempt is let through).
struct RestartState: Sendable {
    struct Policy: Sendable {
        var initialBackoff: Duration = .milliseconds(250)
        var maximumBackoff: Duration = .seconds(30)
        /// Consecutive failures that open the breaker.
        var breakerThreshold = 5
        var breakerCooldown: Duration = .seconds(300)
    }

    private(set) var consecutiveFailures = 0
    private(set) var notBefore: ContinuousClock.Instant?

    var isBroken: Bool { consecutiveFailures >= policy.breakerThreshold }
    let policy: Policy

    init(policy: Policy) { self.policy = policy }

    mutating func recordFailure(at now: ContinuousClock.Instant) {
        consecutiveFailures += 1
        if isBroken {
            notBefore = now + policy.breakerCooldown
        } else {
            let backoff = policy.initialBackoff * (1 << min(consecutiveFailures - 1, 20))
            notBefore = now + min(backoff, policy.maximumBackoff)
        }
    }

    mutating func recordSuccess() {
        consecutiveFailures = 0
        notBefore = nil
    }

    /// How long a start must wait from `now`; zero when it may start at once.
    func delay(at now: ContinuousClock.Instant) -> Duration {
        guard let notBefore, notBefore > now else { return .zero }
        return notBefore - now
    }
}
