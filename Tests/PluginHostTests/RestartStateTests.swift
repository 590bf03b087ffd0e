import Testing

@testable import PluginHost

/// Restarts after failures: the backoff doubles up to its cap, the breaker opens after the threshold for its cool-down,
/// and one success forgives everything.
@Suite("Plugin restarts")
struct RestartStateTests {
    let policy = RestartState.Policy(
        initialBackoff: .milliseconds(250), maximumBackoff: .seconds(2), breakerThreshold: 5, breakerCooldown: .seconds(300)
    )

    @Test("backoff doubles from the first failure up to the cap, and a success resets it")
    func backoff() {
        var state = RestartState(policy: policy)
        let now = ContinuousClock.now
        #expect(state.delay(at: now) == .zero)
        var delays: [Duration] = []
        for _ in 0..<4 {
            state.recordFailure(at: now)
            delays.append(state.delay(at: now))
        }
        #expect(delays == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)])
        #expect(!state.isBroken)
        #expect(state.delay(at: now + .seconds(3)) == .zero)
        state.recordSuccess()
        #expect(state.delay(at: now) == .zero && state.consecutiveFailures == 0)
    }

    @Test("the breaker opens at the threshold for the cool-down, then lets one attempt through")
    func breaker() {
        var state = RestartState(policy: policy)
        let now = ContinuousClock.now
        for _ in 0..<5 { state.recordFailure(at: now) }
        #expect(state.isBroken)
        #expect(state.delay(at: now) == .seconds(300))
        #expect(state.delay(at: now + .seconds(301)) == .zero)
        state.recordFailure(at: now + .seconds(301))
        #expect(state.isBroken && state.delay(at: now + .seconds(301)) == .seconds(300))
    }
}
