import Core
import Foundation
import Hummingbird
import RateLimit
import Tenancy

/// Resolves the knowledge API's bearer key (cached) to its workspace, then holds the request to the workspace plan's
/// request budgets (RPM/RPH/RPD), shared with its apps' Public API calls, with the rate-limit headers on every answer.
struct DatasetKeyAuthMiddleware: RouterMiddleware {
    let apiKeys: APIKeyService
    let limiter: RateLimiter
    let now: @Sendable () -> Date

    func handle(
        _ request: Request, context: RelayRequestContext, next: (Request, RelayRequestContext) async throws -> Response
    ) async throws -> Response {
        let grant = try await apiKeys.authorizeDataset(try BearerToken.requireKey(in: request))
        var context = context
        context.datasetGrant = grant
        let decision = try await limiter.admit([RateLimitRule].workspace(plan: grant.plan.limits, workspace: grant.workspaceID), at: now())
        guard decision.isAdmitted else { throw RelayError(.rateLimitExceeded, decision.refusal, headers: decision.headers) }
        return try await respond(request, announcing: decision.headers) { try await next(request, context) }
    }
}
