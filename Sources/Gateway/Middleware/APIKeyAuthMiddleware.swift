import Core
import HTTPTypes
import Hummingbird
import Tenancy

/// Resolves the Public API's bearer key (cached) to its app and workspace.
struct APIKeyAuthMiddleware: RouterMiddleware {
    static let appIDHeader = HTTPField.Name("X-App-Id")!
    let apiKeys: APIKeyService

    func handle(
        _ request: Request, context: RelayRequestContext, next: (Request, RelayRequestContext) async throws -> Response
    ) async throws -> Response {
        let secret = try BearerToken.requireKey(in: request)
        var context = context
        context.publicGrant = try await apiKeys.authorize(secret, requestedApp: request.headers[Self.appIDHeader])
        return try await next(request, context)
    }
}
