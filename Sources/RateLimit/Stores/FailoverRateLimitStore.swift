public import Core
import Foundation
public import Logging
import Synchronization

/// What to do when the shared store cannot answer.
public enum RateLimitFailurePolicy: String, Sendable, CaseIterable {
    /// Keep serving, limited by this process's own counters.
    case open
    /// Refuse with 503 `service_unavailable` until the shared store answers again.
    case closed
}

/// The shared (database) store, with a fallback to in-process counters or a refusal when it fails.
public final class FailoverRateLimitStore: RateLimitStore, Sendable {
    let shared: any RateLimitStore
    let fallback: InProcessRateLimitStore
    let policy: RateLimitFailurePolicy
    let logger: Logger
    /// When a failure was last logged: an outage logs once a minute, not once a request.
    private let lastLogged = Mutex<Date?>(nil)

    public init(shared: any RateLimitStore, policy: RateLimitFailurePolicy, logger: Logger) {
        self.shared = shared
        self.fallback = InProcessRateLimitStore()
        self.policy = policy
        self.logger = logger
    }

    public func hit(_ counters: [RateCounter]) async throws -> (admitted: Bool, hits: [Int]) {
        do {
            return try await shared.hit(counters)
        } catch {
            try failed(error)
            return fallback.hitNow(counters)
        }
    }

    public func hits(_ counters: [RateCounter]) async throws -> [Int] {
        do {
            return try await shared.hits(counters)
        } catch {
            try failed(error)
            return try await fallback.hits(counters)
        }
    }

    private func failed(_ error: any Error) throws {
        let now = Date()
        let shouldLog = lastLogged.withLock { last in
            guard last.map({ now.timeIntervalSince($0) >= 60 }) ?? true else { return false }
            last = now
            return true
        }
        if shouldLog {
            logger.error(
                "The shared rate-limit store failed",
                metadata: ["error": "\(RelayError.logDescription(of: error))", "rate_limit.failure_policy": "\(policy.rawValue)"]
            )
        }
        if policy == .closed {
            throw RelayError(.serviceUnavailable, "Rate limiting is unavailable; try again shortly", underlying: error)
        }
    }
}
