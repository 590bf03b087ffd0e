import Core
import Foundation
import HTTPTypes
import Hummingbird
import RateLimit
import Tenancy

/// The Public API's budgets: the app's cap on requests in flight, then its workspace's plan and its own RPM/RPH,
/// decided and counted in one atomic step. Every response it lets through or refuses carries the rate-limit headers.
struct PublicRateLimitMiddleware: RouterMiddleware {
    let limiter: RateLimiter
    let activeRequests: ActiveRequestLimiter
    let usage: UsageRecorder
    let now: @Sendable () -> Date

    func handle(
        _ request: Request, context: RelayRequestContext, next: (Request, RelayRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let grant = context.publicGrant else { return try await next(request, context) }
        let limits = grant.plan.limits
        let rules = [RateLimitRule].publicAPI(plan: limits, workspace: grant.workspaceID, app: grant.app)
        let date = now()
        // The cap is checked first so that a request it refuses spends no rate budget.
        guard let slot = activeRequests.acquire("app:\(grant.app.id)", limit: limits.maxActiveRequests) else {
            let standing = try await limiter.peek(rules, at: date)
            throw RelayError(
                .tooManyRequests,
                "This app already has \(limits.maxActiveRequests) requests in progress, the most its plan allows; retry when one ends",
                headers: standing.headersWithoutRetry
            )
        }
        // From here the slot is released when it is dropped: at once on any throw, or by the body once written.
        let decision = try await limiter.admit(rules, at: date)
        guard decision.isAdmitted else { throw RelayError(.rateLimitExceeded, decision.refusal, headers: decision.headers) }
        usage.record(grant, at: date)
        var response = try await respond(request, announcing: decision.headers) { try await next(request, context) }
        response.holding(slot)
        return response
    }
}

extension RateLimitDecision {
    /// Headers for a request refused for another reason than its rate budget: no `Retry-After` of the budget's.
    var headersWithoutRetry: [(name: String, value: String)] { headers.filter { $0.name != "Retry-After" } }
}

extension Response {
    /// Keeps `slot` until the body has been written: at once for a body already in hand, at the end of a stream
    /// (or when the client goes away) otherwise.
    mutating func holding(_ slot: ActiveRequestSlot) {
        guard body.contentLength == nil else {
            slot.release()
            return
        }
        let streamed = body
        body = ResponseBody { writer in
            defer { slot.release() }
            try await streamed.write(writer)
        }
    }
}
