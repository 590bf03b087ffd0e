import Core
import Foundation
import HTTPTypes
import Hummingbird
import RateLimit

/// Per-account budgets for console calls that change things (sign-in has its own throttle).
struct ConsoleWriteLimitMiddleware: RouterMiddleware {
    let limiter: RateLimiter
    let perMinute: Int
    let perHour: Int
    let now: @Sendable () -> Date

    func handle(
        _ request: Request, context: RelayRequestContext, next: (Request, RelayRequestContext) async throws -> Response
    ) async throws -> Response {
        guard request.method != .get, request.method != .head, let grant = context.consoleGrant else {
            return try await next(request, context)
        }
        let rules = [RateLimitRule].consoleWrites(account: grant.account.id, perMinute: perMinute, perHour: perHour)
        let decision = try await limiter.admit(rules, at: now())
        guard decision.isAdmitted else { throw RelayError(.rateLimitExceeded, decision.refusal, headers: decision.headers) }
        return try await respond(request, announcing: decision.headers) { try await next(request, context) }
    }
}
